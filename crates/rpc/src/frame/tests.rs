#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::{ADD, SUBTRACT};
use std::io::{self, Read};

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
    let enc = |id, result| Reply { id, result }.encode().to_vec();
    assert_eq!(
        enc(1, Ok(1)),
        hex("00 00 00 0d 02 00 00 00 01 00 00 00 00 00 00 00 01")
    );
    assert_eq!(
        enc(2, Ok(-35)),
        hex("00 00 00 0d 02 00 00 00 02 ff ff ff ff ff ff ff dd")
    );
    assert_eq!(
        enc(7, Err("no".into())),
        hex("00 00 00 09 03 00 00 00 07 00 02 6e 6f")
    );
}

#[test]
fn calls_round_trip() {
    let call = Call::new(42, SUBTRACT, &MyInts::BOOK);
    let frame = call.encode().unwrap();
    let body = read_frame(&mut frame.as_ref()).unwrap().unwrap();
    assert_eq!(decode_call(&body).unwrap(), call);
    assert_eq!(decode_args(&call.args).unwrap(), MyInts::BOOK);
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
        decode_args(&[0; 3]).unwrap_err().to_string(),
        "arguments are 3 bytes, MyInts takes 18"
    );
    let mut args = encode_args(&MyInts::BOOK).to_vec();
    args[17] = 7;
    assert_eq!(
        decode_args(&args).unwrap_err().to_string(),
        "sign flag S2 is 7, must be 0 or 1"
    );
    assert_eq!(
        decode_reply(&hex("02 00 00 00 01 00 00 00 00 00 00 00 01 00"))
            .unwrap_err()
            .to_string(),
        "1 unexpected bytes after the reply"
    );
}

/// A reader that fails the test if anyone reads past `0`.
struct Only<'a>(&'a [u8]);
impl Read for Only<'_> {
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
    let mut r = Only(&[0xff, 0xff, 0xff, 0xff]);
    match read_frame(&mut r) {
        Err(FrameError::TooLarge(n)) => assert_eq!(n, 0xffff_ffff),
        other => panic!("expected TooLarge, got {other:?}"),
    }
    // One byte over the limit is refused, the limit itself is not.
    let over = ((MAX_FRAME + 1) as u32).to_be_bytes();
    assert!(matches!(
        read_frame(&mut Only(&over)),
        Err(FrameError::TooLarge(_))
    ));
    let mut at = (MAX_FRAME as u32).to_be_bytes().to_vec();
    at.resize(LEN_PREFIX + MAX_FRAME, 0);
    let body = read_frame(&mut at.as_slice()).unwrap().unwrap();
    assert_eq!(body.len(), MAX_FRAME);
}

/// A reader that hands out one byte per call, then fails, and keeps
/// the largest buffer it was asked to fill after the prefix.
struct Dribble(Vec<u8>, usize);
impl Read for Dribble {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.0.len() <= 3 {
            self.1 = self.1.max(buf.len());
        }
        if self.0.is_empty() {
            return Err(io::ErrorKind::WouldBlock.into());
        }
        buf[0] = self.0.remove(0);
        Ok(1)
    }
}

#[test]
fn the_body_grows_with_what_arrives() {
    // Announces 64 KiB, sends 3 bytes: the buffers asked for stay
    // small (a body allocated up front would be a 64 KiB buffer).
    let mut r = Dribble(vec![0, 1, 0, 0, 1, 2, 3], 0);
    assert!(matches!(read_frame(&mut r), Err(FrameError::Io(_))));
    assert!(r.1 > 0 && r.1 < 8192, "a buffer of {} bytes", r.1);
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
