//! What the page says Go does, measured with small Go programs of this
//! crate (go/*.go), built and run here. Without Go these tests say
//! they were skipped (and fail under CI=true).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::net::Shutdown;
use testkit::{Cmd, Server};

/// TCPs reads into one buffer made before its accept loop and writes
/// the whole buffer back. A second client then gets its own bytes,
/// then what is left of the first client's message, then zeros.
#[test]
fn a_whole_buffer_written_back_carries_the_previous_clients_bytes() {
    let Some(go) =
        testkit::go_program(env!("CARGO_MANIFEST_DIR"), "stale_buffer")
    else {
        return;
    };
    let s = Server::start(go.to_str().unwrap(), &[]);
    let ask = |msg: &[u8]| {
        let mut c = Client::connect(s.socket_addr());
        c.send(msg);
        c.w.shutdown(Shutdown::Write).unwrap();
        c.rest()
    };
    let first = ask(b"a first, longer message\n");
    assert_eq!(first.len(), 1024);
    assert!(first.starts_with(b"a first, longer message\n"));
    assert!(first[24..].iter().all(|&b| b == 0), "then zeros");
    let second = ask(b"hi\n");
    assert_eq!(second.len(), 1024);
    // "hi\n", then bytes 3.. of the first message: stale data.
    assert_eq!(&second[..24], b"hi\nirst, longer message\n");
    assert!(second[24..].iter().all(|&b| b == 0));
}

/// Since Go 1.19, package os raises the soft limit on open files to
/// the hard limit when a program starts (os/rlimit.go, its init).
#[test]
fn go_raises_its_soft_open_files_limit_to_the_hard_limit() {
    let Some(go) = testkit::go_program(env!("CARGO_MANIFEST_DIR"), "nofile")
    else {
        return;
    };
    let script = "ulimit -Sn 256 && ulimit -Sn && exec \"$0\"";
    let out = Cmd::new("sh")
        .args(["-c", script, go.to_str().unwrap()])
        .run();
    out.expect_code(0);
    let mut lines = out.stdout.lines();
    assert_eq!(lines.next(), Some("256"), "{}", out.describe());
    let hard = Cmd::new("sh").args(["-c", "ulimit -Hn"]).run();
    let want = format!("soft={0} hard={0}", hard.stdout.trim());
    assert_eq!(lines.next(), Some(want.as_str()), "{}", out.describe());
    // A Rust program keeps the limit it was given: conc-tcp's /proc
    // entry says so.
    let script = "ulimit -Sn 256 && exec \"$0\" 0";
    let s = Server::start("sh", &["-c", script, CONC]);
    let limits =
        std::fs::read_to_string(format!("/proc/{}/limits", s.pid())).unwrap();
    let line = limits
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .unwrap();
    assert_eq!(line.split_whitespace().nth(3), Some("256"), "{line}");
}
