//! Decoding an answer: header, question and answer sections.
//!
//! The bytes come from the network, so the decoder must survive
//! anything: every read goes through the non-panicking `try_get_*`
//! methods of [`bytes::Buf`], every length is checked against what is
//! left, and the counts in the header never size a buffer. Names are
//! read by [`crate::name`], which bounds the compression pointers it
//! follows. Property tests at the bottom feed the decoder random bytes
//! to show that it never panics.

use crate::message::{Header, Message, Question, RData, Record};
use crate::name::{read_name, read_name_in};
use crate::wire::{
    HEADER_LEN, MAX_NAME_LEN, MAX_POINTERS, TYPE_A, TYPE_AAAA, TYPE_CNAME,
    TYPE_NS, TYPE_PTR,
};
use bytes::Buf;
use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

/// What was wrong with an answer. Offsets count from the first byte
/// of the DNS message (byte 0 is the first byte of the id), as the
/// compression pointers do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The message ended in the middle of `what`.
    Short { what: &'static str, offset: usize },
    /// A length byte whose top two bits are 01 or 10: neither a label
    /// (00) nor a pointer (11). RFC 1035 reserved them; RFC 6891
    /// retired the one use 01 had.
    BadLabelType { offset: usize, byte: u8 },
    /// A compression pointer to a place outside the message.
    PointerOutOfRange { offset: usize, target: usize },
    /// More than MAX_POINTERS pointers in one name: a loop.
    PointerLoop { offset: usize },
    /// A name longer than 255 bytes.
    NameTooLong { offset: usize },
    /// A record whose data length does not fit its type.
    BadRdata {
        rtype: u16,
        offset: usize,
        len: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Short { what, offset } => {
                write!(f, "the message ends inside {what} (byte {offset})")
            }
            DecodeError::BadLabelType { offset, byte } => {
                write!(f, "bad label length byte {byte:#04x} at byte {offset}")
            }
            DecodeError::PointerOutOfRange { offset, target } => write!(
                f,
                "name pointer at byte {offset} points to byte {target}, \
                 outside the message"
            ),
            DecodeError::PointerLoop { offset } => write!(
                f,
                "name at byte {offset} follows more than {MAX_POINTERS} \
                 pointers (a loop?)"
            ),
            DecodeError::NameTooLong { offset } => write!(
                f,
                "name at byte {offset} is longer than {MAX_NAME_LEN} bytes"
            ),
            DecodeError::BadRdata { rtype, offset, len } => write!(
                f,
                "record of type {rtype} at byte {offset} has {len} bytes \
                 of data, which do not fit its type"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The offset of a cursor within the message it reads. Every cursor
/// here is a suffix of the message, so this is plain arithmetic.
pub(crate) fn offset(msg: &[u8], cur: &[u8]) -> usize {
    msg.len() - cur.remaining()
}

/// Build a "too short" error for the cursor's position.
pub(crate) fn short(msg: &[u8], cur: &[u8], what: &'static str) -> DecodeError {
    DecodeError::Short {
        what,
        offset: offset(msg, cur),
    }
}

// ANCHOR: decode_header
/// Decode only the header: enough to match the id and read the flags.
pub fn decode_header(msg: &[u8]) -> Result<Header, DecodeError> {
    let mut cur = msg;
    let mut next = || {
        cur.try_get_u16().map_err(|_| DecodeError::Short {
            what: "the 12-byte header",
            offset: msg.len(),
        })
    };
    Ok(Header {
        id: next()?,
        flags: next()?,
        qdcount: next()?,
        ancount: next()?,
        nscount: next()?,
        arcount: next()?,
    })
}
// ANCHOR_END: decode_header

/// Decode a whole message: header, question and answer sections.
pub fn decode(msg: &[u8]) -> Result<Message, DecodeError> {
    let header = decode_header(msg)?;
    let mut cur = msg.get(HEADER_LEN..).unwrap_or_default();
    // The counts come from the network: do not trust them to size a
    // Vec. Each entry takes at least 5 bytes, so the loops below end
    // after at most msg.len() / 5 rounds whatever the counts say.
    let mut questions = Vec::new();
    for _ in 0..header.qdcount {
        questions.push(read_question(msg, &mut cur)?);
    }
    let mut answers = Vec::new();
    for _ in 0..header.ancount {
        answers.push(read_record(msg, &mut cur)?);
    }
    Ok(Message {
        header,
        questions,
        answers,
    })
}

fn read_question<'a>(
    msg: &'a [u8],
    cur: &mut &'a [u8],
) -> Result<Question, DecodeError> {
    let name = read_name(msg, cur)?;
    let qtype = cur
        .try_get_u16()
        .map_err(|_| short(msg, cur, "a question's type"))?;
    let qclass = cur
        .try_get_u16()
        .map_err(|_| short(msg, cur, "a question's class"))?;
    Ok(Question {
        name,
        qtype,
        qclass,
    })
}

// ANCHOR: read_record
/// One resource record: name, type, class, TTL, data length, data.
fn read_record<'a>(
    msg: &'a [u8],
    cur: &mut &'a [u8],
) -> Result<Record, DecodeError> {
    let name = read_name(msg, cur)?;
    let fixed = "a record's type, class, TTL and length";
    let rtype = cur.try_get_u16().map_err(|_| short(msg, cur, fixed))?;
    let class = cur.try_get_u16().map_err(|_| short(msg, cur, fixed))?;
    let ttl = cur.try_get_u32().map_err(|_| short(msg, cur, fixed))?;
    let len =
        usize::from(cur.try_get_u16().map_err(|_| short(msg, cur, fixed))?);
    let start = offset(msg, cur);
    // The data must be there in full before we look inside it.
    let Some(rdata) = cur.get(..len) else {
        return Err(short(msg, cur, "a record's data"));
    };
    let data = read_rdata(msg, rtype, start, rdata)?;
    cur.advance(len);
    Ok(Record {
        name,
        rtype,
        class,
        ttl,
        data,
    })
}
// ANCHOR_END: read_record

// ANCHOR: read_rdata
/// Decode the data of a record. `rdata` is exactly the record's data;
/// `start` is where it begins in `msg` (names inside may point back
/// into the rest of the message).
fn read_rdata<'a>(
    msg: &'a [u8],
    rtype: u16,
    start: usize,
    rdata: &'a [u8],
) -> Result<RData, DecodeError> {
    let bad = || DecodeError::BadRdata {
        rtype,
        offset: start,
        len: rdata.len(),
    };
    Ok(match rtype {
        TYPE_A => RData::A(Ipv4Addr::from(
            <[u8; 4]>::try_from(rdata).map_err(|_| bad())?,
        )),
        TYPE_AAAA => RData::Aaaa(Ipv6Addr::from(
            <[u8; 16]>::try_from(rdata).map_err(|_| bad())?,
        )),
        TYPE_NS | TYPE_CNAME | TYPE_PTR => {
            // The name must fill the data exactly: it may not run on
            // into the next record, nor leave bytes unexplained. Its
            // pointers may still lead anywhere in the whole message.
            let mut cur = rdata;
            let name = read_name_in(msg, start + rdata.len(), &mut cur)
                .map_err(|e| match e {
                    DecodeError::Short { .. } => bad(),
                    other => other,
                })?;
            if !cur.is_empty() {
                return Err(bad());
            }
            match rtype {
                TYPE_NS => RData::Ns(name),
                TYPE_CNAME => RData::Cname(name),
                _ => RData::Ptr(name),
            }
        }
        _ => RData::Other(rdata.to_vec()),
    })
}
// ANCHOR_END: read_rdata

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
pub(crate) mod tests {
    use super::*;
    use crate::query::build_query;
    use crate::wire::RCODE_NOERROR;

    /// An answer as a server would send it: our query, QR, AA and RA set,
    /// two NS records, the second using compression pointers.
    pub(crate) fn ns_answer() -> Vec<u8> {
        let mut m = build_query(0x1234, "example.test", TYPE_NS)
            .unwrap()
            .to_vec();
        m[2] |= 0x84; // QR, AA
        m[3] |= 0x80; // RA
        m[7] = 2; // ANCOUNT
        // Record 1: owner = pointer to 12 (the question's name), rdata
        // "ns1" + a pointer to example.test.
        m.extend_from_slice(&[0xc0, 12, 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 6]);
        m.extend_from_slice(b"\x03ns1\xc0\x0c");
        // Record 2: rdata "ns2" + pointer.
        m.extend_from_slice(&[0xc0, 12, 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 6]);
        m.extend_from_slice(b"\x03ns2\xc0\x0c");
        m
    }

    /// A header with one answer and no question, then `rest`.
    pub(crate) fn one_answer(rest: &[u8]) -> Vec<u8> {
        let mut m = vec![0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        m.extend_from_slice(rest);
        m
    }

    #[test]
    fn decodes_ns_answer_with_pointers() {
        let m = decode(&ns_answer()).unwrap();
        assert!(m.header.is_response());
        assert!(!m.header.truncated());
        assert_eq!(m.header.rcode(), RCODE_NOERROR);
        assert_eq!(m.questions[0].name, "example.test.");
        assert_eq!(m.questions[0].qtype, TYPE_NS);
        let hosts: Vec<_> = m.answers.iter().map(|r| r.data.clone()).collect();
        assert_eq!(
            hosts,
            vec![
                RData::Ns("ns1.example.test.".into()),
                RData::Ns("ns2.example.test.".into())
            ]
        );
        assert_eq!(m.answers[0].name, "example.test.");
        assert_eq!(m.answers[0].ttl, 3600);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let full = ns_answer();
        for n in 0..full.len() {
            assert!(decode(&full[..n]).is_err(), "prefix of {n} bytes decoded");
        }
    }

    #[test]
    fn short_header() {
        assert_eq!(
            decode_header(&[1, 2, 3]),
            Err(DecodeError::Short {
                what: "the 12-byte header",
                offset: 3
            })
        );
    }

    #[test]
    fn a_and_aaaa_and_bad_lengths() {
        let m = one_answer(&[0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 192, 0, 2, 10]);
        let r = &decode(&m).unwrap().answers[0];
        assert_eq!(r.name, ".");
        assert_eq!(r.data, RData::A(Ipv4Addr::new(192, 0, 2, 10)));
        let mut rest = vec![0, 0, 28, 0, 1, 0, 0, 0, 5, 0, 16];
        rest.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        let r = &decode(&one_answer(&rest)).unwrap().answers[0];
        assert_eq!(r.data, RData::Aaaa(Ipv6Addr::LOCALHOST));
        // An A record with 3 bytes of data.
        let m = one_answer(&[0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3]);
        assert_eq!(
            decode(&m),
            Err(DecodeError::BadRdata {
                rtype: 1,
                offset: 23,
                len: 3
            })
        );
    }

    #[test]
    fn ns_name_must_fill_its_rdata() {
        // RDLENGTH 7, but the name `\x03ns1\x00` takes only 5 of them.
        let m = one_answer(&[
            0, 0, 2, 0, 1, 0, 0, 0, 5, 0, 7, 3, b'n', b's', b'1', 0, 9, 9,
        ]);
        assert!(matches!(decode(&m), Err(DecodeError::BadRdata { .. })));
        // RDLENGTH 3 cuts the name short.
        let m = one_answer(&[
            0, 0, 2, 0, 1, 0, 0, 0, 5, 0, 3, 3, b'n', b's', b'1', 0,
        ]);
        assert!(matches!(decode(&m), Err(DecodeError::BadRdata { .. })));
    }

    #[test]
    fn unknown_types_are_kept_as_bytes() {
        // Type 16 (TXT), 3 bytes of data.
        let m = one_answer(&[0, 0, 16, 0, 1, 0, 0, 0, 5, 0, 3, 2, b'h', b'i']);
        let r = &decode(&m).unwrap().answers[0];
        assert_eq!(r.data, RData::Other(vec![2, b'h', b'i']));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever arrives, decoding returns; it never panics.
            #[test]
            fn decode_never_panics(
                bytes in proptest::collection::vec(any::<u8>(), 0..600),
            ) {
                let _ = decode(&bytes);
            }

            /// Random bytes after a plausible header (counts of 0-3)
            /// reach much deeper into the decoder than pure noise.
            #[test]
            fn decode_never_panics_past_the_header(
                counts in proptest::collection::vec(0u8..4, 2),
                body in proptest::collection::vec(any::<u8>(), 0..300),
            ) {
                let mut m = vec![
                    0, 1, 0x81, 0x80, 0, counts[0], 0, counts[1], 0, 0, 0, 0,
                ];
                m.extend_from_slice(&body);
                let _ = decode(&m);
            }

            /// A real answer with any bytes overwritten still decodes
            /// or fails cleanly.
            #[test]
            fn corrupted_answers_never_panic(
                edits in proptest::collection::vec(
                    (0usize..64, any::<u8>()),
                    1..8,
                ),
            ) {
                let mut m = super::ns_answer();
                for (i, b) in edits {
                    let n = m.len();
                    m[i % n] = b;
                }
                let _ = decode(&m);
            }
        }
    }
}
