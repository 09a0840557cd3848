//! What both ends of the RPC example share: Tsoukalos's `sharedRPC`
//! package (Mastering Go, "Remote procedure call (RPC)"), plus the
//! wire format that carries a call and its reply over TCP.
//!
//! In Go the two programs import `sharedRPC` for the `MyInts` type and
//! let `net/rpc` pick the bytes (it uses `encoding/gob`). Here this
//! crate holds the type, the method names, and a small hand-made
//! format, so that every byte on the wire is one a learner can point
//! at. The format, byte by byte (all integers big-endian, "network
//! order"):
//!
//! ```text
//! frame  = length:u32  body              length = bytes in body, at most MAX_FRAME
//! body   = call | reply | error
//! call   = 0x01 id:u32 name_len:u16 name:[u8; name_len] args
//! reply  = 0x02 id:u32 result:i64
//! error  = 0x03 id:u32 msg_len:u16 msg:[u8; msg_len]
//! args   = a1:u64 a2:u64 s1:u8 s2:u8   (MyInts, 18 bytes; s1/s2 are 0 or 1)
//! ```
//!
//! The decoders take bytes that came from a stranger. They never
//! index or slice without checking: every read goes through the
//! `try_get_*` methods of [`bytes::Buf`], which return an error
//! instead of panicking when the input is short, so that no byte
//! sequence can crash a server thread.

pub mod cli;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use std::fmt;
use std::io::{self, Read};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

// ANCHOR: shared
/// The arguments of every method: two magnitudes and their signs.
///
/// Go's `sharedRPC.MyInts` has fields `A1, A2 uint` and `S1, S2 bool`.
/// Rust spells fields in snake case, and Go's `uint` is 64 bits on
/// the machines the book uses, hence `u64`. A sign flag that is
/// `true` means "this number is negative".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MyInts {
    pub a1: u64,
    pub a2: u64,
    pub s1: bool,
    pub s2: bool,
}

/// The methods the server registers. `net/rpc` names a method
/// "Type.Method"; the client must spell it the same way.
pub const ADD: &str = "MyInterface.Add";
pub const SUBTRACT: &str = "MyInterface.Subtract";

/// The book's port (`PORT := ":1234"` in RPCserver.go).
pub const DEFAULT_PORT: u16 = 1234;
// ANCHOR_END: shared

impl MyInts {
    /// The arguments RPCclient.go sends: -17 and +18.
    pub const BOOK: MyInts = MyInts {
        a1: 17,
        a2: 18,
        s1: true,
        s2: false,
    };

    /// Size of the arguments on the wire: two u64 and two bool bytes.
    pub const WIRE_LEN: usize = 8 + 8 + 1 + 1;

    // ANCHOR: signed
    /// The two numbers with their signs applied, as RPCserver.go's
    /// `s1*int(arguments.A1)` and `s2*int(arguments.A2)`.
    ///
    /// Go converts the `uint` to `int` first, which silently wraps
    /// for values above 2^63 - 1. `i128` holds every signed u64
    /// exactly, so here nothing wraps: the method checks that its
    /// result fits in an i64 instead.
    pub fn signed(&self) -> (i128, i128) {
        let sign = |negative: bool| if negative { -1 } else { 1 };
        (
            sign(self.s1) * i128::from(self.a1),
            sign(self.s2) * i128::from(self.a2),
        )
    }
    // ANCHOR_END: signed

    /// Append the 18 argument bytes to `buf`.
    pub fn encode_to(&self, buf: &mut BytesMut) {
        buf.put_u64(self.a1);
        buf.put_u64(self.a2);
        buf.put_u8(u8::from(self.s1));
        buf.put_u8(u8::from(self.s2));
    }

    /// The 18 argument bytes on their own.
    pub fn encode(&self) -> Bytes {
        let mut buf = BytesMut::with_capacity(Self::WIRE_LEN);
        self.encode_to(&mut buf);
        buf.freeze()
    }

    /// Read arguments from exactly 18 bytes. Anything else (too
    /// short, too long, a sign byte other than 0 or 1) is an error,
    /// never a panic and never a guess.
    pub fn decode(mut b: &[u8]) -> Result<MyInts, DecodeError> {
        if b.len() != Self::WIRE_LEN {
            return Err(DecodeError::ArgsLength { got: b.len() });
        }
        let a1 = b.try_get_u64().map_err(short("A1"))?;
        let a2 = b.try_get_u64().map_err(short("A2"))?;
        let s1 = flag(b.try_get_u8().map_err(short("S1"))?, "S1")?;
        let s2 = flag(b.try_get_u8().map_err(short("S2"))?, "S2")?;
        Ok(MyInts { a1, a2, s1, s2 })
    }
}

fn flag(byte: u8, field: &'static str) -> Result<bool, DecodeError> {
    match byte {
        0 => Ok(false),
        1 => Ok(true),
        value => Err(DecodeError::BadFlag { field, value }),
    }
}

// ANCHOR: limits
/// Bytes in the length prefix that starts every frame.
pub const LEN_PREFIX: usize = 4;

/// The largest frame body either side accepts: 1 MiB. The length
/// prefix is checked against this BEFORE any buffer is allocated, so
/// a peer that announces 4 GiB costs us four bytes of reading.
pub const MAX_FRAME: usize = 1024 * 1024;

/// Error messages longer than this are cut (at a character boundary)
/// when encoded, so an error reply always fits its u16 length field.
pub const MAX_ERROR_LEN: usize = 1024;

/// The kind byte that follows the length prefix.
pub const KIND_CALL: u8 = 0x01;
pub const KIND_REPLY: u8 = 0x02;
pub const KIND_ERROR: u8 = 0x03;
// ANCHOR_END: limits

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
            args: args.encode(),
        }
    }

    // ANCHOR: encode_call
    /// The whole frame: length prefix, kind, id, name, arguments.
    pub fn encode(&self) -> Result<Bytes, EncodeError> {
        let name = self.method.as_bytes();
        let name_len = u16::try_from(name.len())
            .map_err(|_| EncodeError::NameTooLong(name.len()))?;
        let body_len = 1 + 4 + 2 + name.len() + self.args.len();
        if body_len > MAX_FRAME {
            return Err(EncodeError::TooLarge(body_len));
        }
        let mut buf = BytesMut::with_capacity(LEN_PREFIX + body_len);
        // body_len <= MAX_FRAME (1 MiB), so it always fits in a u32.
        buf.put_u32(body_len as u32);
        buf.put_u8(KIND_CALL);
        buf.put_u32(self.id);
        buf.put_u16(name_len);
        buf.put_slice(name);
        buf.put_slice(&self.args);
        Ok(buf.freeze())
    }
    // ANCHOR_END: encode_call
}

impl Reply {
    /// The whole frame. Never fails: an over-long error message is
    /// cut to [`MAX_ERROR_LEN`] bytes.
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
        let mut frame = BytesMut::with_capacity(LEN_PREFIX + body.len());
        frame.put_u32(body.len() as u32);
        frame.put_slice(&body);
        frame.freeze()
    }
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

// ANCHOR: decode_call
/// Decode a call from a frame body (the bytes after the length).
pub fn decode_call(mut b: &[u8]) -> Result<Call, DecodeError> {
    let kind = b.try_get_u8().map_err(short("kind byte"))?;
    if kind != KIND_CALL {
        return Err(DecodeError::WrongKind {
            want: "a call",
            got: kind,
        });
    }
    let id = b.try_get_u32().map_err(short("call id"))?;
    let name_len = usize::from(b.try_get_u16().map_err(short("name length"))?);
    // `get` returns None instead of panicking when the frame is
    // shorter than the name it announces.
    let name = b.get(..name_len).ok_or(DecodeError::Short {
        what: "method name",
        needed: name_len,
        available: b.len(),
    })?;
    let method = std::str::from_utf8(name)
        .map_err(|_| DecodeError::NameNotUtf8)?
        .to_string();
    b.advance(name_len);
    // Whatever is left is the arguments; the method checks them.
    let args = Bytes::copy_from_slice(b);
    Ok(Call { id, method, args })
}
// ANCHOR_END: decode_call

/// Decode a reply (or an error reply) from a frame body.
pub fn decode_reply(mut b: &[u8]) -> Result<Reply, DecodeError> {
    let kind = b.try_get_u8().map_err(short("kind byte"))?;
    let id = match kind {
        KIND_REPLY | KIND_ERROR => b.try_get_u32().map_err(short("call id"))?,
        got => {
            return Err(DecodeError::WrongKind {
                want: "a reply",
                got,
            });
        }
    };
    let result = if kind == KIND_REPLY {
        Ok(b.try_get_i64().map_err(short("result"))?)
    } else {
        let len =
            usize::from(b.try_get_u16().map_err(short("message length"))?);
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

// ANCHOR: read_frame
/// Read one frame from `r` and return its body.
///
/// `Ok(None)` means the peer closed the connection cleanly between
/// frames. The length is checked against [`MAX_FRAME`] before the
/// body's buffer exists.
pub fn read_frame(r: &mut impl Read) -> Result<Option<Bytes>, FrameError> {
    let mut prefix = [0u8; LEN_PREFIX];
    let got = read_full(r, &mut prefix)?;
    if got == 0 {
        return Ok(None);
    }
    if got < LEN_PREFIX {
        return Err(FrameError::ClosedMidFrame);
    }
    let len = u32::from_be_bytes(prefix) as usize;
    if len > MAX_FRAME {
        return Err(FrameError::TooLarge(len));
    }
    let mut body = vec![0u8; len];
    if read_full(r, &mut body)? < len {
        return Err(FrameError::ClosedMidFrame);
    }
    Ok(Some(Bytes::from(body)))
}
// ANCHOR_END: read_frame

/// Like `read_exact`, but tells how many bytes came before EOF
/// instead of losing that in an `UnexpectedEof` error.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> Result<usize, FrameError> {
    let mut filled = 0;
    while let Some(rest) = buf.get_mut(filled..) {
        if rest.is_empty() {
            break;
        }
        match r.read(rest) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(FrameError::Io(e)),
        }
    }
    Ok(filled)
}

/// Why a frame's body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The body ended before a field did.
    Short {
        what: &'static str,
        needed: usize,
        available: usize,
    },
    /// The kind byte was not the one expected here.
    WrongKind { want: &'static str, got: u8 },
    /// The method name is not UTF-8.
    NameNotUtf8,
    /// Bytes left over after a complete reply.
    Trailing { extra: usize },
    /// Arguments that are not exactly 18 bytes.
    ArgsLength { got: usize },
    /// A sign byte other than 0 or 1.
    BadFlag { field: &'static str, value: u8 },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Short {
                what,
                needed,
                available,
            } => write!(
                f,
                "frame too short for the {what} (needs {needed} bytes, {available} left)"
            ),
            DecodeError::WrongKind { want, got } => {
                write!(f, "expected {want}, got kind byte 0x{got:02x}")
            }
            DecodeError::NameNotUtf8 => write!(f, "method name is not UTF-8"),
            DecodeError::Trailing { extra } => {
                write!(f, "{extra} unexpected bytes after the reply")
            }
            DecodeError::ArgsLength { got } => write!(
                f,
                "arguments are {got} bytes, MyInts takes {}",
                MyInts::WIRE_LEN
            ),
            DecodeError::BadFlag { field, value } => {
                write!(f, "sign flag {field} is {value}, must be 0 or 1")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a frame could not be read off the connection.
#[derive(Debug)]
pub enum FrameError {
    /// The announced length is over [`MAX_FRAME`]; nothing allocated.
    TooLarge(usize),
    /// The peer closed the connection in the middle of a frame.
    ClosedMidFrame,
    /// The read itself failed (reset, timeout, ...).
    Io(io::Error),
}

impl FrameError {
    /// Did a read time out (a socket read timeout or deadline)?
    pub fn is_timeout(&self) -> bool {
        matches!(self, FrameError::Io(e)
            if matches!(e.kind(), io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut))
    }
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge(n) => {
                write!(
                    f,
                    "frame of {n} bytes is over the {MAX_FRAME}-byte limit"
                )
            }
            FrameError::ClosedMidFrame => {
                write!(f, "connection closed in the middle of a frame")
            }
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Why a call could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A method name longer than its u16 length field can say.
    NameTooLong(usize),
    /// A body over [`MAX_FRAME`].
    TooLarge(usize),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::NameTooLong(n) => {
                write!(
                    f,
                    "method name of {n} bytes is over the 65535-byte limit"
                )
            }
            EncodeError::TooLarge(n) => {
                write!(
                    f,
                    "call of {n} bytes is over the {MAX_FRAME}-byte limit"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}

/// Bytes laid out as `hexdump -C` prints them: offset, 16 bytes in
/// two groups of 8, and the printable ASCII between bars.
pub fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (row, chunk) in bytes.chunks(16).enumerate() {
        let mut hex = String::new();
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                hex.push(' ');
            }
            hex.push_str(&format!("{b:02x} "));
        }
        let text: String = chunk
            .iter()
            .map(|&b| {
                if b == b' ' || b.is_ascii_graphic() {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        out.push_str(&format!("{:08x}  {hex:<49} |{text}|\n", row * 16));
    }
    out
}

/// The server's address from its optional argument: nothing (the
/// book's port on loopback), a bare port (`1234`, loopback), or a
/// full address (`0.0.0.0:1234`, `[::]:1234`).
pub fn listen_addr(arg: Option<&str>) -> Result<SocketAddr, String> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let Some(arg) = arg else {
        return Ok(SocketAddr::new(loopback, DEFAULT_PORT));
    };
    if let Ok(port) = arg.parse::<u16>() {
        return Ok(SocketAddr::new(loopback, port));
    }
    arg.parse::<SocketAddr>().map_err(|_| {
        format!(
            "invalid port or address {arg:?}: give a port like 1234 \
             or an address like 0.0.0.0:1234"
        )
    })
}

/// Parse `A1,A2,S1,S2` (e.g. `17,18,true,false`) into [`MyInts`].
pub fn parse_my_ints(s: &str) -> Result<MyInts, String> {
    let bad =
        || format!("--args wants A1,A2,S1,S2 like 17,18,true,false, got {s:?}");
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [a1, a2, s1, s2] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |x: &str| x.parse::<u64>().map_err(|_| bad());
    let sign = |x: &str| x.parse::<bool>().map_err(|_| bad());
    Ok(MyInts {
        a1: num(a1)?,
        a2: num(a2)?,
        s1: sign(s1)?,
        s2: sign(s2)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        s.split_whitespace()
            .map(|h| u8::from_str_radix(h, 16).unwrap())
            .collect()
    }

    // The bytes below are written out by hand from the format in the
    // module documentation; they are the ones the page explains.
    #[test]
    fn the_books_add_call_byte_by_byte() {
        let frame = Call::new(1, ADD, &MyInts::BOOK).encode().unwrap();
        let want = hex("00 00 00 28  01  00 00 00 01  00 0f \
             4d 79 49 6e 74 65 72 66 61 63 65 2e 41 64 64 \
             00 00 00 00 00 00 00 11  00 00 00 00 00 00 00 12  01  00");
        assert_eq!(frame.as_ref(), want.as_slice());
    }

    #[test]
    fn replies_byte_by_byte() {
        let ok = Reply {
            id: 1,
            result: Ok(1),
        }
        .encode();
        assert_eq!(
            ok.as_ref(),
            hex("00 00 00 0d 02 00 00 00 01 00 00 00 00 00 00 00 01")
                .as_slice()
        );
        let minus = Reply {
            id: 2,
            result: Ok(-35),
        }
        .encode();
        assert_eq!(
            minus.as_ref(),
            hex("00 00 00 0d 02 00 00 00 02 ff ff ff ff ff ff ff dd")
                .as_slice()
        );
        let err = Reply {
            id: 7,
            result: Err("no".into()),
        }
        .encode();
        assert_eq!(
            err.as_ref(),
            hex("00 00 00 09 03 00 00 00 07 00 02 6e 6f").as_slice()
        );
    }

    #[test]
    fn signs_as_the_book_applies_them() {
        // -17 + 18 = 1 and -17 - 18 = -35, the book's two replies.
        assert_eq!(MyInts::BOOK.signed(), (-17, 18));
        let big = MyInts {
            a1: u64::MAX,
            a2: 0,
            s1: true,
            s2: true,
        };
        assert_eq!(big.signed(), (-18446744073709551615, 0));
    }

    #[test]
    fn calls_round_trip() {
        let call = Call::new(42, SUBTRACT, &MyInts::BOOK);
        let frame = call.encode().unwrap();
        let body = read_frame(&mut frame.as_ref()).unwrap().unwrap();
        assert_eq!(decode_call(&body).unwrap(), call);
        assert_eq!(MyInts::decode(&call.args).unwrap(), MyInts::BOOK);
    }

    #[test]
    fn bad_bodies_are_errors_with_reasons() {
        let e = |b: &[u8]| decode_call(b).unwrap_err().to_string();
        assert_eq!(
            e(&[]),
            "frame too short for the kind byte (needs 1 bytes, 0 left)"
        );
        assert_eq!(e(&[2]), "expected a call, got kind byte 0x02");
        assert_eq!(
            e(&[1, 0, 0]),
            "frame too short for the call id (needs 4 bytes, 2 left)"
        );
        assert_eq!(
            e(&[1, 0, 0, 0, 1, 0, 9, b'a']),
            "frame too short for the method name (needs 9 bytes, 1 left)"
        );
        assert_eq!(e(&[1, 0, 0, 0, 1, 0, 1, 0xff]), "method name is not UTF-8");
        assert_eq!(
            MyInts::decode(&[0; 3]).unwrap_err().to_string(),
            "arguments are 3 bytes, MyInts takes 18"
        );
        let mut args = MyInts::BOOK.encode().to_vec();
        args[17] = 7;
        assert_eq!(
            MyInts::decode(&args).unwrap_err().to_string(),
            "sign flag S2 is 7, must be 0 or 1"
        );
        assert_eq!(
            decode_reply(&hex("02 00 00 00 01 00 00 00 00 00 00 00 01 00"))
                .unwrap_err()
                .to_string(),
            "1 unexpected bytes after the reply"
        );
    }

    /// A reader that fails the test if anyone reads past the prefix.
    struct OnlyPrefix<'a>(&'a [u8]);
    impl Read for OnlyPrefix<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            assert!(!self.0.is_empty(), "read past the length prefix");
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn an_oversized_frame_is_refused_after_four_bytes() {
        let mut r = OnlyPrefix(&[0xff, 0xff, 0xff, 0xff]);
        match read_frame(&mut r) {
            Err(FrameError::TooLarge(n)) => assert_eq!(n, 0xffff_ffff),
            other => panic!("expected TooLarge, got {other:?}"),
        }
        // One byte over the limit is refused, the limit itself is not.
        let over = ((MAX_FRAME + 1) as u32).to_be_bytes();
        assert!(matches!(
            read_frame(&mut OnlyPrefix(&over)),
            Err(FrameError::TooLarge(_))
        ));
        let mut at = (MAX_FRAME as u32).to_be_bytes().to_vec();
        at.resize(LEN_PREFIX + MAX_FRAME, 0);
        assert_eq!(
            read_frame(&mut at.as_slice()).unwrap().unwrap().len(),
            MAX_FRAME
        );
    }

    #[test]
    fn eof_between_and_inside_frames() {
        assert!(read_frame(&mut &[][..]).unwrap().is_none());
        assert!(matches!(
            read_frame(&mut &[0, 0][..]),
            Err(FrameError::ClosedMidFrame)
        ));
        assert!(matches!(
            read_frame(&mut &[0, 0, 0, 5, 1][..]),
            Err(FrameError::ClosedMidFrame)
        ));
    }

    #[test]
    fn long_error_messages_are_cut_on_a_char_boundary() {
        let msg = "é".repeat(MAX_ERROR_LEN); // 2 bytes each
        let frame = Reply {
            id: 1,
            result: Err(msg),
        }
        .encode();
        let reply = decode_reply(&frame[LEN_PREFIX..]).unwrap();
        let got = reply.result.unwrap_err();
        assert_eq!(got.len(), MAX_ERROR_LEN);
        assert!(got.chars().all(|c| c == 'é'));
    }

    #[test]
    fn names_too_long_for_the_format() {
        let call = Call {
            id: 1,
            method: "x".repeat(70_000),
            args: Bytes::new(),
        };
        assert_eq!(call.encode(), Err(EncodeError::NameTooLong(70_000)));
        let call = Call {
            id: 1,
            method: "x".into(),
            args: Bytes::from(vec![0; MAX_FRAME]),
        };
        assert!(matches!(call.encode(), Err(EncodeError::TooLarge(_))));
    }

    #[test]
    fn hexdump_has_the_layout_of_hexdump_c() {
        let d = hexdump(b"0123456789abcdefXY\n");
        assert_eq!(
            d,
            "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  |0123456789abcdef|\n\
             00000010  58 59 0a                                          |XY.|\n"
        );
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(listen_addr(None).unwrap().to_string(), "127.0.0.1:1234");
        assert_eq!(listen_addr(Some("0")).unwrap().to_string(), "127.0.0.1:0");
        assert_eq!(listen_addr(Some("[::]:9")).unwrap().to_string(), "[::]:9");
        assert!(listen_addr(Some("70000")).is_err());
        assert!(listen_addr(Some("localhost:1234")).is_err());
    }

    #[test]
    fn args_option() {
        assert_eq!(parse_my_ints("17,18,true,false"), Ok(MyInts::BOOK));
        assert!(parse_my_ints("17,18,true").is_err());
        assert!(parse_my_ints("-1,18,true,false").is_err());
        assert!(parse_my_ints("1,2,yes,no").is_err());
    }
}
