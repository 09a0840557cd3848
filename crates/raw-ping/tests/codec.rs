//! The checksum and the packet codec, checked against independent
//! references (pnet's own checksum, RFC 1071's worked example, the
//! book's loop re-done here) and against arbitrary bytes: decoding
//! must never panic, whatever arrives on a raw socket.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use pnet::packet::icmp::IcmpPacket;
use proptest::collection::vec;
use proptest::prelude::*;
use raw_ping::{
    Framing, IPV4_HEADER_LEN, Verdict, book_checksum, checksum, classify,
    decode, echo_request, field, put_checksum,
};

/// The loop of Newmarch's printed `checkSum`, written again here
/// from its description: start at index 1, add byte n as the high half
/// and byte n+1 as the low half while n < len-1, step 2; fold twice;
/// complement.
fn printed_loop(msg: &[u8]) -> u16 {
    let mut sum: i64 = 0;
    let mut n: i64 = 1;
    let len = msg.len() as i64;
    while n < len - 1 {
        sum +=
            i64::from(msg[n as usize]) * 256 + i64::from(msg[n as usize + 1]);
        n += 2;
    }
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    (!sum) as u16
}

/// The text's request: type 8, code 0, checksum 0, identifier 13,
/// sequence 37.
const BOOK_REQUEST: [u8; 8] = [0x08, 0x00, 0x00, 0x00, 0x00, 0x0d, 0x00, 0x25];

#[test]
fn printed_loop_gives_f2ff_where_rfc_1071_gives_f7cd() {
    assert_eq!(printed_loop(&BOOK_REQUEST), 0xf2ff, "the book's loop");
    assert_eq!(book_checksum(&BOOK_REQUEST), 0xf2ff, "lib's copy of it");
    assert_eq!(checksum(&BOOK_REQUEST), 0xf7cd, "RFC 1071");
    // pnet agrees with the right value (it skips the checksum word).
    let pkt = IcmpPacket::new(&BOOK_REQUEST).unwrap();
    assert_eq!(pnet::packet::icmp::checksum(&pkt), 0xf7cd, "pnet");
}

#[test]
fn rfc_1071_worked_example() {
    // RFC 1071 section 3: these bytes sum to ddf2 (one's complement).
    let bytes = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
    assert_eq!(!checksum(&bytes), 0xddf2);
    assert_eq!(pnet::util::checksum(&bytes, usize::MAX), checksum(&bytes));
}

#[test]
fn book_checksum_is_wrong_for_every_identifier_we_could_send() {
    // `ping --book-checksum` must really send a bad checksum, whatever
    // the identifier (our pid) is: try all 65536 for the first three
    // sequence numbers with the default payload.
    let payload = raw_ping::payload(raw_ping::DEFAULT_PAYLOAD_LEN);
    for seq in 1..=3u16 {
        for id in 0..=u16::MAX {
            let mut msg = echo_request(id, seq, &payload);
            put_checksum(&mut msg, 0);
            assert_ne!(
                book_checksum(&msg),
                checksum(&msg),
                "id {id} seq {seq}"
            );
        }
    }
}

#[test]
fn request_decodes_to_what_was_built() {
    let msg = echo_request(0xbeef, 7, b"payload");
    let got = decode(&msg, Framing::IcmpOnly).unwrap();
    assert_eq!(got.icmp_type, 8);
    assert_eq!(got.code, 0);
    assert_eq!(got.identifier, 0xbeef);
    assert_eq!(got.sequence, 7);
    assert_eq!(got.payload, b"payload");
    assert_eq!(classify(&got, 0xbeef, 7, b"payload"), Verdict::OwnRequest);
    assert_eq!(classify(&got, 0xbeee, 7, b"payload"), Verdict::OtherRequest);
}

/// An echo reply to (id, seq, payload), wrapped in an IPv4 header.
fn reply_datagram(id: u16, seq: u16, payload: &[u8]) -> Vec<u8> {
    let mut icmp = echo_request(id, seq, payload);
    icmp[field::TYPE] = raw_ping::ECHO_REPLY;
    put_checksum(&mut icmp, 0);
    let sum = checksum(&icmp);
    put_checksum(&mut icmp, sum);
    let mut d = vec![
        0x45, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
    ];
    d.extend_from_slice(&icmp);
    d
}

#[test]
fn truncated_wrong_type_and_foreign_replies() {
    let d = reply_datagram(5, 6, b"abc");
    // Every truncation is an error or a non-matching message.
    for n in 0..d.len() {
        if let Ok(got) = decode(&d[..n], Framing::Ipv4Header) {
            assert_ne!(
                classify(&got, 5, 6, b"abc"),
                Verdict::Match,
                "{n} bytes"
            );
        }
    }
    let got = decode(&d, Framing::Ipv4Header).unwrap();
    assert_eq!(classify(&got, 5, 6, b"abc"), Verdict::Match);
    assert_eq!(classify(&got, 4, 6, b"abc"), Verdict::ForeignIdentifier(5));
    // Wrong type: make it a timestamp reply (14), checksum redone.
    let mut w = d.clone();
    let icmp = &mut w[IPV4_HEADER_LEN..];
    icmp[field::TYPE] = 14;
    put_checksum(icmp, 0);
    let sum = checksum(icmp);
    put_checksum(icmp, sum);
    let got = decode(&w, Framing::Ipv4Header).unwrap();
    assert_eq!(
        classify(&got, 5, 6, b"abc"),
        Verdict::OtherType {
            icmp_type: 14,
            code: 0
        }
    );
    // Reading it as a datagram socket would (no IP header) is wrong:
    // the ICMP fields then come from the IP header bytes.
    let misread = decode(&d, Framing::IcmpOnly).unwrap();
    assert_eq!(misread.icmp_type, 0x45);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Arbitrary bytes, either framing: never a panic.
    #[test]
    fn decode_never_panics(bytes in vec(any::<u8>(), 0..200)) {
        let _ = decode(&bytes, Framing::Ipv4Header);
        let _ = decode(&bytes, Framing::IcmpOnly);
    }

    /// A well-formed IPv4 start with an arbitrary IHL nibble and an
    /// arbitrary tail: never a panic, and IHL < 5 or past the end is
    /// an error.
    #[test]
    fn any_ip_header_length(ihl in 0u8..16, tail in vec(any::<u8>(), 0..80)) {
        let mut d = vec![
            0x40 | ihl, 0, 0, 0, 0, 0, 0, 0, 64, 1, 0, 0,
            127, 0, 0, 1, 127, 0, 0, 1,
        ];
        d.extend_from_slice(&tail);
        let hl = usize::from(ihl) * 4;
        match decode(&d, Framing::Ipv4Header) {
            Ok(got) => {
                prop_assert!(hl >= 20 && hl + 8 <= d.len());
                prop_assert_eq!(got.ip.unwrap().header_len, hl);
            }
            Err(_) => prop_assert!(hl < 20 || hl + 8 > d.len()),
        }
    }

    /// A real reply, then one arbitrary byte changed: never a panic,
    /// and never a match when the byte was in the ICMP message (one
    /// changed byte always changes the one's-complement sum) or was
    /// the IP protocol number.
    #[test]
    fn corrupted_reply_never_matches(
        id: u16, seq: u16,
        payload in vec(any::<u8>(), 0..64),
        at in any::<prop::sample::Index>(), flip in 1u8..=255,
    ) {
        let mut d = reply_datagram(id, seq, &payload);
        let i = at.index(d.len());
        d[i] ^= flip;
        if let Ok(got) = decode(&d, Framing::Ipv4Header) {
            let v = classify(&got, id, seq, &payload);
            // The other IP header bytes (TTL, addresses, ...) do not
            // take part in matching.
            if i >= 20 || i == 9 {
                prop_assert_ne!(v, Verdict::Match);
            }
        }
    }

    /// Our checksum agrees with pnet's for any message.
    #[test]
    fn checksum_agrees_with_pnet(bytes in vec(any::<u8>(), 1..300)) {
        // pnet skips the word at index `skipword`; usize::MAX skips none.
        let theirs = pnet::util::checksum(&bytes, usize::MAX);
        prop_assert_eq!(checksum(&bytes), theirs);
    }

    /// Any request we build verifies, and decodes to its own fields.
    #[test]
    fn built_requests_round_trip(
        id: u16, seq: u16, payload in vec(any::<u8>(), 0..300),
    ) {
        let msg = echo_request(id, seq, &payload);
        prop_assert!(raw_ping::checksum_ok(&msg));
        let got = decode(&msg, Framing::IcmpOnly).unwrap();
        prop_assert_eq!((got.identifier, got.sequence), (id, seq));
        prop_assert_eq!(got.payload, payload);
    }
}
