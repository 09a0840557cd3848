//! Unit tests of the codec, the checksum, the classification and the
//! statistics; `tests/codec.rs` adds property tests.

use super::*;
use std::net::Ipv4Addr;

/// A 20-byte IPv4 header (no options) carrying ICMP, then `icmp`.
fn ip_datagram(icmp: &[u8], ttl: u8) -> Vec<u8> {
    let mut v = vec![
        0x45, 0, 0, 0, 0, 0, 0x40, 0, ttl, 1, 0, 0, 127, 0, 0, 1, 127, 0, 0, 1,
    ];
    v.extend_from_slice(icmp);
    v
}

#[test]
fn checksum_of_rfc_example_and_book_request() {
    // Inputs and results worked out by hand in the doc comments.
    assert_eq!(
        checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
        0x220d
    );
    assert_eq!(checksum(&[8, 0, 0, 0, 0, 13, 0, 37]), 0xf7cd);
}

#[test]
fn checksum_odd_length_pads_low_byte() {
    // One byte 0xab is the word 0xab00; its complement is 0x54ff.
    assert_eq!(checksum(&[0xab]), 0x54ff);
    // Empty input: sum 0, complement 0xffff.
    assert_eq!(checksum(&[]), 0xffff);
}

#[test]
fn checksum_folds_more_than_once() {
    // 0xffff + 0xffff = 0x1fffe -> fold -> 0xffff -> complement 0.
    assert_eq!(checksum(&[0xff, 0xff, 0xff, 0xff]), 0);
}

#[test]
fn request_has_our_fields_and_verifies() {
    let msg = echo_request(0x1234, 0xabcd, b"xyz");
    assert_eq!(&msg[..2], &[8, 0]);
    assert_eq!(&msg[4..8], &[0x12, 0x34, 0xab, 0xcd]);
    assert_eq!(&msg[8..], b"xyz");
    assert!(checksum_ok(&msg));
}

#[test]
fn decode_skips_ip_header_by_its_length() {
    let mut reply = echo_request(7, 9, b"abc");
    reply[field::TYPE] = ECHO_REPLY;
    put_checksum(&mut reply, 0);
    let sum = checksum(&reply);
    put_checksum(&mut reply, sum);
    let got = decode(&ip_datagram(&reply, 63), Framing::Ipv4Header).unwrap();
    let ip = got.ip.clone().unwrap();
    assert_eq!((ip.header_len, ip.ttl), (20, 63));
    assert_eq!(ip.source, Ipv4Addr::LOCALHOST);
    assert_eq!((got.icmp_type, got.identifier, got.sequence), (0, 7, 9));
    assert_eq!(got.icmp_len(), 11);
    assert_eq!(classify(&got, 7, 9, b"abc"), Verdict::Match);
    assert_eq!(classify(&got, 8, 9, b"abc"), Verdict::ForeignIdentifier(7));
    assert_eq!(classify(&got, 7, 10, b"abc"), Verdict::OtherSequence(9));
    assert_eq!(classify(&got, 7, 9, b"abd"), Verdict::PayloadDiffers);
}

#[test]
fn ip_options_move_the_icmp_start() {
    // IHL 6: four bytes of options (NOPs) before the ICMP message.
    let msg = echo_request(1, 2, b"");
    let mut d = ip_datagram(&[], 64);
    d[0] = 0x46;
    d.extend_from_slice(&[1, 1, 1, 1]);
    d.extend_from_slice(&msg);
    let got = decode(&d, Framing::Ipv4Header).unwrap();
    assert_eq!(got.ip.unwrap().header_len, 24);
    assert_eq!((got.identifier, got.sequence), (1, 2));
}

#[test]
fn bad_datagrams_are_errors() {
    let msg = echo_request(1, 2, b"");
    let mut d = ip_datagram(&msg, 64);
    d[0] = 0x44; // IHL 4 words: shorter than any IPv4 header
    assert!(matches!(
        decode(&d, Framing::Ipv4Header),
        Err(DecodeError::BadIpHeaderLength { header_len: 16, .. })
    ));
    d[0] = 0x4f; // IHL 15 words = 60 bytes, past the 28 we have
    assert!(matches!(
        decode(&d, Framing::Ipv4Header),
        Err(DecodeError::BadIpHeaderLength { header_len: 60, .. })
    ));
    d[0] = 0x65;
    assert_eq!(
        decode(&d, Framing::Ipv4Header),
        Err(DecodeError::NotIpv4(6))
    );
    d[0] = 0x45;
    d[9] = 17; // UDP
    assert_eq!(
        decode(&d, Framing::Ipv4Header),
        Err(DecodeError::NotIcmp(17))
    );
    assert!(matches!(
        decode(&d[..19], Framing::Ipv4Header),
        Err(DecodeError::Truncated {
            need: 20,
            got: 19,
            ..
        })
    ));
}

#[test]
fn corrupted_and_other_types_do_not_match() {
    let mut msg = echo_request(1, 2, b"p");
    msg[field::PAYLOAD.start] ^= 0xff;
    let got = decode(&msg, Framing::IcmpOnly).unwrap();
    assert_eq!(classify(&got, 1, 2, b"p"), Verdict::BadChecksum);
    // Destination unreachable, port unreachable (type 3 code 3).
    let mut unreach = vec![3, 3, 0, 0, 0, 0, 0, 0];
    let sum = checksum(&unreach);
    put_checksum(&mut unreach, sum);
    let got = decode(&unreach, Framing::IcmpOnly).unwrap();
    assert_eq!(
        classify(&got, 0, 0, b""),
        Verdict::OtherType {
            icmp_type: 3,
            code: 3
        }
    );
}

#[test]
fn stats_summary_without_replies_has_no_rtt_line() {
    let s = Stats {
        transmitted: 3,
        received: 0,
        rtts_ms: vec![],
    };
    assert_eq!(
        s.summary(),
        "3 packets transmitted, 0 received, 100% packet loss"
    );
    let s = Stats {
        transmitted: 3,
        received: 2,
        rtts_ms: vec![1.0, 2.0],
    };
    assert!(
        s.summary().starts_with(
            "3 packets transmitted, 2 received, 33.3% packet loss"
        )
    );
}
