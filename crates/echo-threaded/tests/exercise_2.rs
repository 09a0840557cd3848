//! Check for exercise 2 of docs/src/echo-threaded.md:
//! `threaded-echo-server --max-clients N` serves at most N clients at
//! once and turns the next ones away politely.
//! Run it with `scripts/exercise echo-threaded 2`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::Read;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server, WAIT};

const BUSY: &str = "server busy: 2 clients connected, try again later\n";

/// Fail with a hint, rather than a panic from deep inside testkit,
/// while the option does not exist yet.
fn start_capped() -> Server {
    let out = Cmd::new(THREADED)
        .args(["--max-clients", "2", "not-an-address"])
        .run();
    assert!(
        !out.stderr.starts_with("usage:"),
        "hint: threaded-echo-server does not know --max-clients yet: teach \
         parse_args the option (a number of clients, at least 1)"
    );
    start(THREADED, &["--max-clients", "2"])
}

/// Everything a connection receives until the server closes it.
fn read_all(addr: SocketAddr) -> String {
    let mut c = connect(addr);
    let mut s = String::new();
    let _ = c.read_to_string(&mut s);
    s
}

#[test]
fn the_third_client_is_turned_away() {
    let mut s = start_capped();
    let addr = s.socket_addr();
    let mut a = connect(addr);
    let mut b = connect(addr);
    assert_eq!(
        echo_on(&mut a, b"a\n"),
        b"a\n",
        "hint: two clients must be served"
    );
    assert_eq!(
        echo_on(&mut b, b"b\n"),
        b"b\n",
        "hint: two clients must be served"
    );
    let third = read_all(addr);
    assert_eq!(
        third, BUSY,
        "hint: with 2 clients connected, a third should receive exactly \
         {BUSY:?} and be closed"
    );
    assert_eq!(
        echo_on(&mut a, b"a2\n"),
        b"a2\n",
        "hint: the first two go on"
    );
    assert_eq!(
        echo_on(&mut b, b"b2\n"),
        b"b2\n",
        "hint: the first two go on"
    );
    assert!(
        s.wait_err_line(|l| l.contains("refused"), WAIT).is_some(),
        "hint: log the refusal on stderr (a line containing `refused`)"
    );
    assert!(s.is_running());
}

#[test]
fn a_place_frees_up_when_a_client_leaves() {
    let s = start_capped();
    let addr = s.socket_addr();
    let mut a = connect(addr);
    let mut b = connect(addr);
    assert_eq!(echo_on(&mut a, b"a\n"), b"a\n");
    assert_eq!(echo_on(&mut b, b"b\n"), b"b\n");
    drop(a);
    // The server notices the departure a moment later: poll, bounded.
    let deadline = Instant::now() + WAIT;
    loop {
        let mut c = connect(addr);
        let back = echo_on(&mut c, b"x");
        if back == b"x" {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "hint: when a client leaves, count it out (a guard whose Drop \
             decrements the counter is a tidy way) so a new one is served"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(echo_on(&mut b, b"b2\n"), b"b2\n");
}

#[test]
fn a_bad_cap_is_refused() {
    let out = Cmd::new(THREADED).args(["--max-clients", "0"]).run();
    assert_eq!(
        out.code,
        Some(1),
        "hint: --max-clients 0 makes no sense: exit 1 with a Fatal error line"
    );
    assert!(
        out.stderr.starts_with("Fatal error: --max-clients"),
        "hint: say `Fatal error: --max-clients ...`; it said {:?}",
        out.stderr
    );
}
