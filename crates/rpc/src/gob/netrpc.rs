//! net/rpc's messages in gob: the headers `Request` and `Response`
//! (Go: net/rpc/server.go) and this example's `MyInts` and `int`.
//!
//! The bytes are the ones Go's own client and server write, to the
//! byte: the same type ids (Go gives its types ids from 65 in the
//! order it first sends them), field order, and omitted zero fields.
//! The tests hold bytes captured from Go 1.19's net/rpc.

use super::types::{BOOL, INT, STRING, Type, TypeId, Types, UINT, WIRE_TYPE};
use super::value::{Node, StructWriter, Value, decode, decode_top};
use super::wire::{Cursor, message, put_int, read_message};
use super::{GobError, MAX_DEFINITION, ReadError};
use crate::MyInts;
use bytes::{BufMut, Bytes, BytesMut};
use std::io::Read;

// ANCHOR: ids
/// The ids a Go client gives its two types, and a Go server its two.
pub const REQUEST: TypeId = 65;
pub const MY_INTS: TypeId = 66;
pub const RESPONSE: TypeId = 65;
/// `struct{}`: net/rpc's body of an error reply (`invalidRequest`).
pub const EMPTY: TypeId = 66;
// ANCHOR_END: ids

/// A call's header: net/rpc's `Request` (its unexported `next` field
/// is not sent: gob sends exported fields only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Request {
    pub service_method: String,
    pub seq: u64,
}

/// A reply's header: net/rpc's `Response`. `error` is empty when
/// the call succeeded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Response {
    pub service_method: String,
    pub seq: u64,
    pub error: String,
}

const REQUEST_FIELDS: &[(&str, TypeId)] =
    &[("ServiceMethod", STRING), ("Seq", UINT)];
const RESPONSE_FIELDS: &[(&str, TypeId)] =
    &[("ServiceMethod", STRING), ("Seq", UINT), ("Error", STRING)];
const MY_INTS_FIELDS: &[(&str, TypeId)] =
    &[("A1", UINT), ("A2", UINT), ("S1", BOOL), ("S2", BOOL)];

// ANCHOR: define
/// The message that defines struct type `id`: the id negated, then a
/// `wireType` value whose `StructT` holds the name and the fields.
fn define(id: TypeId, name: &str, fields: &[(&str, TypeId)]) -> BytesMut {
    let mut body = BytesMut::new();
    put_int(&mut body, -id);
    let mut wire = StructWriter::new(&mut body);
    let mut st = StructWriter::new(wire.field(2)); // wireType.StructT
    let mut common = StructWriter::new(st.field(0)); // .CommonType
    common.bytes(0, name.as_bytes());
    common.int(1, id);
    common.end();
    if !fields.is_empty() {
        let list = st.field(1); // .Field, a slice: count, elements
        super::wire::put_uint(list, fields.len() as u64);
        for (fname, fid) in fields {
            let mut f = StructWriter::new(list);
            f.bytes(0, fname.as_bytes());
            f.int(1, *fid);
            f.end();
        }
    }
    st.end();
    wire.end();
    message(&body)
}
// ANCHOR_END: define

/// The message of a struct value of type `id`; `fill` writes fields.
fn value(id: TypeId, fill: impl FnOnce(&mut StructWriter)) -> BytesMut {
    let mut body = BytesMut::new();
    put_int(&mut body, id);
    let mut w = StructWriter::new(&mut body);
    fill(&mut w);
    w.end();
    message(&body)
}

/// What one side has sent on a connection: each type is defined
/// once, before its first value.
#[derive(Debug, Default)]
pub struct Encoder {
    defined: Vec<TypeId>,
}

impl Encoder {
    fn once(
        &mut self,
        out: &mut BytesMut,
        id: TypeId,
        name: &str,
        f: &[(&str, TypeId)],
    ) {
        if !self.defined.contains(&id) {
            self.defined.push(id);
            out.put(define(id, name, f));
        }
    }

    // ANCHOR: encode_call
    /// A call as Go's client writes it: `enc.Encode(&request)`, then
    /// `enc.Encode(args)` (net/rpc/client.go, `WriteRequest`).
    pub fn call(&mut self, seq: u64, method: &str, args: &MyInts) -> Bytes {
        let mut out = BytesMut::new();
        self.once(&mut out, REQUEST, "Request", REQUEST_FIELDS);
        out.put(value(REQUEST, |w| {
            w.bytes(0, method.as_bytes());
            w.uint(1, seq);
        }));
        self.once(&mut out, MY_INTS, "MyInts", MY_INTS_FIELDS);
        out.put(value(MY_INTS, |w| {
            w.uint(0, args.a1);
            w.uint(1, args.a2);
            w.bool(2, args.s1);
            w.bool(3, args.s2);
        }));
        out.freeze()
    }
    // ANCHOR_END: encode_call

    /// A reply as Go's server writes it: the `Response`, then the
    /// result, a lone `int` (type 2, sent as "0 byte, value"), or
    /// after an error an empty struct (server.go, `sendResponse`).
    pub fn reply(&mut self, r: &Response, result: Option<i64>) -> Bytes {
        let mut out = BytesMut::new();
        self.once(&mut out, RESPONSE, "Response", RESPONSE_FIELDS);
        out.put(value(RESPONSE, |w| {
            w.bytes(0, r.service_method.as_bytes());
            w.uint(1, r.seq);
            w.bytes(2, r.error.as_bytes());
        }));
        match result {
            Some(v) => {
                let mut body = BytesMut::new();
                put_int(&mut body, INT);
                body.put_u8(0);
                put_int(&mut body, v);
                out.put(message(&body));
            }
            None => {
                // Go's struct{} has no name, and no fields to list.
                self.once(&mut out, EMPTY, "", &[]);
                out.put(value(EMPTY, |_| {}));
            }
        }
        out.freeze()
    }
}

/// What one side has learnt on a connection: the peer's types.
#[derive(Debug, Default)]
pub struct Decoder {
    pub types: Types,
}

impl Decoder {
    // ANCHOR: read_value
    /// Read messages up to and including the next value, learning the
    /// type definitions on the way (Go: decoder.go,
    /// `decodeTypeSequence`). With `raw`, every byte read is appended
    /// to it (for `--dump`). `Ok(None)`: the peer closed the
    /// connection before a message.
    pub fn read_value(
        &mut self,
        r: &mut impl Read,
        mut raw: Option<&mut Vec<u8>>,
    ) -> Result<Option<(TypeId, Node)>, ReadError> {
        let mut defined = false;
        loop {
            let Some((msg, start)) = read_message(r)? else {
                if defined {
                    return Err(ReadError::ClosedMidMessage);
                }
                return Ok(None);
            };
            if let Some(raw) = raw.as_deref_mut() {
                raw.extend_from_slice(&msg);
            }
            let body = msg.get(start..).unwrap_or(&[]);
            let mut c = Cursor::new(body);
            let bad = ReadError::Malformed;
            let id = c.int().map_err(bad)?;
            let node = match id.checked_neg() {
                Some(def) if def > 0 => {
                    if body.len() > MAX_DEFINITION {
                        let n = body.len();
                        return Err(bad(GobError::DefinitionTooLong(n)));
                    }
                    decode(&self.types, WIRE_TYPE, &mut c, 0).map_err(bad)?
                }
                _ => decode_top(&self.types, id, &mut c).map_err(bad)?,
            };
            if c.left() > 0 {
                return Err(bad(GobError::Trailing(c.left())));
            }
            if id >= 0 {
                return Ok(Some((id, node)));
            }
            self.types.define(-id, &node).map_err(bad)?;
            defined = true;
        }
    }
    // ANCHOR_END: read_value
}

/// The fields sent in struct value `node` of type `id`, by name.
fn fields<'a>(
    types: &'a Types,
    id: TypeId,
    node: &'a Node,
) -> impl Iterator<Item = (&'a str, &'a Value)> {
    let defs = match types.get(id) {
        Ok(Type::Struct { fields, .. }) => fields.as_slice(),
        _ => &[],
    };
    let sent = match &node.value {
        Value::Struct(sent) => sent.as_slice(),
        _ => &[],
    };
    sent.iter().filter_map(move |f| {
        let def = defs.get(f.number)?;
        Some((def.name.as_str(), &f.node.value))
    })
}

/// Can a value of type `id` go into a `want`? Go's decoder refuses a
/// struct with no field names in common with the Go type, and a
/// common field of another kind (uint into string, int into uint).
fn check(
    types: &Types,
    id: TypeId,
    what: &str,
    want: &[(&str, TypeId)],
) -> Result<(), GobError> {
    let Type::Struct { fields, .. } = types.get(id)? else {
        let got = types.name(id);
        return Err(GobError::Mismatch(format!("{what} wanted, got {got}")));
    };
    let mut common = 0;
    for f in fields {
        let Some(&(_, t)) = want.iter().find(|(n, _)| *n == f.name) else {
            continue;
        };
        if types.get(f.id) != types.get(t) {
            let (got, t) = (types.name(f.id), types.name(t));
            let why = format!("{what}.{} is {got}, wants {t}", f.name);
            return Err(GobError::Mismatch(why));
        }
        common += 1;
    }
    if common == 0 {
        let why =
            format!("{} has no fields in common with {what}", types.name(id));
        return Err(GobError::Mismatch(why));
    }
    Ok(())
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A call's header, from a value the peer sent.
pub fn request(
    types: &Types,
    id: TypeId,
    n: &Node,
) -> Result<Request, GobError> {
    check(types, id, "Request", REQUEST_FIELDS)?;
    let mut r = Request::default();
    for (name, v) in fields(types, id, n) {
        match (name, v) {
            ("ServiceMethod", Value::Bytes(b)) => r.service_method = text(b),
            ("Seq", Value::Uint(u)) => r.seq = *u,
            _ => {}
        }
    }
    Ok(r)
}

/// A reply's header.
pub fn response(
    types: &Types,
    id: TypeId,
    n: &Node,
) -> Result<Response, GobError> {
    check(types, id, "Response", RESPONSE_FIELDS)?;
    let mut r = Response::default();
    for (name, v) in fields(types, id, n) {
        match (name, v) {
            ("ServiceMethod", Value::Bytes(b)) => r.service_method = text(b),
            ("Seq", Value::Uint(u)) => r.seq = *u,
            ("Error", Value::Bytes(b)) => r.error = text(b),
            _ => {}
        }
    }
    Ok(r)
}

/// The arguments. Fields not sent are zero, as in Go.
pub fn my_ints(
    types: &Types,
    id: TypeId,
    n: &Node,
) -> Result<MyInts, GobError> {
    check(types, id, "MyInts", MY_INTS_FIELDS)?;
    let mut a = MyInts::default();
    for (name, v) in fields(types, id, n) {
        match (name, v) {
            ("A1", Value::Uint(u)) => a.a1 = *u,
            ("A2", Value::Uint(u)) => a.a2 = *u,
            ("S1", Value::Bool(b)) => a.s1 = *b,
            ("S2", Value::Bool(b)) => a.s2 = *b,
            _ => {}
        }
    }
    Ok(a)
}

/// The result of a call: a Go `int`.
pub fn int(types: &Types, id: TypeId, n: &Node) -> Result<i64, GobError> {
    match n.value {
        Value::Int(i) if id == INT => Ok(i),
        _ => Err(GobError::Mismatch(format!(
            "the result is {}, wants int",
            types.name(id)
        ))),
    }
}

#[cfg(test)]
#[path = "netrpc_tests.rs"]
mod tests;
