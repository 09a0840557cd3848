//! Check of exercise 1 on docs/src/raw-ping.md: `-t TTL`.
//!
//! Run it with `scripts/exercise raw-ping 1` (as root: it pings).
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
         sudo env \"PATH=$PATH\" CARGO_TARGET_DIR=/tmp/netprog-root scripts/exercise raw-ping 1"
    );
}

#[test]
fn ttl_3_is_what_our_own_request_carries() {
    need_root();
    let out = ping(&["-v", "-t", "3", "-c", "1", "127.0.0.1"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ping -v -t 3 -c 1 127.0.0.1` should work; add -t to parse_args\n{}",
        out.describe()
    );
    let own = out.stdout.lines().any(|l| {
        l.starts_with("ignored ")
            && l.ends_with(
                " ttl=3 icmp_seq=1: echo request (type 8): our own request",
            )
    });
    assert!(
        own,
        "hint: with -v, our own request should show ttl=3: set IP_TTL on the \
         socket with set_ttl_v4 before sending\n{}",
        out.describe()
    );
    assert!(
        out.stdout.lines().any(|l| l
            .starts_with("64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=")),
        "hint: the reply's TTL is chosen by whoever replies (64 here); print the \
         reply's, not ours\n{}",
        out.describe()
    );
}

#[test]
fn bad_ttl_is_a_one_line_error() {
    for bad in ["0", "256", "ten"] {
        let out = ping(&["-t", bad, "-c", "1", "127.0.0.1"]);
        let lines: Vec<&str> = out.stderr.lines().collect();
        assert!(
            out.code == Some(1) && lines.len() == 1,
            "hint: `-t {bad}` should end with exit status 1 and one line on stderr\n{}",
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
}

#[test]
fn without_t_the_ttl_is_the_default() {
    need_root();
    let out = ping(&["-v", "-c", "1", "127.0.0.1"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        !out.stdout.contains(" ttl=3 "),
        "hint: without -t, leave the kernel's default TTL alone\n{}",
        out.describe()
    );
}
