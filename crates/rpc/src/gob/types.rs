//! gob's type ids and the table of types one side of a connection has
//! learnt (Go: encoding/gob/type.go).
//!
//! Ids 1 to 8 are the basic types, 16 to 24 the types gob describes
//! types with (`wireType` and its parts), and a sender numbers its own
//! types from 65 up. A sender defines each of its types once per
//! connection, before the first value of that type, by sending the
//! id negated and a `wireType` value; see [`Types::define`].

use super::value::{Node, Value};
use super::{GobError, MAX_TYPES};
use std::collections::BTreeMap;

/// A type's number on the wire (Go's `typeId`, an `int32`).
pub type TypeId = i64;

// ANCHOR: ids
pub const BOOL: TypeId = 1;
pub const INT: TypeId = 2;
pub const UINT: TypeId = 3;
pub const FLOAT: TypeId = 4;
pub const BYTES: TypeId = 5;
pub const STRING: TypeId = 6;
pub const COMPLEX: TypeId = 7;
pub const INTERFACE: TypeId = 8;
pub const WIRE_TYPE: TypeId = 16;
pub const ARRAY_TYPE: TypeId = 17;
pub const COMMON_TYPE: TypeId = 18;
pub const SLICE_TYPE: TypeId = 19;
pub const STRUCT_TYPE: TypeId = 20;
pub const FIELD_TYPE: TypeId = 21;
pub const FIELD_SLICE: TypeId = 22;
pub const MAP_TYPE: TypeId = 23;
pub const GOB_ENCODER_TYPE: TypeId = 24;
/// The first id Go gives a type of its own; ids below 64 are gob's.
pub const FIRST_USER_ID: TypeId = 65;
// ANCHOR_END: ids

/// What a type id stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    Bool,
    Int,
    Uint,
    Float,
    Bytes,
    String,
    /// Types this decoder reads no values of (complex, interface).
    Unsupported(&'static str),
    Struct {
        name: String,
        fields: Vec<Field>,
    },
    Slice {
        name: String,
        elem: TypeId,
    },
    Array {
        name: String,
        elem: TypeId,
        len: u64,
    },
    Map {
        name: String,
        key: TypeId,
        elem: TypeId,
    },
    /// A type with its own encoding (GobEncoder, BinaryMarshaler,
    /// TextMarshaler): its values travel as byte strings.
    Opaque {
        name: String,
    },
}

/// A field of a struct type: its name and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    pub name: String,
    pub id: TypeId,
}

/// The types one side knows: gob's own, and those the peer defined.
#[derive(Debug, Clone)]
pub struct Types {
    map: BTreeMap<TypeId, Type>,
}

impl Default for Types {
    fn default() -> Types {
        Types::new()
    }
}

fn st(name: &str, fields: &[(&str, TypeId)]) -> Type {
    Type::Struct {
        name: name.to_string(),
        fields: fields
            .iter()
            .map(|&(n, id)| Field {
                name: n.to_string(),
                id,
            })
            .collect(),
    }
}

impl Types {
    /// gob's predefined types, with the fields of the types that
    /// describe types as type.go declares them.
    pub fn new() -> Types {
        let common = ("CommonType", COMMON_TYPE);
        let enc = GOB_ENCODER_TYPE;
        let map = BTreeMap::from([
            (BOOL, Type::Bool),
            (INT, Type::Int),
            (UINT, Type::Uint),
            (FLOAT, Type::Float),
            (BYTES, Type::Bytes),
            (STRING, Type::String),
            (COMPLEX, Type::Unsupported("complex")),
            (INTERFACE, Type::Unsupported("interface")),
            (
                WIRE_TYPE,
                st(
                    "wireType",
                    &[
                        ("ArrayT", ARRAY_TYPE),
                        ("SliceT", SLICE_TYPE),
                        ("StructT", STRUCT_TYPE),
                        ("MapT", MAP_TYPE),
                        ("GobEncoderT", enc),
                        ("BinaryMarshalerT", enc),
                        ("TextMarshalerT", enc),
                    ],
                ),
            ),
            (
                ARRAY_TYPE,
                st("arrayType", &[common, ("Elem", INT), ("Len", INT)]),
            ),
            (
                COMMON_TYPE,
                st("CommonType", &[("Name", STRING), ("Id", INT)]),
            ),
            (SLICE_TYPE, st("sliceType", &[common, ("Elem", INT)])),
            (
                STRUCT_TYPE,
                st("structType", &[common, ("Field", FIELD_SLICE)]),
            ),
            (
                FIELD_TYPE,
                st("fieldType", &[("Name", STRING), ("Id", INT)]),
            ),
            (
                FIELD_SLICE,
                Type::Slice {
                    name: "[]*fieldType".into(),
                    elem: FIELD_TYPE,
                },
            ),
            (
                MAP_TYPE,
                st("mapType", &[common, ("Key", INT), ("Elem", INT)]),
            ),
            (enc, st("gobEncoderType", &[common])),
        ]);
        Types { map }
    }

    pub fn get(&self, id: TypeId) -> Result<&Type, GobError> {
        self.map.get(&id).ok_or(GobError::UnknownType(id))
    }

    /// A short name for messages and dumps: `int`, `MyInts`, `65`.
    pub fn name(&self, id: TypeId) -> String {
        match self.map.get(&id) {
            Some(Type::Bool) => "bool".into(),
            Some(Type::Int) => "int".into(),
            Some(Type::Uint) => "uint".into(),
            Some(Type::Float) => "float".into(),
            Some(Type::Bytes) => "[]byte".into(),
            Some(Type::String) => "string".into(),
            Some(Type::Unsupported(what)) => (*what).into(),
            Some(
                Type::Struct { name, .. }
                | Type::Slice { name, .. }
                | Type::Array { name, .. }
                | Type::Map { name, .. }
                | Type::Opaque { name },
            ) if !name.is_empty() => format!("{name:?}"),
            Some(Type::Struct { .. }) => "struct {}".into(),
            _ => format!("type {id}"),
        }
    }

    /// Learn type `id` from its definition, a decoded `wireType`.
    /// As Go's decoder does, refuse an id of gob's own or one defined
    /// before (decoder.go, `recvType`).
    pub fn define(&mut self, id: TypeId, wire: &Node) -> Result<(), GobError> {
        if id < 64 || self.map.contains_key(&id) {
            return Err(GobError::DuplicateType(id));
        }
        let users = self.map.range(64..).count();
        if users >= MAX_TYPES {
            return Err(GobError::TooManyTypes);
        }
        let t = from_wire(wire)?;
        self.map.insert(id, t);
        Ok(())
    }
}

/// The field of struct value `v` with field number `n`, if sent.
pub fn field(v: &Node, n: usize) -> Option<&Node> {
    match &v.value {
        Value::Struct(fields) => {
            fields.iter().find(|f| f.number == n).map(|f| &f.node)
        }
        _ => None,
    }
}

fn text(v: Option<&Node>) -> String {
    match v.map(|n| &n.value) {
        Some(Value::Bytes(b)) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    }
}

fn num(v: Option<&Node>) -> i64 {
    match v.map(|n| &n.value) {
        Some(Value::Int(i)) => *i,
        _ => 0,
    }
}

/// Turn a `wireType` value into a [`Type`]. Exactly one of its
/// fields says which kind of type it is; the kind's first field is
/// always the `CommonType` with the name.
fn from_wire(wire: &Node) -> Result<Type, GobError> {
    let Value::Struct(kinds) = &wire.value else {
        return Err(GobError::BadDefinition("not a wireType"));
    };
    let [kind] = kinds.as_slice() else {
        return Err(GobError::BadDefinition("not exactly one kind of type"));
    };
    let body = &kind.node;
    let name = text(field(body, 0).and_then(|c| field(c, 0)));
    Ok(match kind.number {
        0 => Type::Array {
            name,
            elem: num(field(body, 1)),
            len: u64::try_from(num(field(body, 2))).unwrap_or(0),
        },
        1 => Type::Slice {
            name,
            elem: num(field(body, 1)),
        },
        2 => {
            let mut fields = Vec::new();
            if let Some(Value::List(list)) = field(body, 1).map(|f| &f.value) {
                for f in list {
                    fields.push(Field {
                        name: text(field(f, 0)),
                        id: num(field(f, 1)),
                    });
                }
            }
            Type::Struct { name, fields }
        }
        3 => Type::Map {
            name,
            key: num(field(body, 1)),
            elem: num(field(body, 2)),
        },
        _ => Type::Opaque { name },
    })
}
