//! Building a query: a header and one question, name encoded label by
//! label.

use crate::wire::{CLASS_IN, FLAG_RD, HEADER_LEN, MAX_LABEL_LEN, MAX_NAME_LEN};
use bytes::{BufMut, Bytes, BytesMut};
use std::fmt;

/// Why a name given on the command line cannot be put in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// `a..b`, or a leading dot: labels cannot be empty.
    EmptyLabel,
    /// A label longer than 63 bytes.
    LabelTooLong(String),
    /// More than 255 bytes once encoded.
    NameTooLong,
    /// Spaces, control characters, or non-ASCII letters.
    BadCharacter(char),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::EmptyLabel => {
                write!(f, "empty label (`..`, or a leading dot)")
            }
            NameError::LabelTooLong(l) => {
                write!(f, "label `{l}` is longer than {MAX_LABEL_LEN} bytes")
            }
            NameError::NameTooLong => {
                write!(f, "longer than {MAX_NAME_LEN} bytes")
            }
            NameError::BadCharacter(c) if !c.is_ascii() => write!(
                f,
                "non-ASCII character {c:?} (write international names \
                 in their xn-- form)"
            ),
            NameError::BadCharacter(c) => {
                write!(f, "character {c:?} is not allowed in a name")
            }
        }
    }
}

impl std::error::Error for NameError {}

// ANCHOR: encode_name
/// Append `name` in wire form: each label as a length byte and its
/// bytes, then a zero byte for the root. `example.test` becomes
/// `07 'example' 04 'test' 00`. A trailing dot is allowed and means
/// the same; `.` alone is the root zone.
pub fn encode_name(name: &str, buf: &mut BytesMut) -> Result<(), NameError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut wire_len = 1; // the final zero byte
    if !name.is_empty() {
        for label in name.split('.') {
            check_label(label)?;
            wire_len += 1 + label.len();
            if wire_len > MAX_NAME_LEN {
                return Err(NameError::NameTooLong);
            }
            // check_label made sure the length fits in 6 bits.
            buf.put_u8(label.len() as u8);
            buf.put_slice(label.as_bytes());
        }
    }
    buf.put_u8(0);
    Ok(())
}
// ANCHOR_END: encode_name

/// A label must be 1 to 63 printable ASCII bytes. (The DNS itself
/// allows any byte in a label, RFC 2181 section 11; a command-line
/// tool that refuses spaces and control characters catches typing
/// mistakes instead.)
fn check_label(label: &str) -> Result<(), NameError> {
    if label.is_empty() {
        return Err(NameError::EmptyLabel);
    }
    if let Some(c) = label.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(NameError::BadCharacter(c));
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(NameError::LabelTooLong(label.to_string()));
    }
    Ok(())
}

// ANCHOR: build_query
/// A complete query: a header asking for recursion, with one question
/// `name`, `qtype`, class IN. `id` lets us match the answer to it.
pub fn build_query(
    id: u16,
    name: &str,
    qtype: u16,
) -> Result<Bytes, NameError> {
    let mut buf = BytesMut::with_capacity(HEADER_LEN + MAX_NAME_LEN + 4);
    buf.put_u16(id);
    buf.put_u16(FLAG_RD); // a query (QR=0), standard, recursion desired
    buf.put_u16(1); // QDCOUNT: one question
    buf.put_u16(0); // ANCOUNT
    buf.put_u16(0); // NSCOUNT
    buf.put_u16(0); // ARCOUNT
    encode_name(name, &mut buf)?;
    buf.put_u16(qtype);
    buf.put_u16(CLASS_IN);
    Ok(buf.freeze())
}
// ANCHOR_END: build_query

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::wire::{TYPE_A, TYPE_NS};

    /// The query `look-ns` sends for `example.test` with id 0x1234,
    /// byte for byte (the page's "On the wire" shows the same bytes).
    #[test]
    fn ns_query_bytes() {
        let q = build_query(0x1234, "example.test", TYPE_NS).unwrap();
        let want: &[u8] = &[
            0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, // header
            7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 4, b't', b'e', b's',
            b't', 0, // name
            0x00, 0x02, 0x00, 0x01, // type NS, class IN
        ];
        assert_eq!(&q[..], want);
    }

    #[test]
    fn names_encode() {
        let enc = |n: &str| {
            let mut b = BytesMut::new();
            encode_name(n, &mut b).map(|_| b.to_vec())
        };
        assert_eq!(enc("a.bc").unwrap(), b"\x01a\x02bc\x00");
        assert_eq!(enc("a.bc.").unwrap(), b"\x01a\x02bc\x00");
        assert_eq!(enc(".").unwrap(), b"\x00");
        assert_eq!(enc("").unwrap(), b"\x00");
        assert_eq!(enc("a..b"), Err(NameError::EmptyLabel));
        assert_eq!(enc(".a"), Err(NameError::EmptyLabel));
        assert_eq!(enc("a b"), Err(NameError::BadCharacter(' ')));
        assert_eq!(enc("é.test"), Err(NameError::BadCharacter('é')));
        let long = "x".repeat(64);
        assert_eq!(enc(&long), Err(NameError::LabelTooLong(long.clone())));
        assert!(enc(&"x".repeat(63)).is_ok());
        // 4 labels of 63 = 256 bytes with length bytes, plus the root.
        let too_long = vec!["y".repeat(63); 4].join(".");
        assert_eq!(enc(&too_long), Err(NameError::NameTooLong));
        let just_fits = [
            &"y".repeat(63)[..],
            &"y".repeat(63),
            &"y".repeat(63),
            &"y".repeat(61),
        ]
        .join(".");
        assert_eq!(enc(&just_fits).unwrap().len(), 255);
    }

    mod props {
        use super::super::*;
        use crate::wire::TYPE_A;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Any name we can encode decodes back to itself.
            #[test]
            fn names_round_trip(
                labels in proptest::collection::vec("[a-z0-9-]{1,20}", 1..6),
            ) {
                let name = labels.join(".");
                let q = build_query(7, &name, TYPE_A).unwrap();
                let m = crate::decode(&q).unwrap();
                prop_assert_eq!(&m.questions[0].name, &format!("{name}."));
            }
        }
    }

    #[test]
    fn the_question_asks_for_the_type_given() {
        let q = build_query(1, "a", TYPE_A).unwrap();
        assert_eq!(&q[q.len() - 4..], &[0, 1, 0, 1]);
    }
}
