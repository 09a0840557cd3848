//! Property tests of the frame decoders: whatever bytes arrive, they return
//! a value or an error, never panic; and what the encoders write, the
//! decoders read back unchanged. proptest generates the inputs (a few
//! thousand per run, a fixed budget so `cargo test` stays quick).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rpc::MyInts;
use rpc::frame::{self, Call, FrameError, LEN_PREFIX, MAX_FRAME, Reply};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 2000,
        ..ProptestConfig::default()
    }
}

fn any_ints() -> impl Strategy<Value = MyInts> {
    (any::<u64>(), any::<u64>(), any::<bool>(), any::<bool>())
        .prop_map(|(a1, a2, s1, s2)| MyInts { a1, a2, s1, s2 })
}

fn any_call() -> impl Strategy<Value = Call> {
    (
        any::<u32>(),
        ".{0,40}",
        prop::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(id, method, args)| Call {
            id,
            method,
            args: args.into(),
        })
}

fn any_reply() -> impl Strategy<Value = Reply> {
    (
        any::<u32>(),
        prop_oneof![any::<i64>().prop_map(Ok), ".{0,60}".prop_map(Err)],
    )
        .prop_map(|(id, result)| Reply { id, result })
}

/// The frame without its 4-byte length prefix.
fn body(frame: &[u8]) -> &[u8] {
    &frame[LEN_PREFIX..]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = frame::decode_call(&bytes);
        let _ = frame::decode_reply(&bytes);
        let _ = frame::peek_id(&bytes);
        let _ = frame::decode_args(&bytes);
        let _ = frame::read_frame(&mut bytes.as_slice());
    }

    #[test]
    fn calls_round_trip(call in any_call()) {
        let frame = call.encode().unwrap();
        let got = frame::read_frame(&mut frame.as_ref()).unwrap().unwrap();
        prop_assert_eq!(frame::decode_call(&got).unwrap(), call);
    }

    #[test]
    fn replies_round_trip(reply in any_reply()) {
        let frame = reply.encode();
        prop_assert_eq!(frame::decode_reply(body(&frame)).unwrap(), reply);
    }

    #[test]
    fn arguments_round_trip(args in any_ints()) {
        prop_assert_eq!(frame::decode_args(&frame::encode_args(&args)).unwrap(), args);
    }

    // Change some bytes of a valid frame. The decoder may accept the
    // result, but then it must be a frame it would write itself: the
    // format has one encoding per value, so re-encoding gives back
    // exactly the mutated bytes.
    #[test]
    fn mutated_calls_decode_to_themselves_or_fail(
        call in any_call(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut body = body(&call.encode().unwrap()).to_vec();
        for (i, b) in edits {
            let i = i.index(body.len());
            body[i] = b;
        }
        if let Ok(decoded) = frame::decode_call(&body) {
            let again = decoded.encode().unwrap();
            prop_assert_eq!(&again[LEN_PREFIX..], &body[..]);
        }
    }

    #[test]
    fn mutated_replies_decode_to_themselves_or_fail(
        reply in any_reply(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut body = body(&reply.encode()).to_vec();
        for (i, b) in edits {
            let i = i.index(body.len());
            body[i] = b;
        }
        if let Ok(decoded) = frame::decode_reply(&body) {
            // A lossy message (bad UTF-8 turned into U+FFFD) is the one
            // case where the bytes may change; then it is still valid.
            let again = decoded.encode();
            let lossy = matches!(&decoded.result, Err(m) if m.contains('\u{FFFD}'));
            if !lossy {
                prop_assert_eq!(&again[LEN_PREFIX..], &body[..]);
            }
        }
    }

    #[test]
    fn truncated_frames_are_errors(call in any_call(), cut in any::<prop::sample::Index>()) {
        let frame = call.encode().unwrap();
        let n = cut.index(frame.len()); // strictly shorter than the frame
        let short = &frame[..n];
        match frame::read_frame(&mut &short[..]) {
            Ok(None) => prop_assert_eq!(n, 0),
            Err(FrameError::ClosedMidFrame) => prop_assert!(n > 0),
            other => prop_assert!(false, "unexpected {:?}", other),
        }
        // And a body cut short never decodes as a call with its name.
        if n > LEN_PREFIX
            && let Ok(c) = frame::decode_call(&frame[LEN_PREFIX..n])
        {
            prop_assert!(c.method == call.method && c.args.len() < call.args.len());
        }
    }

    #[test]
    fn any_length_over_the_limit_is_refused(len in (MAX_FRAME as u32 + 1)..=u32::MAX) {
        let prefix = len.to_be_bytes();
        let refused = matches!(
            frame::read_frame(&mut &prefix[..]),
            Err(FrameError::TooLarge(n)) if n == len as usize
        );
        prop_assert!(refused);
    }
}
