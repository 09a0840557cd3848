//! The hand-made frame format: every byte of a call and its reply is
//! one a learner can point at (`rpc-server --frames`, `rpc-client
//! --frames`). Byte by byte, all integers big-endian ("network
//! order"):
//!
//! ```text
//! frame = length:u32 body         length: bytes in body, <= MAX_FRAME
//! body  = call | reply | error
//! call  = 0x01 id:u32 name_len:u16 name:[u8; name_len] args
//! reply = 0x02 id:u32 result:i64
//! error = 0x03 id:u32 msg_len:u16 msg:[u8; msg_len]
//! args  = a1:u64 a2:u64 s1:u8 s2:u8    (MyInts; s1, s2 are 0 or 1)
//! ```
//!
//! The decoders take bytes that came from a stranger. They never
//! index or slice without checking: every read goes through the
//! `try_get_*` methods of [`bytes::Buf`], which return an error
//! instead of panicking when the input is short, so that no byte
//! sequence can crash a server thread.

mod errors;
mod read;

pub use errors::{DecodeError, EncodeError, FrameError};
pub use read::read_frame;

use crate::MyInts;
use bytes::{Buf, BufMut, Bytes, BytesMut};

// ANCHOR: limits
/// Bytes in the length prefix that starts every frame.
pub const LEN_PREFIX: usize = 4;

/// The largest frame body either side accepts: 64 KiB, far above the
/// 50 bytes a call of this example takes. The length prefix is
/// checked against it BEFORE any buffer exists, so a peer that
/// announces 4 GiB costs us four bytes of reading.
pub const MAX_FRAME: usize = 64 * 1024;

/// Error messages longer than this are cut (at a character boundary)
/// when encoded, so an error reply always fits its u16 length field.
pub const MAX_ERROR_LEN: usize = 1024;
// ANCHOR_END: limits

/// The kind byte that follows the length prefix.
pub const KIND_CALL: u8 = 0x01;
pub const KIND_REPLY: u8 = 0x02;
pub const KIND_ERROR: u8 = 0x03;

/// Bytes of `MyInts` in a call: two u64 and two flag bytes.
pub const ARGS_LEN: usize = 8 + 8 + 1 + 1;

/// A call as it travels from client to server. The arguments stay
/// raw bytes here: the server decodes them only once it knows which
/// method they are for, as `net/rpc` decodes into the method's own
/// argument type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    pub id: u32,
    pub method: String,
    pub args: Bytes,
}

/// A reply: the id of the call it answers, and either the method's
/// result or an error message (Go's `Response.Error` string).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub id: u32,
    pub result: Result<i64, String>,
}

impl Call {
    /// A call of `method` with `MyInts` arguments.
    pub fn new(id: u32, method: &str, args: &MyInts) -> Call {
        Call {
            id,
            method: method.to_string(),
            args: encode_args(args),
        }
    }

    // ANCHOR: encode_call
    /// The whole frame: length prefix, kind, id, name, arguments.
    pub fn encode(&self) -> Result<Bytes, EncodeError> {
        let name = self.method.as_bytes();
        let name_len = u16::try_from(name.len())
            .map_err(|_| EncodeError::NameTooLong(name.len()))?;
        // The body first; its length is then known, not counted.
        let mut body = BytesMut::new();
        body.put_u8(KIND_CALL);
        body.put_u32(self.id);
        body.put_u16(name_len);
        body.put_slice(name);
        body.put_slice(&self.args);
        framed(&body).ok_or(EncodeError::TooLarge(body.len()))
    }
    // ANCHOR_END: encode_call
}

impl Reply {
    /// The whole frame. Never fails: an over-long error message is
    /// cut to [`MAX_ERROR_LEN`] bytes, so the body stays small.
    pub fn encode(&self) -> Bytes {
        let mut body = BytesMut::new();
        match &self.result {
            Ok(value) => {
                body.put_u8(KIND_REPLY);
                body.put_u32(self.id);
                body.put_i64(*value);
            }
            Err(msg) => {
                let msg = cut(msg, MAX_ERROR_LEN);
                body.put_u8(KIND_ERROR);
                body.put_u32(self.id);
                // cut() keeps it under MAX_ERROR_LEN, far below u16::MAX.
                body.put_u16(msg.len() as u16);
                body.put_slice(msg.as_bytes());
            }
        }
        framed(&body).unwrap_or_default()
    }
}

impl Reply {
    /// The frame of an error reply to call `id`.
    pub fn answer(id: u32, why: &str) -> Bytes {
        let result = Err(why.to_string());
        Reply { id, result }.encode()
    }
}

/// `body` behind its length prefix, or None if it is over
/// [`MAX_FRAME`] (which also makes the `as u32` below exact).
fn framed(body: &[u8]) -> Option<Bytes> {
    if body.len() > MAX_FRAME {
        return None;
    }
    let mut frame = BytesMut::with_capacity(LEN_PREFIX + body.len());
    frame.put_u32(body.len() as u32);
    frame.put_slice(body);
    Some(frame.freeze())
}

/// The longest prefix of `s` of at most `max` bytes that ends on a
/// character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let end = (0..=max)
        .rev()
        .find(|&i| s.is_char_boundary(i))
        .unwrap_or(0);
    s.get(..end).unwrap_or("")
}

/// The 18 argument bytes of `args`.
pub fn encode_args(args: &MyInts) -> Bytes {
    let mut buf = BytesMut::with_capacity(ARGS_LEN);
    buf.put_u64(args.a1);
    buf.put_u64(args.a2);
    buf.put_u8(u8::from(args.s1));
    buf.put_u8(u8::from(args.s2));
    buf.freeze()
}

/// Read arguments from exactly 18 bytes. Anything else (too short,
/// too long, a sign byte other than 0 or 1) is an error, never a
/// panic and never a guess.
pub fn decode_args(mut b: &[u8]) -> Result<MyInts, DecodeError> {
    if b.len() != ARGS_LEN {
        return Err(DecodeError::ArgsLength { got: b.len() });
    }
    let a1 = b.try_get_u64().map_err(short("A1"))?;
    let a2 = b.try_get_u64().map_err(short("A2"))?;
    let s1 = flag(b.try_get_u8().map_err(short("S1"))?, "S1")?;
    let s2 = flag(b.try_get_u8().map_err(short("S2"))?, "S2")?;
    Ok(MyInts { a1, a2, s1, s2 })
}

fn flag(byte: u8, field: &'static str) -> Result<bool, DecodeError> {
    match byte {
        0 => Ok(false),
        1 => Ok(true),
        value => Err(DecodeError::BadFlag { field, value }),
    }
}

// ANCHOR: decode_call
/// Decode a call from a frame body (the bytes after the length).
pub fn decode_call(mut b: &[u8]) -> Result<Call, DecodeError> {
    let kind = b.try_get_u8().map_err(short("kind byte"))?;
    if kind != KIND_CALL {
        let want = "a call";
        return Err(DecodeError::WrongKind { want, got: kind });
    }
    let id = b.try_get_u32().map_err(short("call id"))?;
    let len = b.try_get_u16().map_err(short("name length"))?;
    let len = usize::from(len);
    // `get` returns None instead of panicking when the frame is
    // shorter than the name it announces.
    let name = b.get(..len).ok_or(DecodeError::Short {
        what: "method name",
        needed: len,
        available: b.len(),
    })?;
    let method = std::str::from_utf8(name)
        .map_err(|_| DecodeError::NameNotUtf8)?
        .to_string();
    b.advance(len);
    // Whatever is left is the arguments; the method checks them.
    let args = Bytes::copy_from_slice(b);
    Ok(Call { id, method, args })
}
// ANCHOR_END: decode_call

/// Decode a reply (or an error reply) from a frame body.
pub fn decode_reply(mut b: &[u8]) -> Result<Reply, DecodeError> {
    let kind = b.try_get_u8().map_err(short("kind byte"))?;
    if kind != KIND_REPLY && kind != KIND_ERROR {
        let want = "a reply";
        return Err(DecodeError::WrongKind { want, got: kind });
    }
    let id = b.try_get_u32().map_err(short("call id"))?;
    let result = if kind == KIND_REPLY {
        Ok(b.try_get_i64().map_err(short("result"))?)
    } else {
        let len = b.try_get_u16().map_err(short("message length"))?;
        let len = usize::from(len);
        let msg = b.get(..len).ok_or(DecodeError::Short {
            what: "error message",
            needed: len,
            available: b.len(),
        })?;
        // A message is for a human: show bad bytes as U+FFFD rather
        // than refusing the whole reply.
        let msg = String::from_utf8_lossy(msg).into_owned();
        b.advance(len);
        Err(msg)
    };
    if !b.is_empty() {
        return Err(DecodeError::Trailing { extra: b.len() });
    }
    Ok(Reply { id, result })
}

/// The call id of a frame body whose kind byte and id are readable,
/// even when the rest is not: an error reply can then name the call
/// it answers.
pub fn peek_id(mut b: &[u8]) -> Option<u32> {
    b.try_get_u8().ok()?;
    b.try_get_u32().ok()
}

fn short(what: &'static str) -> impl Fn(bytes::TryGetError) -> DecodeError {
    move |e| DecodeError::Short {
        what,
        needed: e.requested,
        available: e.available,
    }
}

#[cfg(test)]
mod tests;
