//! Check of exercise 2 on docs/src/raw-ping.md: `-s SIZE`.
//!
//! Run it with `scripts/exercise raw-ping 2` (as root: it pings).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Cmd, Out};

const PING: &str = env!("CARGO_BIN_EXE_ping");

fn ping(args: &[&str]) -> Out {
    Cmd::new(PING).args(args).run()
}

fn need_root() {
    assert!(
        testkit::is_root(),
        "hint: this check sends real pings, so it must run as root: \
         sudo env \"PATH=$PATH\" CARGO_TARGET_DIR=/tmp/netprog-root scripts/exercise raw-ping 2"
    );
}

/// Ping 127.0.0.1 once with `-s size`; check the first line and the
/// reply line.
fn ping_with_size(size: usize) {
    let s = size.to_string();
    let out = ping(&["-s", &s, "-c", "1", "127.0.0.1"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ping -s {size} -c 1 127.0.0.1` should work; add -s to parse_args\n{}",
        out.describe()
    );
    let first = format!(
        "PING 127.0.0.1 (127.0.0.1) {size}({}) bytes of data.",
        size + 28
    );
    assert_eq!(
        out.stdout.lines().next(),
        Some(first.as_str()),
        "hint: the first line gives the payload size, then with 28 bytes of headers\n{}",
        out.describe()
    );
    let reply = format!("{} bytes from 127.0.0.1: icmp_seq=1 ttl=", size + 8);
    assert!(
        out.stdout.lines().any(|l| l.starts_with(&reply)),
        "hint: with -s {size} the reply is {} bytes of ICMP: send a payload of \
         that size (raw_ping::payload)\n{}",
        size + 8,
        out.describe()
    );
}

#[test]
fn payload_of_100_bytes() {
    need_root();
    ping_with_size(100);
}

#[test]
fn bare_header_like_the_book() {
    need_root();
    ping_with_size(0);
}

#[test]
fn largest_payload_fits_one_datagram() {
    need_root();
    ping_with_size(65507);
}

#[test]
fn default_is_still_56() {
    need_root();
    ping_with_size(56);
    let out = ping(&["-c", "1", "127.0.0.1"]);
    assert!(
        out.stdout.contains("64 bytes from 127.0.0.1: icmp_seq=1"),
        "hint: without -s, keep 56 bytes of payload\n{}",
        out.describe()
    );
}

#[test]
fn too_large_or_not_a_number() {
    for bad in ["65508", "-1", "big"] {
        let out = ping(&["-s", bad, "-c", "1", "127.0.0.1"]);
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert!(
            out.code == Some(1) && lines.len() == 1,
            "hint: `-s {bad}` should end with exit status 1 and one line on stderr\n{}",
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
