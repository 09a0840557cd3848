//! Check of exercise 1 on docs/src/raw-ping.md: `-t TTL`.
//!
//! Run it with `scripts/exercise raw-ping 1`. Seeing the TTL of our own
//! request takes a raw socket: root, or CAP_NET_RAW on the binary (the
//! check says how when ping has neither).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use testkit::{Cmd, Out};

const PING: &str = env!("CARGO_BIN_EXE_ping");

fn ping(args: &[&str]) -> Out {
    Cmd::new(PING).args(args).run()
}

/// The line `-v` prints for our own request, with the TTL it carried.
fn own_request_ttl(out: &Out) -> Option<u8> {
    out.stdout.lines().find_map(|l| {
        let rest = l.strip_prefix("ignored 64 bytes from 127.0.0.1 ttl=")?;
        let (ttl, why) = rest.split_once(' ')?;
        why.ends_with("our own echo request")
            .then(|| ttl.parse().ok())?
    })
}

#[test]
fn ttl_3_is_what_our_own_request_carries() {
    common::need_raw_socket(PING, "the TTL of our own request");
    let out = ping(&["-v", "-t", "3", "-c", "1", "127.0.0.1"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ping -v -t 3 -c 1 127.0.0.1` should work; add -t to \
         parse_args\n{}",
        out.describe()
    );
    assert_eq!(
        own_request_ttl(&out),
        Some(3),
        "hint: with -v, our own request should show ttl=3: set IP_TTL on \
         the socket with set_ttl_v4 before the first request is sent\n{}",
        out.describe()
    );
    assert!(
        out.stdout.lines().any(|l| l
            .starts_with("64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=")),
        "hint: the reply's TTL is chosen by whoever replies (64 here); \
         print the reply's, not ours\n{}",
        out.describe()
    );
}

#[test]
fn every_request_carries_it() {
    common::need_raw_socket(PING, "the TTL of our own requests");
    let out = ping(&["-v", "-t", "7", "-c", "2", "-i", "0.05", "127.0.0.1"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let own: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.ends_with("our own echo request"))
        .collect();
    assert!(
        own.len() == 2 && own.iter().all(|l| l.contains(" ttl=7 ")),
        "hint: both requests should leave with ttl=7: set the TTL once, on \
         the socket, before the first send\n{}",
        out.describe()
    );
}

#[test]
fn bad_ttl_is_a_one_line_error() {
    for bad in ["0", "256", "-1", "ten", ""] {
        let out = ping(&["-t", bad, "-c", "1", "127.0.0.1"]);
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert!(
            out.code == Some(1) && lines.len() == 1,
            "hint: `-t {bad}` should end with exit status 1 and one line \
             on stderr\n{}",
            out.describe()
        );
        assert!(
            !lines[0].contains("unknown option"),
            "hint: -t is not an option yet: add it to parse_args"
        );
        let l = lines[0].to_lowercase();
        assert!(
            l.contains("-t") || l.contains("ttl"),
            "hint: the message for `-t {bad}` should name -t or the TTL: {}",
            lines[0]
        );
    }
    let out = ping(&["-c", "1", "127.0.0.1", "-t"]);
    assert!(
        out.code == Some(1) && out.stderr.lines().count() == 1,
        "hint: `-t` without a value is a usage error too\n{}",
        out.describe()
    );
}

#[test]
fn without_t_the_ttl_is_the_default() {
    common::need_raw_socket(PING, "the TTL of our own request");
    let out = ping(&["-v", "-c", "1", "127.0.0.1"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    let default: u8 =
        std::fs::read_to_string("/proc/sys/net/ipv4/ip_default_ttl")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    assert_eq!(
        own_request_ttl(&out),
        Some(default),
        "hint: without -t, leave the kernel's default TTL \
         (net.ipv4.ip_default_ttl, {default}) alone\n{}",
        out.describe()
    );
}
