//! Bytes captured from Go 1.19's net/rpc (go/netrpc-client.go calling
//! go/netrpc-server.go, through a recording proxy): the encoder must
//! write them exactly, the decoder must read them.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use super::*;
use crate::{ADD, SUBTRACT};

fn hex(s: &str) -> Vec<u8> {
    let s: String = s.split_whitespace().collect();
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// The client's first call, Add(17, 18, true, false), Seq 0: the
/// definition of Request, a Request, the definition of MyInts, a
/// MyInts.
pub const GO_FIRST_CALL: &str = "
    2fff81030101075265717565737401ff82000102010d536572766963654d6574
    686f64010c000103536571010600000014ff82010f4d79496e74657266616365
    2e4164640030ff83030101064d79496e747301ff840001040102413101060001
    0241320106000102533101020001025332010200000009ff8401110112010100";
/// Its reply: the definition of Response, a Response, the int 1.
pub const GO_FIRST_REPLY: &str = "
    3aff8103010108526573706f6e736501ff82000103010d536572766963654d65
    74686f64010c00010353657101060001054572726f72010c00000014ff82010f
    4d79496e746572666163652e4164640003040002";
/// The second call, Subtract, Seq 1: no definitions any more.
pub const GO_SECOND_CALL: &str = "
    1bff8201144d79496e746572666163652e537562747261637401010009ff8401
    110112010100";
pub const GO_SECOND_REPLY: &str = "
    1bff8201144d79496e746572666163652e537562747261637401010003040045";
/// A first reply that is an error (Divide by zero): Response with
/// Error, then the definition of struct{} and an empty struct.
pub const GO_ERROR_REPLY: &str = "
    3aff8103010108526573706f6e736501ff82000103010d536572766963654d65
    74686f64010c00010353657101060001054572726f72010c00000029ff820112
    4d79496e746572666163652e44697669646502106469766973696f6e20627920
    7a65726f000aff83030102ff8400000003ff8400";

#[test]
fn the_encoder_writes_what_gos_client_writes() {
    let mut enc = Encoder::default();
    assert_eq!(enc.call(0, ADD, &MyInts::BOOK).to_vec(), hex(GO_FIRST_CALL));
    assert_eq!(
        enc.call(1, SUBTRACT, &MyInts::BOOK).to_vec(),
        hex(GO_SECOND_CALL)
    );
}

#[test]
fn the_encoder_writes_what_gos_server_writes() {
    let resp = |m: &str, seq, e: &str| Response {
        service_method: m.into(),
        seq,
        error: e.into(),
    };
    let mut enc = Encoder::default();
    assert_eq!(
        enc.reply(&resp(ADD, 0, ""), Some(1)).to_vec(),
        hex(GO_FIRST_REPLY)
    );
    assert_eq!(
        enc.reply(&resp(SUBTRACT, 1, ""), Some(-35)).to_vec(),
        hex(GO_SECOND_REPLY)
    );
    let mut enc = Encoder::default();
    let e = resp("MyInterface.Divide", 0, "division by zero");
    assert_eq!(enc.reply(&e, None).to_vec(), hex(GO_ERROR_REPLY));
}

fn values(bytes: &[u8]) -> (Decoder, Vec<(TypeId, Node)>) {
    let mut dec = Decoder::default();
    let mut r = bytes;
    let mut raw = Vec::new();
    let mut out = Vec::new();
    while let Some(v) = dec.read_value(&mut r, Some(&mut raw)).unwrap() {
        out.push(v);
    }
    assert_eq!(raw, bytes, "every byte read is kept for --dump");
    (dec, out)
}

#[test]
fn the_decoder_reads_what_gos_client_writes() {
    let mut all = hex(GO_FIRST_CALL);
    all.extend(hex(GO_SECOND_CALL));
    let (dec, v) = values(&all);
    assert_eq!(v.len(), 4);
    let t = &dec.types;
    let req = |i: usize| request(t, v[i].0, &v[i].1).unwrap();
    let args = |i: usize| my_ints(t, v[i].0, &v[i].1).unwrap();
    assert_eq!(
        req(0),
        Request {
            service_method: ADD.into(),
            seq: 0
        }
    );
    assert_eq!(args(1), MyInts::BOOK);
    assert_eq!((req(2).service_method.as_str(), req(2).seq), (SUBTRACT, 1));
    assert_eq!(args(3), MyInts::BOOK);
    assert_eq!(t.name(REQUEST), "\"Request\"");
}

#[test]
fn the_decoder_reads_what_gos_server_writes() {
    let mut all = hex(GO_FIRST_REPLY);
    all.extend(hex(GO_SECOND_REPLY));
    let (dec, v) = values(&all);
    let t = &dec.types;
    assert_eq!(response(t, v[0].0, &v[0].1).unwrap().error, "");
    assert_eq!(int(t, v[1].0, &v[1].1), Ok(1));
    assert_eq!(response(t, v[2].0, &v[2].1).unwrap().seq, 1);
    assert_eq!(int(t, v[3].0, &v[3].1), Ok(-35));
    let (dec, v) = values(&hex(GO_ERROR_REPLY));
    let head = response(&dec.types, v[0].0, &v[0].1).unwrap();
    assert_eq!(head.error, "division by zero");
    assert_eq!(dec.types.name(v[1].0), "struct {}");
}

#[test]
fn values_of_the_wrong_type_are_refused_as_go_refuses_them() {
    // A call header where MyInts belongs, and an int where a
    // Request belongs.
    let (dec, v) = values(&hex(GO_FIRST_CALL));
    let e = my_ints(&dec.types, v[0].0, &v[0].1).unwrap_err();
    assert_eq!(
        e.to_string(),
        "gob: \"Request\" has no fields in common with MyInts"
    );
    let (dec, v) = values(&hex(GO_FIRST_REPLY));
    let e = request(&dec.types, v[1].0, &v[1].1).unwrap_err();
    assert_eq!(e.to_string(), "gob: Request wanted, got int");
    // Seq sent as a string: a common field of another kind.
    let mut enc = BytesMut::new();
    enc.put(define(70, "R", &[("Seq", STRING)]));
    enc.put(value(70, |w| w.bytes(0, b"x")));
    let (dec, v) = values(&enc);
    let e = request(&dec.types, v[0].0, &v[0].1).unwrap_err();
    assert_eq!(e.to_string(), "gob: Request.Seq is string, wants uint");
}

#[test]
fn a_definition_before_a_close_is_a_cut_call() {
    let first = hex(GO_FIRST_CALL);
    let mut r = &first[..48]; // the Request definition only
    let e = Decoder::default().read_value(&mut r, None);
    assert!(matches!(e, Err(ReadError::ClosedMidMessage)), "{e:?}");
}

#[test]
fn defining_a_type_twice_or_one_of_gobs_is_refused() {
    let def = define(65, "A", &[("X", INT)]);
    let mut twice = def.to_vec();
    twice.extend_from_slice(&def);
    let e = Decoder::default().read_value(&mut &twice[..], None);
    let want = GobError::DuplicateType(65);
    assert!(matches!(e, Err(ReadError::Malformed(ref g)) if *g == want));
    let gobs = define(20, "B", &[]);
    let e = Decoder::default().read_value(&mut &gobs[..], None);
    assert!(matches!(
        e,
        Err(ReadError::Malformed(GobError::DuplicateType(20)))
    ));
}

#[test]
fn too_many_types_and_too_deep_values_are_refused() {
    let mut many = Vec::new();
    for id in 0..40 {
        many.extend_from_slice(&define(100 + id, "T", &[("X", INT)]));
    }
    let e = Decoder::default().read_value(&mut &many[..], None);
    assert!(matches!(
        e,
        Err(ReadError::Malformed(GobError::TooManyTypes))
    ));
    // type 70 = struct { X 70 }: each value holds another, 40 deep.
    let mut deep = define(70, "Deep", &[("X", 70)]).to_vec();
    let mut body = BytesMut::new();
    put_int(&mut body, 70);
    for _ in 0..40 {
        body.put_u8(1); // delta to field X, whose value is a Deep
    }
    body.put_slice(&[0; 41]);
    deep.extend_from_slice(&message(&body));
    let e = Decoder::default().read_value(&mut &deep[..], None);
    assert!(matches!(e, Err(ReadError::Malformed(GobError::TooDeep))));
}

#[test]
fn bytes_after_a_value_are_refused() {
    let mut body = BytesMut::new();
    put_int(&mut body, INT);
    body.put_slice(&[0, 2, 9]);
    let m = message(&body);
    let e = Decoder::default().read_value(&mut &m[..], None);
    assert!(matches!(
        e,
        Err(ReadError::Malformed(GobError::Trailing(1)))
    ));
}

#[test]
fn many_values_or_a_long_definition_are_refused() {
    // A []bool of 2000 elements: 2002 bytes, more values than allowed.
    let mut types = define(70, "T", &[("X", 71)]).to_vec();
    let mut slice = BytesMut::new();
    put_int(&mut slice, -71);
    let mut w = StructWriter::new(&mut slice);
    let mut st = StructWriter::new(w.field(1)); // wireType.SliceT
    let mut common = StructWriter::new(st.field(0));
    common.int(1, 71);
    common.end();
    st.int(1, BOOL); // Elem
    st.end();
    w.end();
    types.extend_from_slice(&message(&slice));
    let mut body = BytesMut::new();
    put_int(&mut body, 70);
    body.put_u8(1);
    super::super::wire::put_uint(&mut body, 2000);
    body.put_slice(&[1; 2000]);
    body.put_u8(0);
    types.extend_from_slice(&message(&body));
    let e = Decoder::default().read_value(&mut &types[..], None);
    assert!(matches!(
        e,
        Err(ReadError::Malformed(GobError::TooManyValues))
    ));
    // A struct type with a name of 5000 bytes.
    let long = define(70, &"N".repeat(5000), &[("X", INT)]);
    let e = Decoder::default().read_value(&mut &long[..], None);
    assert!(matches!(
        e,
        Err(ReadError::Malformed(GobError::DefinitionTooLong(_)))
    ));
}
