//! Anyone who can send a packet to the watched port chooses the
//! numbers `Conversation` reads. Arbitrary segments in any order must
//! never make it panic (the tests run with overflow checks on), and
//! its sentences must stay one line each. The arithmetic is wrapping
//! (modulo 2^32), so a release build computes the same numbers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use std::net::SocketAddr;
use std::time::Duration;
use tcp_handshake::{Conversation, EXPLAIN_WIDTH, Segment};

fn segment(
    from_client: bool,
    flags: u8,
    seq: u32,
    ack: u32,
    len: u16,
    wscale: Option<u8>,
) -> Segment {
    let c: SocketAddr = "127.0.0.1:40000".parse().unwrap();
    let s: SocketAddr = "127.0.0.1:9000".parse().unwrap();
    let (src, dst) = if from_client { (c, s) } else { (s, c) };
    Segment {
        src,
        dst,
        seq,
        ack,
        flags,
        window: 65535,
        len,
        mss: None,
        wscale,
    }
}

/// Sequence numbers near the ends of the range and near each other,
/// where wrapping and overlaps happen, as well as anywhere.
fn seq_number() -> impl Strategy<Value = u32> {
    prop_oneof![
        any::<u32>(),
        (0u32..2000),
        (u32::MAX - 2000..=u32::MAX),
        (990u32..1030),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(500))]

    #[test]
    fn any_segments_in_any_order(
        segs in proptest::collection::vec(
            (any::<bool>(), any::<u8>(), seq_number(), seq_number(),
             any::<u16>(), proptest::option::of(any::<u8>())),
            1..40,
        )
    ) {
        let mut c = Conversation::new();
        for (i, (from_client, flags, seq, ack, len, ws)) in
            segs.into_iter().enumerate()
        {
            let s = segment(from_client, flags, seq, ack, len, ws);
            c.track(&s);
            let line = c.line(i + 1, Duration::ZERO, &s);
            let why = c.explain(&s);
            prop_assert!(!line.contains('\n'));
            // Every line of the sentence fits the column, whatever the
            // numbers (handshake-watch indents it by 6).
            for l in why.lines() {
                prop_assert!(
                    l.chars().count() <= EXPLAIN_WIDTH,
                    "{} columns: {l}", l.chars().count()
                );
            }
            prop_assert!(!why.is_empty());
            let _ = c.window(&s);
            let _ = c.finished();
        }
    }
}

#[test]
fn a_whole_connection_that_wraps_around_2_to_the_32() {
    // Both ISNs a few bytes before the wrap: every number after the
    // handshake is past it.
    let (ci, si) = (u32::MAX - 3, u32::MAX - 1);
    let mut c = Conversation::new();
    let steps = [
        (segment(true, 0x02, ci, 0, 0, Some(7)), "handshake 1/3"),
        (
            segment(false, 0x12, si, ci.wrapping_add(1), 0, Some(7)),
            "handshake 2/3",
        ),
        (
            segment(
                true,
                0x10,
                ci.wrapping_add(1),
                si.wrapping_add(1),
                0,
                None,
            ),
            "handshake 3/3",
        ),
        (
            segment(
                true,
                0x18,
                ci.wrapping_add(1),
                si.wrapping_add(1),
                14,
                None,
            ),
            "data: 14 bytes, the client's bytes 1 to 14;\n\
             the server will answer Ack=15",
        ),
        (
            segment(
                false,
                0x18,
                si.wrapping_add(1),
                ci.wrapping_add(15),
                14,
                None,
            ),
            "data: 14 bytes, the server's bytes 1 to 14;\n\
             the client will answer Ack=15",
        ),
        (
            segment(
                true,
                0x11,
                ci.wrapping_add(15),
                si.wrapping_add(15),
                0,
                None,
            ),
            "teardown: the client has nothing more to send",
        ),
        (
            segment(
                false,
                0x11,
                si.wrapping_add(15),
                ci.wrapping_add(16),
                0,
                None,
            ),
            "teardown: the server has nothing more to send",
        ),
        (
            segment(
                true,
                0x10,
                ci.wrapping_add(16),
                si.wrapping_add(16),
                0,
                None,
            ),
            "the client acknowledges the server's FIN: Ack=16",
        ),
    ];
    for (s, want) in steps {
        c.track(&s);
        let why = c.explain(&s);
        assert!(why.starts_with(want), "want {want:?}, got {why:?}");
    }
    assert!(c.finished());
}
