//! `--dump` for gob: every message taken apart, one part a line, the
//! bytes on the left and what they mean on the right (type
//! definitions, type ids, field deltas, values).

use super::types::{STRING, Type, TypeId, Types, WIRE_TYPE};
use super::value::{Node, Value, decode, decode_top};
use super::wire::Cursor;
use std::fmt::Write;

/// Bytes shown on one line, and where the explanation starts.
const PER_LINE: usize = 8;
const TEXT_AT: usize = 3 * PER_LINE + 1;
/// Lines stay within 80 columns; longer text is cut with `...`.
const WIDTH: usize = 80;

/// Follows one direction of a connection, learning its types as
/// their definitions go by, so later values can be named.
#[derive(Debug, Default)]
pub struct Annotator {
    types: Types,
}

impl Annotator {
    /// Explain `bytes`, one or more whole messages.
    pub fn explain(&mut self, bytes: &[u8]) -> String {
        let mut out = Out(String::new());
        let mut c = Cursor::new(bytes);
        while c.left() > 0 {
            let at = c.pos();
            let Ok(len) = c.uint() else {
                out.rest(bytes, at, "not a gob message length");
                break;
            };
            let Ok(body) = c.take(len) else {
                out.rest(bytes, at, "a message cut short");
                break;
            };
            out.line(
                bytes.get(at..c.pos() - body.len()).unwrap_or(&[]),
                0,
                &format!("message: {len} bytes"),
            );
            self.message(&mut out, body);
        }
        out.0
    }

    fn message(&mut self, out: &mut Out, body: &[u8]) {
        let mut c = Cursor::new(body);
        let Ok(id) = c.int() else {
            return out.rest(body, 0, "no type id");
        };
        let id_bytes = body.get(..c.pos()).unwrap_or(&[]);
        let defines = id.checked_neg().filter(|&d| d > 0);
        let decoded = match defines {
            Some(def) => {
                let what = format!("type {id}: defines type {def}");
                out.line(id_bytes, 0, &what);
                decode(&self.types, WIRE_TYPE, &mut c, 0)
            }
            None => {
                let name = self.types.name(id);
                let what = format!("type {id}: a value of type {name}");
                out.line(id_bytes, 0, &what);
                let struct_type =
                    matches!(self.types.get(id), Ok(Type::Struct { .. }));
                if !struct_type && body.get(c.pos()) == Some(&0) {
                    out.line(&[0], 1, "not a struct: 0, then the value");
                }
                decode_top(&self.types, id, &mut c)
            }
        };
        let node = match decoded {
            Ok(node) => node,
            Err(e) => return out.rest(body, c.pos(), &e.to_string()),
        };
        let tid = if defines.is_some() { WIRE_TYPE } else { id };
        self.node(out, body, tid, &node, node.start, 1, "");
        if let Some(def) = defines
            && let Err(e) = self.types.define(def, &node)
        {
            out.line(&[], 1, &e.to_string());
        }
        if c.left() > 0 {
            out.rest(body, c.pos(), "left over after the value");
        }
    }

    /// One value: `from..node.start` are the bytes before it (its
    /// field delta), `label` says which field it is.
    #[allow(clippy::too_many_arguments)]
    fn node(
        &self,
        out: &mut Out,
        body: &[u8],
        id: TypeId,
        node: &Node,
        from: usize,
        depth: usize,
        label: &str,
    ) {
        let bytes = |a: usize, b: usize| body.get(a..b).unwrap_or(&[]);
        match (&node.value, self.types.get(id)) {
            (
                Value::Struct(fields),
                Ok(Type::Struct { name, fields: defs }),
            ) => {
                if !label.is_empty() {
                    out.line(
                        bytes(from, node.start),
                        depth,
                        &format!("{label}:"),
                    );
                }
                let inner = depth + usize::from(!label.is_empty());
                for f in fields {
                    let def = defs.get(f.number);
                    let fname = def.map_or("?", |d| d.name.as_str());
                    let d = bytes(f.delta_at, f.node.start);
                    let step = Cursor::new(d).uint().unwrap_or(0);
                    let l = format!("+{step} {fname}");
                    let fid = def.map_or(0, |d| d.id);
                    self.node(out, body, fid, &f.node, f.delta_at, inner, &l);
                }
                let mut end = if name.is_empty() { "struct {}" } else { name }
                    .to_string();
                // Zero fields of the sender's own types are left out:
                // say which (gob's own types have too many to list).
                let unsent: Vec<&str> = defs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !fields.iter().any(|f| f.number == *i))
                    .map(|(_, d)| d.name.as_str())
                    .collect();
                if id >= 64 && !unsent.is_empty() {
                    end =
                        format!("{end}; zero, not sent: {}", unsent.join(", "));
                }
                out.line(
                    bytes(node.end.saturating_sub(1), node.end),
                    inner,
                    &format!("end of {end}"),
                );
            }
            (Value::List(items), Ok(t)) => {
                let elem = match t {
                    Type::Slice { elem, .. } | Type::Array { elem, .. } => {
                        *elem
                    }
                    _ => 0,
                };
                let first = items.first().map_or(node.end, |i| i.start);
                let n = items.len();
                out.line(
                    bytes(from, first),
                    depth,
                    &format!("{label}: {n} elements"),
                );
                for (i, item) in items.iter().enumerate() {
                    let l = format!("[{i}]");
                    self.node(out, body, elem, item, item.start, depth + 1, &l);
                }
            }
            (Value::Map(pairs), Ok(Type::Map { key, elem, .. })) => {
                let first = pairs.first().map_or(node.end, |p| p.0.start);
                let n = pairs.len();
                out.line(
                    bytes(from, first),
                    depth,
                    &format!("{label}: {n} pairs"),
                );
                for (k, v) in pairs {
                    self.node(out, body, *key, k, k.start, depth + 1, "key");
                    self.node(out, body, *elem, v, v.start, depth + 1, "value");
                }
            }
            (v, _) => {
                let shown = self.leaf(id, v, label);
                let sep = if label.is_empty() { "" } else { ": " };
                out.line(
                    bytes(from, node.end),
                    depth,
                    &format!("{label}{sep}{shown}"),
                );
            }
        }
    }

    fn leaf(&self, id: TypeId, v: &Value, label: &str) -> String {
        match v {
            Value::Bool(b) => b.to_string(),
            Value::Uint(u) => u.to_string(),
            Value::Float(f) => f.to_string(),
            // A type id inside a type definition: name it.
            Value::Int(i)
                if is_type_id(label) && self.types.get(*i).is_ok() =>
            {
                format!("{i} ({})", self.types.name(*i))
            }
            Value::Int(i) => i.to_string(),
            Value::Bytes(b) if id == STRING => {
                format!("{:?}", String::from_utf8_lossy(b))
            }
            Value::Bytes(b) => format!("{} bytes", b.len()),
            _ => String::new(),
        }
    }
}

/// Fields of gob's own types that hold a type id.
fn is_type_id(label: &str) -> bool {
    ["Id", "Elem", "Key"]
        .iter()
        .any(|f| label.ends_with(&format!(" {f}")))
}

struct Out(String);

impl Out {
    /// Bytes on the left, 8 a line; `text` beside the first line.
    fn line(&mut self, bytes: &[u8], depth: usize, text: &str) {
        let mut rows = bytes.chunks(PER_LINE);
        let first = rows.next().unwrap_or(&[]);
        let text = fit(&format!("{}{text}", "  ".repeat(depth)));
        let _ = writeln!(self.0, "{:<w$}{text}", hex(first), w = TEXT_AT);
        for row in rows {
            let _ = writeln!(self.0, "{}", hex(row));
        }
    }

    /// What could not be explained, shown as bytes.
    fn rest(&mut self, bytes: &[u8], from: usize, why: &str) {
        self.line(bytes.get(from..).unwrap_or(&[]), 0, &format!("?? {why}"));
    }
}

fn hex(bytes: &[u8]) -> String {
    let parts: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    parts.join(" ")
}

/// `s` cut to the room right of the bytes, at a character boundary.
fn fit(s: &str) -> String {
    let room = WIDTH - TEXT_AT;
    if s.chars().count() <= room {
        return s.to_string();
    }
    let kept: String = s.chars().take(room - 3).collect();
    format!("{kept}...")
}
