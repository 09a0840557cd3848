//! Check of exercise 2 on docs/src/raw-ping.md: `-s SIZE`.
//!
//! Run it with `scripts/exercise raw-ping 2`. It pings, so ping needs
//! a socket: root, CAP_NET_RAW on the binary, or a group inside
//! net.ipv4.ping_group_range (the check says how when it has none).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use testkit::{Cmd, Out};

const PING: &str = env!("CARGO_BIN_EXE_ping");

fn ping(args: &[&str]) -> Out {
    Cmd::new(PING).args(args).run()
}

/// Ping 127.0.0.1 once with `-s size` (no `-s` for None); check the
/// first line and the reply line.
fn ping_with_size(size: Option<usize>) {
    common::ping_socket(PING);
    let shown = size.unwrap_or(56);
    let s = shown.to_string();
    let args = match size {
        Some(_) => vec!["-s", &s, "-c", "1", "127.0.0.1"],
        None => vec!["-c", "1", "127.0.0.1"],
    };
    let out = ping(&args);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ping {}` should work; add -s to parse_args\n{}",
        args.join(" "),
        out.describe()
    );
    let first = format!(
        "PING 127.0.0.1 (127.0.0.1) {shown}({}) bytes of data.",
        shown + 28
    );
    assert_eq!(
        out.stdout.lines().next(),
        Some(first.as_str()),
        "hint: the first line gives the payload size, then the size with \
         28 bytes of headers (20 IPv4, 8 ICMP)\n{}",
        out.describe()
    );
    // A raw socket's reply line has `ttl=`, a datagram socket's not.
    let reply = format!("{} bytes from 127.0.0.1: icmp_seq=1 ", shown + 8);
    assert!(
        out.stdout.lines().any(|l| l.starts_with(&reply)),
        "hint: with -s {shown} the reply is {} bytes of ICMP (8 of header \
         and the payload): send a payload of that size (raw_ping::payload)\
         \n{}",
        shown + 8,
        out.describe()
    );
}

#[test]
fn payload_of_100_bytes() {
    ping_with_size(Some(100));
}

#[test]
fn bare_header_like_the_book() {
    ping_with_size(Some(0));
}

#[test]
fn largest_payload_fits_one_datagram() {
    ping_with_size(Some(65507));
}

#[test]
fn default_is_still_56() {
    ping_with_size(Some(56));
    ping_with_size(None);
}

#[test]
fn too_large_or_not_a_number() {
    for bad in ["65508", "65536", "-1", "big", ""] {
        let out = ping(&["-s", bad, "-c", "1", "127.0.0.1"]);
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert!(
            out.code == Some(1) && lines.len() == 1,
            "hint: `-s {bad}` should end with exit status 1 and one line \
             on stderr\n{}",
            out.describe()
        );
        assert!(
            !lines[0].contains("unknown option"),
            "hint: -s is not an option yet: add it to parse_args"
        );
        assert!(
            lines[0].contains("65507"),
            "hint: say what the largest size is (65507): {}",
            lines[0]
        );
    }
}
