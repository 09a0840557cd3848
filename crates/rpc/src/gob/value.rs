//! gob values: decoding any value of a known type into a tree that
//! remembers where each part lay in the message (for `--dump`), and
//! writing struct values the way Go's encoder does.

use super::types::{Field, Type, TypeId, Types};
use super::wire::{Cursor, put_bytes, put_int, put_uint};
use super::{GobError, MAX_DEPTH};
use bytes::{BufMut, BytesMut};

/// A decoded value, and the bytes `start..end` of the message it
/// came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub start: usize,
    pub end: usize,
    pub value: Value,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    /// A string, a `[]byte`, or the bytes of a GobEncoder.
    Bytes(Vec<u8>),
    /// The fields that were sent (zero fields are not), in order.
    Struct(Vec<FieldValue>),
    /// A slice or an array.
    List(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

/// One field of a struct value: its number in the struct's type, and
/// where its delta began (the value follows the delta).
#[derive(Debug, Clone, PartialEq)]
pub struct FieldValue {
    pub number: usize,
    pub delta_at: usize,
    pub node: Node,
}

/// Decode a value of type `id` at the cursor.
pub fn decode(
    types: &Types,
    id: TypeId,
    c: &mut Cursor,
    depth: usize,
) -> Result<Node, GobError> {
    if depth > MAX_DEPTH {
        return Err(GobError::TooDeep);
    }
    c.one_more_value()?;
    let start = c.pos();
    let value = match types.get(id)? {
        Type::Bool => Value::Bool(c.uint()? != 0),
        Type::Int => Value::Int(c.int()?),
        Type::Uint => Value::Uint(c.uint()?),
        // A float64's bits, byte-reversed so that the exponent and
        // the high bits of the mantissa come first (doc.go).
        Type::Float => Value::Float(f64::from_bits(c.uint()?.swap_bytes())),
        Type::Bytes | Type::String | Type::Opaque { .. } => {
            Value::Bytes(c.bytes()?.to_vec())
        }
        Type::Unsupported(what) => return Err(GobError::Unsupported(what)),
        Type::Struct { fields, .. } => decode_struct(types, fields, c, depth)?,
        Type::Slice { elem, .. } => Value::List(list(types, *elem, c, depth)?),
        Type::Array { elem, len, .. } => {
            let items = list(types, *elem, c, depth)?;
            if items.len() as u64 != *len {
                return Err(GobError::BadDefinition("array of another length"));
            }
            Value::List(items)
        }
        Type::Map { key, elem, .. } => {
            let n = count(c)?;
            let mut pairs = Vec::new();
            for _ in 0..n {
                let k = decode(types, *key, c, depth + 1)?;
                let v = decode(types, *elem, c, depth + 1)?;
                pairs.push((k, v));
            }
            Value::Map(pairs)
        }
    };
    Ok(Node {
        start,
        end: c.pos(),
        value,
    })
}

// ANCHOR: decode_struct
/// A struct value: (delta, value) pairs. The field number starts at
/// -1, so the first delta is the field's number + 1; a delta of 0
/// ends the struct. A number past the type's last field is refused.
fn decode_struct(
    types: &Types,
    fields: &[Field],
    c: &mut Cursor,
    depth: usize,
) -> Result<Value, GobError> {
    let mut sent = Vec::new();
    let mut last: Option<usize> = None;
    loop {
        let delta_at = c.pos();
        let delta = c.uint()?;
        if delta == 0 {
            return Ok(Value::Struct(sent));
        }
        let bad = GobError::BadField(delta);
        let delta = usize::try_from(delta).map_err(|_| bad.clone())?;
        let n = match last {
            None => delta - 1,
            Some(last) => last.checked_add(delta).ok_or(bad.clone())?,
        };
        let field = fields.get(n).ok_or(bad)?;
        let node = decode(types, field.id, c, depth + 1)?;
        sent.push(FieldValue {
            number: n,
            delta_at,
            node,
        });
        last = Some(n);
    }
}
// ANCHOR_END: decode_struct

/// A count of elements. Each element takes at least one byte, so a
/// count above the bytes left is a lie: refused before any element
/// (or any memory for them) exists.
fn count(c: &mut Cursor) -> Result<u64, GobError> {
    let n = c.uint()?;
    if n > c.left() as u64 {
        return Err(GobError::Short);
    }
    Ok(n)
}

fn list(
    types: &Types,
    elem: TypeId,
    c: &mut Cursor,
    depth: usize,
) -> Result<Vec<Node>, GobError> {
    let n = count(c)?;
    let mut items = Vec::new();
    for _ in 0..n {
        items.push(decode(types, elem, c, depth + 1)?);
    }
    Ok(items)
}

/// Decode the value a message carries after its type id. A struct is
/// its fields; any other type travels as field 0 of a struct whose
/// count starts at 0: a delta of 0, then the value, and no end mark
/// (Go: encode.go `encodeSingle`, decode.go `decodeSingle`).
pub fn decode_top(
    types: &Types,
    id: TypeId,
    c: &mut Cursor,
) -> Result<Node, GobError> {
    if !matches!(types.get(id)?, Type::Struct { .. }) && c.uint()? != 0 {
        return Err(GobError::Singleton);
    }
    decode(types, id, c, 0)
}

// ANCHOR: struct_writer
/// Writes one struct value as Go's encoder does: for each field that
/// is not zero, the delta from the last field sent, then the value;
/// zero fields are left out; a 0 byte ends the struct.
pub struct StructWriter<'a> {
    buf: &'a mut BytesMut,
    last: Option<u64>,
}

impl<'a> StructWriter<'a> {
    pub fn new(buf: &'a mut BytesMut) -> StructWriter<'a> {
        StructWriter { buf, last: None }
    }

    /// The delta that leads to field `n`; the caller writes its value.
    pub fn field(&mut self, n: u64) -> &mut BytesMut {
        let delta = self.last.map_or(n + 1, |last| n.saturating_sub(last));
        put_uint(self.buf, delta);
        self.last = Some(n);
        self.buf
    }

    pub fn uint(&mut self, n: u64, x: u64) {
        if x != 0 {
            put_uint(self.field(n), x);
        }
    }

    pub fn int(&mut self, n: u64, i: i64) {
        if i != 0 {
            put_int(self.field(n), i);
        }
    }

    pub fn bool(&mut self, n: u64, b: bool) {
        if b {
            put_uint(self.field(n), 1);
        }
    }

    pub fn bytes(&mut self, n: u64, s: &[u8]) {
        if !s.is_empty() {
            put_bytes(self.field(n), s);
        }
    }

    /// The end mark.
    pub fn end(self) {
        self.buf.put_u8(0);
    }
}
// ANCHOR_END: struct_writer
