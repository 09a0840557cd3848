//! Check for exercise 8 of docs/src/rpc.md (the chapter's exercise 8,
//! made concrete): `MyInterface.Multiply` and `MyInterface.Divide`,
//! with an error reply for a division by zero, in both encodings,
//! and as Go's rpc.ServerError for a Go client.
//! Run it with `scripts/exercise rpc 8`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rpc::codec::{ClientReply, Encoding};
use rpc::{ADD, MyInts};
use testkit::Cmd;

const MULTIPLY: &str = "MyInterface.Multiply";
const DIVIDE: &str = "MyInterface.Divide";

fn client(args: &[&str]) -> testkit::Out {
    Cmd::new(CLIENT).args(args).run()
}

/// Like `Conn::call`, but a connection closed without a reply (what a
/// panicking server thread does) comes back as a hint, not a crash.
fn try_call(
    c: &mut Conn,
    seq: u64,
    method: &str,
    args: &MyInts,
) -> ClientReply {
    c.send(seq, method, args);
    match c.codec.read_reply(&mut c.s, &mut Vec::new()) {
        Ok(reply) => reply,
        Err(e) => panic!(
            "hint: the server closed the connection ({e}) instead of \
             answering {method} of {args:?}. Did its thread panic? Look at \
             the server's stderr: an integer division by zero panics in \
             Rust, and so does a multiplication that overflows (use \
             i128::checked_mul)"
        ),
    }
}

#[test]
fn the_books_arguments_through_rpc_client() {
    let srv = server();
    // (-17) * 18 = -306 and (-17) / 18 = 0: integer division rounds
    // toward zero, in Go and in Rust alike.
    for (method, want) in [
        (MULTIPLY, "Reply (Multiply): -306\n"),
        (DIVIDE, "Reply (Divide): 0\n"),
    ] {
        let out = client(&["--call", method, &srv.addr]);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (Some(0), want),
            "hint: register {method:?} in rpc-server; `rpc-client --call \
             {method} ADDR` should print {want:?}. It said:\n{}",
            out.describe()
        );
    }
}

#[test]
fn signs_are_applied_as_for_add_and_subtract() {
    // Worked out by hand: s1*A1 (op) s2*A2.
    let cases = [
        (MULTIPLY, ints(6, 7, false, false), 42),
        (MULTIPLY, ints(6, 7, true, false), -42),
        (MULTIPLY, ints(6, 7, true, true), 42),
        (MULTIPLY, ints(0, 7, true, false), 0),
        (DIVIDE, ints(7, 2, false, false), 3),
        (DIVIDE, ints(7, 2, false, true), -3),
        (DIVIDE, ints(7, 2, true, true), 3),
        (DIVIDE, ints(0, 5, false, false), 0),
    ];
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        for (i, (method, args, want)) in cases.into_iter().enumerate() {
            let r = try_call(&mut c, i as u64 + 1, method, &args);
            assert_eq!(
                r.result,
                Ok(want),
                "hint: {method} of {args:?} should be {want}: apply the \
                 signs with args.signed() as add() does, then multiply or \
                 divide"
            );
        }
    }
}

#[test]
fn division_rounds_toward_zero() {
    let srv = server();
    let mut c = Conn::new(srv.socket_addr(), Encoding::Gob);
    // -7 / 2 is -3.5: toward zero -3 (Go's and Rust's `/`), not the
    // -4 of rounding down (div_euclid, floor).
    let r = try_call(&mut c, 0, DIVIDE, &ints(7, 2, true, false));
    assert_eq!(
        r.result,
        Ok(-3),
        "hint: -7 / 2 must be -3: integer division rounds toward zero, \
         as `/` does on i128"
    );
}

#[test]
fn division_by_zero_is_an_error_reply_and_the_connection_stays() {
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        let r = try_call(&mut c, 5, DIVIDE, &ints(7, 0, false, false));
        assert_eq!(
            (r.seq, r.result),
            (5, Err("division by zero".to_string())),
            "hint: check the divisor first and return \
             Err(\"division by zero\".into()); an integer division by zero \
             panics in Rust"
        );
        // Zero is zero, whatever its sign flag says.
        let r = try_call(&mut c, 6, DIVIDE, &ints(7, 0, false, true));
        assert_eq!(r.result, Err("division by zero".to_string()));
        // The connection is still open and the server still answers.
        assert_eq!(
            c.call(7, ADD, &MyInts::BOOK).result,
            Ok(1),
            "hint: an error reply must leave the connection open"
        );
    }
}

#[test]
fn rpc_client_prints_the_servers_error() {
    let srv = server();
    let out =
        client(&["--call", DIVIDE, "--args", "7,0,false,false", &srv.addr]);
    let want = "MyInterface.Divide: the server says: division by zero";
    assert_eq!(
        (out.code, out.stderr.trim_end()),
        (Some(100), want),
        "hint: the server should answer with the error message \
         \"division by zero\""
    );
}

#[test]
fn a_go_client_gets_the_error_as_an_rpc_server_error() {
    let bin = testkit::go_program(env!("CARGO_MANIFEST_DIR"), "netrpc-client");
    let Some(bin) = bin else { return };
    let srv = server();
    let run = |args: &[&str]| {
        let mut a = vec![srv.addr.as_str()];
        a.extend_from_slice(args);
        Cmd::new(bin.to_str().unwrap()).args(&a).run()
    };
    let out = run(&[DIVIDE, "7,0,false,false"]);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(1), "rpc.ServerError: division by zero\n"),
        "hint: a Go net/rpc client should get Go's rpc.ServerError with \
         the words \"division by zero\"; it said:\n{}",
        out.describe()
    );
    let out = run(&[MULTIPLY, "17,18,true,false"]);
    assert_eq!(out.stdout, "Reply (Multiply): -306\n", "{}", out.describe());
}

#[test]
fn results_too_big_are_errors_not_crashes() {
    let srv = server();
    let mut c = Conn::new(srv.socket_addr(), Encoding::Gob);
    // 2^32 * 2^32 = 2^64: too big for an i64, fine in an i128.
    // (2^64-1)^2 is too big even for the i128 that signed() returns.
    for (seq, args) in [
        (0, ints(1 << 32, 1 << 32, false, false)),
        (1, ints(u64::MAX, u64::MAX, false, false)),
    ] {
        let r = try_call(&mut c, seq, MULTIPLY, &args);
        let ok = matches!(&r.result,
            Err(m) if m.contains("does not fit in an int64"));
        assert!(
            ok,
            "hint: {MULTIPLY} of {args:?} must be an error reply saying the \
             result \"does not fit in an int64\" (use fit(), and \
             i128::checked_mul for the product, which can overflow even an \
             i128); got {:?}",
            r.result
        );
    }
    // -2^63 / -1 = 2^63: one more than i64::MAX.
    let r = try_call(&mut c, 2, DIVIDE, &ints(1 << 63, 1, true, true));
    assert!(
        matches!(&r.result, Err(m) if m.contains("does not fit in an int64")),
        "hint: {DIVIDE} of -2^63 by -1 does not fit in an i64; got {:?}",
        r.result
    );
}
