//! Check for exercise 3 of docs/src/echo-threaded.md:
//! `threaded-ip-echo-server --upper` answers in upper case.
//! Run it with `scripts/exercise echo-threaded 3`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use testkit::{Cmd, Server};

/// Fail with a hint while the option does not exist yet.
fn start_upper() -> Server {
    let out = Cmd::new(IP).args(["--upper", "not-an-address"]).run();
    assert!(
        !out.stderr.starts_with("usage:"),
        "hint: threaded-ip-echo-server does not accept --upper yet: let main \
         take it before the optional address (it prints the usage line now)"
    );
    start(IP, &["--upper"])
}

#[test]
fn letters_come_back_in_upper_case() {
    let s = start_upper();
    let mut c = connect(s.socket_addr());
    let back = echo_on(&mut c, b"hello, World 42\n");
    assert_eq!(
        String::from_utf8_lossy(&back),
        "HELLO, WORLD 42\n",
        "hint: change the bytes in the buffer before writing them back"
    );
}

#[test]
fn other_bytes_are_untouched() {
    let s = start_upper();
    let mut c = connect(s.socket_addr());
    let msg = "é ß \u{1F600} 7\n\0\u{ff}".as_bytes();
    let back = echo_on(&mut c, msg);
    let want = "é ß \u{1F600} 7\n\0\u{ff}".as_bytes();
    assert_eq!(
        back, want,
        "hint: only the ASCII letters a-z change; bytes of other characters \
         (UTF-8 or not) must come back as they were, or the echo is garbled"
    );
}

#[test]
fn a_long_stream_is_upper_cased_throughout() {
    let s = start_upper();
    let mut c = connect(s.socket_addr());
    let msg: Vec<u8> = (0..100_000).map(|i| b'a' + (i % 26) as u8).collect();
    let back = echo_on(&mut c, &msg);
    let want: Vec<u8> = (0..100_000).map(|i| b'A' + (i % 26) as u8).collect();
    assert!(
        back == want,
        "hint: every chunk, not only the first, must be upper-cased"
    );
}

#[test]
fn without_the_option_it_still_echoes_as_is() {
    let _ = start_upper();
    let s = start(IP, &[]);
    let mut c = connect(s.socket_addr());
    assert_eq!(
        echo_on(&mut c, b"hello\n"),
        b"hello\n",
        "hint: without --upper the echo must not change"
    );
    let s = start(THREADED, &[]);
    let mut c = connect(s.socket_addr());
    assert_eq!(
        echo_on(&mut c, b"hello\n"),
        b"hello\n",
        "hint: change threaded-ip-echo-server only"
    );
}

#[test]
fn the_option_works_with_an_address_too() {
    let _ = start_upper();
    let s = Server::start(IP, &["--upper", "[::1]:0"]);
    let mut c = connect(s.socket_addr());
    assert_eq!(
        echo_on(&mut c, b"ipv6\n"),
        b"IPV6\n",
        "hint: `--upper [::1]:0` should listen on [::1] and upper-case"
    );
}
