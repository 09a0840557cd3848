//! Unit tests of [`Conversation`](super::Conversation): relative
//! numbers, retransmissions, gaps, wrap-around and forged segments.

#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::parse_frame;
use crate::segment::tests::{frame, syn_frame};

/// A segment from 127.0.0.1:40000 to :9000 (or back, `back`).
fn seg(flags: u8, seq: u32, ack: u32, len: usize, back: bool) -> Segment {
    let mut s = parse_frame(&frame(flags, seq, ack, &[], len)).unwrap();
    if back {
        std::mem::swap(&mut s.src, &mut s.dst);
    }
    s
}

const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;

#[test]
fn relative_numbers_follow_the_isn() {
    let mut c = Conversation::new();
    let syn = parse_frame(&syn_frame()).unwrap();
    c.track(&syn);
    assert_eq!(c.rel_seq(&syn), 0);
    let data = seg(PSH_ACK, 1001, 0, 14, false);
    c.track(&data);
    assert_eq!(c.rel_seq(&data), 1);
    assert!(c.explain(&data).contains("bytes 1 to 14"));
    assert!(c.explain(&data).contains("Ack=15"));
}

#[test]
fn a_segment_before_the_last_one_is_a_retransmission() {
    // Issue 12's crafted pair: seq 1000 len 10, then seq 990 len
    // 20 (a debug build once panicked on `seq + len - 1`).
    let mut c = Conversation::new();
    let a = seg(PSH_ACK, 1000, 1, 10, false);
    c.track(&a);
    assert_eq!(
        c.explain(&a),
        "data: 10 bytes, the sender's bytes 1 to 10;\n\
         the receiver will answer Ack=11"
    );
    let b = seg(PSH_ACK, 990, 1, 20, false);
    c.track(&b);
    assert_eq!(
        c.explain(&b),
        "retransmission: the sender sends again what it had sent \
         before,\nup to byte 10"
    );
    // Part old, part new.
    let o = seg(PSH_ACK, 1005, 1, 10, false);
    c.track(&o);
    assert_eq!(
        c.explain(&o),
        "data: 10 bytes, the sender's bytes 6 to 15;\n\
         new from byte 11 on; the receiver will answer Ack=16"
    );
    // Past a gap.
    let g = seg(PSH_ACK, 1100, 1, 5, false);
    c.track(&g);
    assert!(
        c.explain(&g).starts_with(
            "out of order: the sender's bytes from 16 on have not been \
             seen\n"
        ),
        "{}",
        c.explain(&g)
    );
}

#[test]
fn numbers_wrap_around_2_to_the_32() {
    let mut c = Conversation::new();
    let mut syn = parse_frame(&syn_frame()).unwrap();
    syn.seq = u32::MAX - 1;
    c.track(&syn);
    // Byte 1 is u32::MAX, byte 2 is 0, ... byte 14 is 12.
    let d = seg(PSH_ACK, u32::MAX, 0, 14, false);
    c.track(&d);
    assert_eq!(c.rel_seq(&d), 1);
    assert!(c.explain(&d).contains("bytes 1 to 14"), "{}", c.explain(&d));
    let again = seg(PSH_ACK, u32::MAX, 0, 14, false);
    c.track(&again);
    assert!(c.explain(&again).starts_with("retransmission"));
}

#[test]
fn segments_from_before_the_syn_are_stale() {
    let mut c = Conversation::new();
    c.track(&parse_frame(&syn_frame()).unwrap()); // seq 1000
    let old = seg(PSH_ACK, 900, 0, 10, false);
    c.track(&old);
    assert_eq!(
        c.explain(&old),
        "a segment from before the client's first byte (sequence \
         900):\nan old duplicate, or forged; TCP drops it"
    );
    // It moved nothing: the next real byte is still byte 1.
    let d = seg(PSH_ACK, 1001, 0, 1, false);
    c.track(&d);
    assert!(c.explain(&d).starts_with("data: 1 bytes, the client's"));
}

#[test]
fn an_ack_for_data_never_sent_is_named() {
    let mut c = Conversation::new();
    let a = seg(PSH_ACK, 1000, 5000, 10, false);
    c.track(&a);
    let b = seg(PSH_ACK, 5000, 1010, 3, true);
    c.track(&b);
    // Acknowledges 20 bytes of the first sender, which sent 10.
    let bad = seg(ACK, 5003, 1020, 0, true);
    c.track(&bad);
    assert!(
        c.explain(&bad)
            .contains("acknowledges bytes the receiver has not"),
        "{}",
        c.explain(&bad)
    );
}
