//! Check for exercise 1 of docs/src/tcp-handshake.md: the lines of
//! segments that carry the MSS and window-scale options end with
//! ` MSS=<bytes> WS=<multiplier>`, as tshark prints them.
//! Run it with `scripts/exercise tcp-handshake 1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use tcp_handshake::{Conversation, parse_frame};

/// A frame as `lo` carries it: zero MACs, IPv4, TCP with `options`.
fn frame(flags: u8, seq: u32, options: &[u8]) -> Vec<u8> {
    let mut f = vec![0u8; 12];
    f.extend_from_slice(&[0x08, 0x00]);
    let tcp_len = 20 + options.len();
    let total = (20 + tcp_len) as u16;
    f.extend_from_slice(&[
        0x45,
        0,
        (total >> 8) as u8,
        total as u8,
        0,
        0,
        0x40,
        0,
        64,
        6,
        0,
        0,
    ]);
    f.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
    f.extend_from_slice(&40000u16.to_be_bytes());
    f.extend_from_slice(&9000u16.to_be_bytes());
    f.extend_from_slice(&seq.to_be_bytes());
    f.extend_from_slice(&0u32.to_be_bytes());
    f.extend_from_slice(&[((tcp_len / 4) << 4) as u8, flags]);
    f.extend_from_slice(&65495u16.to_be_bytes());
    f.extend_from_slice(&[0, 0, 0, 0]);
    f.extend_from_slice(options);
    f
}

fn line(f: &[u8]) -> String {
    let s = parse_frame(f).expect("the test frame parses");
    let mut c = Conversation::new();
    c.track(&s);
    c.line(1, Duration::ZERO, &s)
}

#[test]
fn a_syn_shows_its_mss_and_window_scale() {
    // MSS 65495, NOP, window scale 7 (multiplier 2^7 = 128).
    let l = line(&frame(0x02, 1000, &[2, 4, 0xff, 0xd7, 1, 3, 3, 7]));
    assert!(
        l.ends_with("[SYN] Seq=0 Win=65495 Len=0 MSS=65495 WS=128"),
        "hint: after Len=0 add ` MSS=<mss> WS=<2 to the power of the \
         scale>`; got {l:?}"
    );
}

#[test]
fn the_syn_ack_shows_the_servers_own_options() {
    // The server's SYN-ACK announces its own values: MSS 1460 and
    // window scale 10 (multiplier 1024).
    let l = line(&frame(0x12, 77, &[2, 4, 0x05, 0xb4, 1, 3, 3, 10]));
    assert!(
        l.ends_with("Len=0 MSS=1460 WS=1024"),
        "hint: the SYN-ACK carries the server's own options; show them \
         too; got {l:?}"
    );
}

#[test]
fn only_the_options_present_are_shown() {
    // MSS 1460 alone (padded to a multiple of 4 bytes).
    let l = line(&frame(0x02, 5, &[2, 4, 0x05, 0xb4]));
    assert!(
        l.ends_with("Len=0 MSS=1460"),
        "hint: a SYN without window scale shows MSS only; got {l:?}"
    );
}

#[test]
fn segments_without_options_are_unchanged() {
    let l = line(&frame(0x10, 5, &[]));
    assert!(
        l.ends_with("Len=0"),
        "hint: print nothing more when a segment carries no MSS or WS \
         option; got {l:?}"
    );
}
