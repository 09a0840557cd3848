//! Property tests of the gob codec: what the encoder writes the
//! decoder reads back unchanged; whatever bytes arrive, the decoder,
//! the codecs and the `--dump` explainer return a value or an error,
//! never panic; and no length is believed before it is checked.
//! proptest generates the inputs (a fixed budget per run, so that
//! `cargo test` stays quick).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use proptest::prelude::*;
use rpc::MyInts;
use rpc::codec::{ClientCodec, Encoding, ServerCodec};
use rpc::gob::annotate::Annotator;
use rpc::gob::netrpc::{self, Decoder, Encoder, Response};
use rpc::gob::wire::{self, Cursor};
use rpc::gob::{MAX_MESSAGE, ReadError};
use std::io::{self, Read};

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 1000,
        ..ProptestConfig::default()
    }
}

fn any_ints() -> impl Strategy<Value = MyInts> {
    (any::<u64>(), any::<u64>(), any::<bool>(), any::<bool>())
        .prop_map(|(a1, a2, s1, s2)| MyInts { a1, a2, s1, s2 })
}

fn any_call() -> impl Strategy<Value = (u64, String, MyInts)> {
    (any::<u64>(), ".{0,40}", any_ints())
}

/// Every value of a stream, as (type id, node), until it ends.
fn values(
    bytes: &[u8],
) -> Result<(Decoder, Vec<(i64, rpc::gob::value::Node)>), ReadError> {
    let mut dec = Decoder::default();
    let mut r = bytes;
    let mut out = Vec::new();
    while let Some(v) = dec.read_value(&mut r, None)? {
        out.push(v);
    }
    Ok((dec, out))
}

/// A reader that fails the test if more than `n` bytes are read.
struct AtMost<'a>(&'a [u8], usize);
impl Read for AtMost<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = buf.len().min(self.0.len());
        assert!(self.1 >= n, "read past the length");
        self.1 -= n;
        buf[..n].copy_from_slice(&self.0[..n]);
        self.0 = &self.0[n..];
        Ok(n)
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn calls_round_trip(calls in prop::collection::vec(any_call(), 1..4)) {
        let mut enc = Encoder::default();
        let mut stream = Vec::new();
        for (seq, method, args) in &calls {
            stream.extend(enc.call(*seq, method, args));
        }
        let (dec, v) = values(&stream).unwrap();
        prop_assert_eq!(v.len(), 2 * calls.len());
        for (i, (seq, method, args)) in calls.iter().enumerate() {
            let (hid, head) = &v[2 * i];
            let (aid, body) = &v[2 * i + 1];
            let req = netrpc::request(&dec.types, *hid, head).unwrap();
            prop_assert_eq!(&req.service_method, method);
            prop_assert_eq!(req.seq, *seq);
            prop_assert_eq!(netrpc::my_ints(&dec.types, *aid, body).unwrap(), *args);
        }
    }

    #[test]
    fn replies_round_trip(
        seq in any::<u64>(),
        method in ".{0,40}",
        result in prop_oneof![any::<i64>().prop_map(Ok), ".{1,60}".prop_map(Err)],
    ) {
        let mut enc = Encoder::default();
        let r = Response {
            service_method: method.clone(),
            seq,
            error: result.clone().err().unwrap_or_default(),
        };
        let bytes = enc.reply(&r, result.as_ref().ok().copied());
        let (dec, v) = values(&bytes).unwrap();
        let head = netrpc::response(&dec.types, v[0].0, &v[0].1).unwrap();
        prop_assert_eq!(head, r);
        if let Ok(value) = result {
            prop_assert_eq!(netrpc::int(&dec.types, v[1].0, &v[1].1).unwrap(), value);
        }
    }

    #[test]
    fn integers_round_trip(u in any::<u64>(), i in any::<i64>()) {
        let mut b = bytes::BytesMut::new();
        wire::put_uint(&mut b, u);
        wire::put_int(&mut b, i);
        let mut c = Cursor::new(&b);
        prop_assert_eq!(c.uint().unwrap(), u);
        prop_assert_eq!(c.int().unwrap(), i);
        prop_assert_eq!(c.left(), 0);
    }

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = values(&bytes);
        let _ = Annotator::default().explain(&bytes);
        let mut r = bytes.as_slice();
        let mut server = ServerCodec::new(Encoding::Gob);
        while let Ok(Some(_)) = server.read_call(&mut r) {}
        let mut r = bytes.as_slice();
        let _ = ClientCodec::new(Encoding::Gob).read_reply(&mut r, &mut Vec::new());
    }

    // Change some bytes of a valid call: whatever comes of it, no
    // panic, in the decoder or in the explainer.
    #[test]
    fn mutated_calls_never_panic(
        call in any_call(),
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6),
    ) {
        let mut bytes = Encoder::default().call(call.0, &call.1, &call.2).to_vec();
        for (i, b) in edits {
            let i = i.index(bytes.len());
            bytes[i] = b;
        }
        let _ = values(&bytes);
        let _ = Annotator::default().explain(&bytes);
        let mut r = bytes.as_slice();
        let mut server = ServerCodec::new(Encoding::Gob);
        while let Ok(Some(_)) = server.read_call(&mut r) {}
    }

    #[test]
    fn cut_calls_are_errors(call in any_call(), cut in any::<prop::sample::Index>()) {
        let bytes = Encoder::default().call(call.0, &call.1, &call.2);
        let n = cut.index(bytes.len()); // strictly shorter
        let mut r = &bytes[..n];
        let got = ServerCodec::new(Encoding::Gob).read_call(&mut r);
        match got {
            Ok(None) => prop_assert_eq!(n, 0),
            Err(_) => prop_assert!(n > 0),
            Ok(Some(c)) => prop_assert!(false, "a cut call decoded: {:?}", c),
        }
    }

    // A message longer than the limit is refused once its length is
    // read, before a byte of its body is read or a buffer exists.
    #[test]
    fn any_length_over_the_limit_is_refused_before_reading_on(
        len in (MAX_MESSAGE as u64 + 1)..=u64::MAX,
    ) {
        let mut b = bytes::BytesMut::new();
        wire::put_uint(&mut b, len);
        let count = b.len();
        b.extend_from_slice(&[0; 64]);
        let got = wire::read_message(&mut AtMost(&b, count));
        prop_assert!(matches!(got, Err(ReadError::TooLarge(n)) if n == len));
    }

    // Inside a message, a length or count larger than what is left is
    // refused: a string of 2^60 bytes in a 20-byte message allocates
    // nothing (were it believed, the allocation would abort the test).
    #[test]
    fn counts_past_the_message_allocate_nothing(
        count in (1u64 << 20)..=u64::MAX,
        at in 0usize..40,
    ) {
        let good = Encoder::default().call(0, "MyInterface.Add", &MyInts::BOOK).to_vec();
        let mut bytes = good.clone();
        // Put the huge count somewhere in the first message's body.
        let mut b = bytes::BytesMut::new();
        wire::put_uint(&mut b, count);
        let at = 1 + at.min(good[0] as usize - 1);
        bytes.splice(at..at, b.iter().copied());
        bytes[0] = bytes[0].wrapping_add(b.len() as u8);
        let _ = values(&bytes);
        let _ = Annotator::default().explain(&bytes);
    }

    #[test]
    fn the_explanation_fits_the_column_and_names_each_value(
        (seq, method, args) in any_call(),
    ) {
        let bytes = Encoder::default().call(seq, &method, &args);
        let text = Annotator::default().explain(&bytes);
        prop_assert!(text.lines().all(|l| l.chars().count() <= 80), "{}", text);
        if args.a1 != 0 {
            let want = format!("+1 A1: {}", args.a1);
            prop_assert!(text.contains(&want), "{}", text);
        }
        if seq != 0 {
            prop_assert!(text.contains(&format!("Seq: {seq}")), "{}", text);
        }
    }
}
