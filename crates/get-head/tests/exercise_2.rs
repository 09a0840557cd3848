//! Check of exercise 2 on docs/src/get-head.md: turn get-head-info's
//! read timeout (a limit on each read) into a deadline for the whole
//! response, as Go's SetReadDeadline is.
//!
//! Run it with: scripts/exercise get-head 2
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Write;
use std::time::{Duration, Instant};
use support::{PyHttp, serve_once};
use testkit::Cmd;

const EXE: &str = env!("CARGO_BIN_EXE_get-head-info");

#[test]
fn a_server_that_trickles_is_cut_off_at_the_deadline() {
    // One byte every 100 ms for 4 s: each read gets data long before
    // a 1 s timeout, but the whole answer takes 4 s.
    let (addr, _server) = serve_once("127.0.0.1:0", |conn| {
        for _ in 0..40 {
            if conn.write_all(b"x").is_err() {
                return; // the client gave up: good
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    let start = Instant::now();
    let out = Cmd::new(EXE)
        .args([&addr.to_string()])
        .env("NETPROG_READ_TIMEOUT", "1")
        .run();
    let took = start.elapsed();
    assert!(
        out.code == Some(1) && took < Duration::from_millis(2500),
        "hint: with NETPROG_READ_TIMEOUT=1 the whole response must arrive \
         within 1 s. This server sends a byte every 100 ms for 4 s; your \
         program ran {took:?}. Compute a deadline once, then give each read \
         only the time that is left.\n{}",
        out.describe()
    );
    let prefix = format!("Fatal error: reading the response from {addr}: ");
    assert!(
        out.stderr.starts_with(&prefix) && out.stderr.lines().count() == 1,
        "hint: keep the `Fatal error: reading the response from ADDR: ...` \
         wording, on one line.\n{}",
        out.describe()
    );
    let why = &out.stderr[prefix.len()..];
    assert!(
        why.contains("deadline") && !why.contains("os error"),
        "hint: say that time ran out, with the word `deadline`, as the \
         page asks, not the raw error of the expired read; the message \
         was {why:?}"
    );
}

#[test]
fn a_prompt_server_is_still_read_in_full() {
    let Some(server) = PyHttp::start(&[]) else {
        return;
    };
    let out = Cmd::new(EXE)
        .args([&server.addr()])
        .env("NETPROG_READ_TIMEOUT", "2")
        .run();
    assert_eq!(
        out.code,
        Some(0),
        "hint: a quick answer must still work.\n{}",
        out.describe()
    );
    assert!(
        out.stdout.starts_with("HTTP/1.0 200 OK"),
        "{}",
        out.describe()
    );
}

#[test]
fn a_silent_server_still_times_out() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let start = Instant::now();
    let out = Cmd::new(EXE)
        .args([&addr.to_string()])
        .env("NETPROG_READ_TIMEOUT", "0.5")
        .run();
    assert!(
        out.code == Some(1) && start.elapsed() < Duration::from_secs(3),
        "hint: a server that never answers must still end in the timeout.\n{}",
        out.describe()
    );
    drop(listener);
}
