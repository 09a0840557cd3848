//! The Internet checksum (RFC 1071) that every ICMP message carries,
//! how a message stores and verifies it, and the loop of Newmarch's
//! printed program, kept to show what it gets wrong.

use crate::field;

// ANCHOR: checksum
/// The Internet checksum of RFC 1071, computed by hand.
///
/// 1. Read the bytes as big-endian 16-bit words: bytes 0 and 1 make the
///    first word, 2 and 3 the second, and so on, **starting at index 0**.
///    An odd last byte is the high half of a word whose low half is 0.
/// 2. Add the words in a 32-bit accumulator. A 16-bit one's-complement
///    sum adds each carry out of bit 15 back in at bit 0; keeping the
///    carries in the upper half and folding them in at the end gives
///    the same result (RFC 1071 section 2, "deferred carries").
/// 3. Fold: add the upper 16 bits to the lower 16 until nothing is left
///    above bit 15 (a fold can itself carry, hence the loop).
/// 4. The checksum is the one's complement (`!`) of that sum.
///
/// The sender computes it with the checksum field set to zero and
/// stores it there. A receiver sums the whole message, checksum
/// included: an intact message sums to `0xffff`, so `checksum()` of it
/// is 0 (see [`checksum_ok`]).
///
/// RFC 1071's own worked example (section 3), bytes
/// `00 01 f2 03 f4 f5 f6 f7`: the words sum to `0x2ddf0`, which folds
/// to `0xddf2`, whose complement is `0x220d`. And the 8-byte request
/// of Newmarch's text (identifier 13, sequence 37):
/// `0x0800 + 0x0000 + 0x000d + 0x0025 = 0x0832`, complement `0xf7cd`.
/// The unit test `checksum_examples` below checks both.
pub fn checksum(data: &[u8]) -> u16 {
    // 64 bits hold the carries of any slice that fits in memory.
    let mut sum: u64 = 0;
    // chunks(2) walks the pairs (0,1), (2,3), ...; the last chunk has
    // one byte when the length is odd.
    for pair in data.chunks(2) {
        let high = u64::from(pair[0]) << 8;
        let low = pair.get(1).map_or(0, |&b| u64::from(b));
        sum += high | low;
    }
    while sum > 0xffff {
        sum = (sum >> 16) + (sum & 0xffff);
    }
    // `as u16` keeps the low 16 bits, which after folding are all of it.
    !(sum as u16)
}

#[test]
fn checksum_examples() {
    let rfc = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(checksum(&rfc), 0x220d);
    assert_eq!(checksum(&[8, 0, 0, 0, 0, 13, 0, 37]), 0xf7cd);
}
// ANCHOR_END: checksum

/// Does this ICMP message (checksum field included) add up?
///
/// Examples: the unit test `checksum_ok_examples` below.
pub fn checksum_ok(icmp: &[u8]) -> bool {
    checksum(icmp) == 0
}

#[test]
fn checksum_ok_examples() {
    let mut msg = [8, 0, 0, 0, 0, 13, 0, 37];
    assert!(!checksum_ok(&msg)); // field still zero
    put_checksum(&mut msg, 0xf7cd);
    assert!(checksum_ok(&msg));
}

/// Store `sum` in the checksum field of an ICMP message, big-endian.
/// A message too short to have the field is left alone.
///
/// Examples: the unit test `put_checksum_examples` below.
pub fn put_checksum(msg: &mut [u8], sum: u16) {
    if let Some(f) = msg.get_mut(field::CHECKSUM) {
        f.copy_from_slice(&sum.to_be_bytes());
    }
}

#[test]
fn put_checksum_examples() {
    let mut msg = [8, 0, 0, 0, 0, 13, 0, 37];
    put_checksum(&mut msg, 0xf7cd);
    assert_eq!(msg, [8, 0, 0xf7, 0xcd, 0, 13, 0, 37]);
}

/// The checksum loop as Newmarch's printed program has it: it starts at
/// index 1, so it adds the pairs (1,2), (3,4), (5,6) and never sees
/// byte 0 (the type) or the last byte. Kept only to show the mistake
/// (`ping --book-checksum`); never use it for real.
///
/// Examples: the unit test `book_checksum_examples` below.
pub fn book_checksum(msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut n = 1;
    while n + 1 < msg.len() {
        sum += u64::from(msg[n]) * 256 + u64::from(msg[n + 1]);
        n += 2;
    }
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    !(sum as u16)
}

#[test]
fn book_checksum_examples() {
    // The text's request: the book sends f2ff, the right value is f7cd.
    assert_eq!(book_checksum(&[8, 0, 0, 0, 0, 13, 0, 37]), 0xf2ff);
}
