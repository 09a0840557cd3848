//! gob's integers and byte strings, and its length-delimited
//! messages (Go: encoding/gob/encode.go `encodeUint`, decode.go
//! `decodeUintReader`, decoder.go `recvMessage`).

use super::{GobError, MAX_MESSAGE, MAX_VALUES, ReadError};
use bytes::{BufMut, BytesMut};
use std::io::Read;

// ANCHOR: uint
/// An unsigned integer: below 128, one byte holding it; otherwise
/// the byte count, negated (0xff is 1 byte, 0xf8 is 8), then the
/// value big-endian in as few bytes as it needs. So 7 is `07`,
/// 256 is `fe 01 00`.
pub fn put_uint(buf: &mut BytesMut, x: u64) {
    if x < 0x80 {
        buf.put_u8(x as u8);
        return;
    }
    let skip = x.leading_zeros() as usize / 8;
    let bytes = x.to_be_bytes();
    let digits = bytes.get(skip..).unwrap_or(&bytes);
    buf.put_u8((digits.len() as u8).wrapping_neg());
    buf.put_slice(digits);
}

/// A signed integer, folded into an unsigned one: the value moves
/// up one bit, and bit 0 says "complement it back". So 1 is `02`,
/// -1 is `01`, -35 is `45` (^-35 = 34, 34 << 1 | 1 = 69).
pub fn put_int(buf: &mut BytesMut, i: i64) {
    let u = if i < 0 {
        (!(i as u64) << 1) | 1
    } else {
        (i as u64) << 1
    };
    put_uint(buf, u);
}
// ANCHOR_END: uint

/// A string or byte slice: its length, then its bytes.
pub fn put_bytes(buf: &mut BytesMut, s: &[u8]) {
    put_uint(buf, s.len() as u64);
    buf.put_slice(s);
}

/// `body` behind its length: one gob message, ready to send.
pub fn message(body: &[u8]) -> BytesMut {
    let mut m = BytesMut::with_capacity(body.len() + 9);
    put_uint(&mut m, body.len() as u64);
    m.put_slice(body);
    m
}

/// Reads gob values from one message, never past its end: every
/// length is compared with what is left before anything is taken.
/// It also counts the values decoded, up to [`MAX_VALUES`].
#[derive(Debug, Clone)]
pub struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    values: usize,
}

impl<'a> Cursor<'a> {
    pub fn new(bytes: &'a [u8]) -> Cursor<'a> {
        Cursor {
            bytes,
            pos: 0,
            values: 0,
        }
    }

    /// Count one more value decoded from this message.
    pub fn one_more_value(&mut self) -> Result<(), GobError> {
        self.values += 1;
        if self.values > MAX_VALUES {
            return Err(GobError::TooManyValues);
        }
        Ok(())
    }

    /// Offset of the next byte from the start of the message.
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Bytes not read yet.
    pub fn left(&self) -> usize {
        self.bytes.len().saturating_sub(self.pos)
    }

    fn byte(&mut self) -> Result<u8, GobError> {
        let b = *self.bytes.get(self.pos).ok_or(GobError::Short)?;
        self.pos += 1;
        Ok(b)
    }

    /// The next `n` bytes, if there are that many.
    pub fn take(&mut self, n: u64) -> Result<&'a [u8], GobError> {
        let n = usize::try_from(n).map_err(|_| GobError::Short)?;
        let end = self.pos.checked_add(n).ok_or(GobError::Short)?;
        let s = self.bytes.get(self.pos..end).ok_or(GobError::Short)?;
        self.pos = end;
        Ok(s)
    }

    /// An unsigned integer. A count byte above 8 cannot be a u64.
    pub fn uint(&mut self) -> Result<u64, GobError> {
        let b = self.byte()?;
        if b < 0x80 {
            return Ok(u64::from(b));
        }
        let n = b.wrapping_neg();
        if n > 8 {
            return Err(GobError::BadUint(b));
        }
        let digits = self.take(u64::from(n))?;
        // Go does not insist on the shortest form; neither do we.
        Ok(digits.iter().fold(0, |x, &d| (x << 8) | u64::from(d)))
    }

    /// A signed integer (see [`put_int`]).
    pub fn int(&mut self) -> Result<i64, GobError> {
        let u = self.uint()?;
        let i = (u >> 1) as i64;
        Ok(if u & 1 == 1 { !i } else { i })
    }

    /// A length-prefixed byte string.
    pub fn bytes(&mut self) -> Result<&'a [u8], GobError> {
        let n = self.uint()?;
        self.take(n)
    }
}

// ANCHOR: read_message
/// Read one message: its length (a gob uint), then that many bytes.
/// Returns the whole message as it came, length included, and where
/// the body starts. `Ok(None)` is a clean end between messages.
///
/// The length is checked against [`MAX_MESSAGE`] before any buffer
/// exists, and the buffer grows only as bytes arrive. (Go's own
/// decoder allocates what the length says, up to 8 GiB on 64-bit
/// machines: `tooBig` in encoding/gob/decoder.go.)
pub fn read_message(
    r: &mut impl Read,
) -> Result<Option<(Vec<u8>, usize)>, ReadError> {
    let mut first = [0u8; 1];
    // A read that a signal interrupts (EINTR: Ctrl+Z, then `fg`, while
    // a read timeout is set, signal(7)) is simply made again; the
    // `read_to_end` in `read_exactly` below retries by itself.
    let got = loop {
        match r.read(&mut first) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            other => break other.map_err(ReadError::Io)?,
        }
    };
    if got == 0 {
        return Ok(None);
    }
    let mut raw = first.to_vec();
    if first[0] >= 0x80 {
        let n = first[0].wrapping_neg();
        if n > 8 {
            return Err(ReadError::BadLength(first[0]));
        }
        read_exactly(r, &mut raw, u64::from(n))?;
    }
    let len = Cursor::new(&raw).uint().map_err(ReadError::Malformed)?;
    if len > MAX_MESSAGE as u64 {
        return Err(ReadError::TooLarge(len));
    }
    if len == 0 {
        return Err(ReadError::Malformed(GobError::EmptyMessage));
    }
    let start = raw.len();
    read_exactly(r, &mut raw, len)?;
    Ok(Some((raw, start)))
}
// ANCHOR_END: read_message

/// Append exactly `n` more bytes from `r` to `buf`.
fn read_exactly(
    r: &mut impl Read,
    buf: &mut Vec<u8>,
    n: u64,
) -> Result<(), ReadError> {
    let want = buf.len() as u64 + n;
    r.take(n).read_to_end(buf).map_err(ReadError::Io)?;
    if (buf.len() as u64) < want {
        return Err(ReadError::ClosedMidMessage);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn uint(x: u64) -> Vec<u8> {
        let mut b = BytesMut::new();
        put_uint(&mut b, x);
        b.to_vec()
    }

    fn int(i: i64) -> Vec<u8> {
        let mut b = BytesMut::new();
        put_int(&mut b, i);
        b.to_vec()
    }

    // The examples of encoding/gob/doc.go ("Encoding Details").
    #[test]
    fn the_examples_of_gobs_documentation() {
        assert_eq!(uint(0), [0x00]);
        assert_eq!(uint(7), [0x07]);
        assert_eq!(uint(256), [0xfe, 0x01, 0x00]);
        assert_eq!(int(-129), [0xfe, 0x01, 0x01]);
        assert_eq!(int(-35), [0x45]);
        assert_eq!(int(65), [0xff, 0x82]);
        assert_eq!(int(-65), [0xff, 0x81]);
        assert_eq!(
            uint(u64::MAX),
            [0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
        assert_eq!(
            int(i64::MIN),
            [0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]
        );
    }

    #[test]
    fn integers_read_back() {
        for x in [0, 1, 127, 128, 255, 256, 1 << 40, u64::MAX] {
            assert_eq!(Cursor::new(&uint(x)).uint().unwrap(), x);
        }
        for i in [0, 1, -1, 63, -64, 64, i64::MAX, i64::MIN] {
            assert_eq!(Cursor::new(&int(i)).int().unwrap(), i);
        }
        // A count of 9 bytes is not a u64; a short one is short.
        assert_eq!(Cursor::new(&[0xf7]).uint(), Err(GobError::BadUint(0xf7)));
        assert_eq!(Cursor::new(&[0xfe, 1]).uint(), Err(GobError::Short));
    }

    #[test]
    fn a_length_past_the_end_takes_nothing() {
        let mut c = Cursor::new(&[0x05, b'a', b'b']);
        assert_eq!(c.bytes(), Err(GobError::Short));
        let mut c = Cursor::new(&[
            0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        ]);
        assert_eq!(c.bytes(), Err(GobError::Short));
    }

    #[test]
    fn messages_are_read_whole_and_limited() {
        let mut input: &[u8] = &[0x03, 0x04, 0x00, 0x02, 0x01];
        let (raw, start) = read_message(&mut input).unwrap().unwrap();
        assert_eq!((raw.as_slice(), start), (&[3, 4, 0, 2][..], 1));
        assert!(matches!(
            read_message(&mut input),
            Err(ReadError::ClosedMidMessage)
        ));
        assert!(read_message(&mut &[][..]).unwrap().is_none());
        // 2^32 announced: refused after the 5 bytes of the length.
        let mut big: &[u8] = &[0xfb, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00];
        assert!(matches!(
            read_message(&mut big),
            Err(ReadError::TooLarge(0x1_0000_0000))
        ));
        assert_eq!(big, [0x00]);
    }
}
