//! Check for exercise 1 of docs/src/echo-threaded.md: simple-echo-server
//! closes a client that has sent nothing for 2 seconds, so that one
//! silent client no longer blocks everybody else.
//! Run it with `scripts/exercise echo-threaded 1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::{Read, Write};
use std::time::{Duration, Instant};
use testkit::WAIT;

#[test]
fn a_silent_client_no_longer_blocks_the_next_one() {
    let mut s = start(SIMPLE, &[]);
    let addr = s.socket_addr();
    let mut silent = connect(addr);
    assert_eq!(echo_on(&mut silent, b"then silence\n"), b"then silence\n");

    let started = Instant::now();
    let mut next = connect(addr);
    next.write_all(b"my turn?\n").unwrap();
    next.set_read_timeout(Some(Duration::from_secs(6))).unwrap();
    let mut buf = [0u8; 9];
    let got = next.read_exact(&mut buf);
    assert!(
        got.is_ok(),
        "hint: the second client got no echo within 6 s while the first sat \
         silent. Give the connection a read timeout of 2 s before the read \
         loop (TcpStream::set_read_timeout), so the silent client's read \
         fails and handle_client returns."
    );
    assert_eq!(&buf, b"my turn?\n");
    assert!(
        started.elapsed() >= Duration::from_millis(1500),
        "hint: the second client was served at once: the first should be \
         given about 2 s before it is closed, not dropped straight away"
    );
    answers_fresh_client(&mut s, Speaks::Echo);
}

#[test]
fn the_silent_client_is_closed_and_logged() {
    let s = start(SIMPLE, &[]);
    let mut silent = connect(s.socket_addr());
    assert_eq!(echo_on(&mut silent, b"hi\n"), b"hi\n");
    let me = silent.local_addr().unwrap().to_string();
    silent
        .set_read_timeout(Some(Duration::from_secs(6)))
        .unwrap();
    let mut buf = [0u8; 8];
    let r = read_once(&mut silent, &mut buf);
    assert!(
        matches!(r, Ok(0)),
        "hint: after 2 s of silence the server should close the connection \
         (the client reads end of file); got {r:?}"
    );
    let want = format!("{me}: idle for more than 2 s, closing");
    let line = s.wait_err_line(|l| l == want, WAIT);
    assert!(
        line.is_some(),
        "hint: log one line on stderr: {want:?} (tell a timeout apart with \
         echo_threaded::is_timeout); stderr was {:?}",
        s.stderr()
    );
}

#[test]
fn a_talking_client_is_still_echoed_and_logged() {
    let s = start(SIMPLE, &[]);
    let mut c = connect(s.socket_addr());
    for i in 0..5 {
        let msg = format!("line {i}\n");
        assert_eq!(
            echo_on(&mut c, msg.as_bytes()),
            msg.as_bytes(),
            "hint: the echo itself must not change"
        );
    }
    let ok = s.wait_output(|l| l.iter().any(|x| x == "line 4"), WAIT);
    assert!(ok, "hint: keep logging each chunk on stdout as before");
}
