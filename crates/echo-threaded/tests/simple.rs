//! simple-echo-server: one client at a time, each chunk logged.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::{ErrorKind, Read, Write};
use testkit::WAIT;

/// A second client is accepted by the kernel but gets no echo until
/// the first one leaves. No sleeps: the second client's read times out
/// (nothing arrives) while the first is connected, then succeeds.
#[test]
fn a_second_client_waits_for_the_first() {
    let mut s = start(SIMPLE, &[]);
    let addr = s.socket_addr();
    let mut first = connect(addr);
    assert_eq!(echo_on(&mut first, b"one\n"), b"one\n");

    // The handshake completes (the kernel queues the connection)...
    let mut second = connect(addr);
    second.write_all(b"two\n").unwrap();
    // ...but nobody reads it: no echo within QUIET.
    second.set_read_timeout(Some(QUIET)).unwrap();
    let mut buf = [0u8; 4];
    let err = read_once(&mut second, &mut buf)
        .expect_err("the second client must get no echo yet");
    assert!(
        matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
        "{err}"
    );
    // The first client is still being served meanwhile.
    assert_eq!(echo_on(&mut first, b"again\n"), b"again\n");

    // When the first one leaves, the second gets its echo.
    drop(first);
    second.set_read_timeout(Some(WAIT)).unwrap();
    second
        .read_exact(&mut buf)
        .expect("the echo after the first client left");
    assert_eq!(&buf, b"two\n");
    drop(second); // or the fresh client would wait behind it
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// Go's Println(string(buf[0:n])) adds a newline to each chunk: `x\n`
/// is logged as `x` and an empty line.
#[test]
fn each_chunk_is_logged_with_an_extra_newline() {
    let s = start(SIMPLE, &[]);
    let mut c = connect(s.socket_addr());
    assert_eq!(echo_on(&mut c, b"x\n"), b"x\n");
    assert_eq!(echo_on(&mut c, b"no newline"), b"no newline");
    let want = ["x", "", "no newline"];
    let ok = s.wait_output(|l| l.len() >= 4 && l[1..4] == want, WAIT);
    assert!(ok, "stdout was {:?}", s.stdout());
}
