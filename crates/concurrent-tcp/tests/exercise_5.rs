//! Check of exercise 5 (Tsoukalos' chapter, exercise 5): tcp-server
//! stops cleanly when it receives SIGTERM or SIGUSR1.
//!
//! Run it with `scripts/exercise concurrent-tcp 5`. What is expected
//! (see docs/src/concurrent-tcp.md, "Exercise 5"): on SIGTERM or
//! SIGUSR1, whether it is waiting for its client or talking to it,
//! tcp-server prints the line
//!
//! ```text
//! Exiting TCP server: received SIGTERM
//! ```
//!
//! (or `... received SIGUSR1`) and exits with status 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Write};
use std::net::TcpStream;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use testkit::{Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_tcp-server");

/// Send `signal` (e.g. "-TERM") and check the line and the exit status.
fn expect_clean_exit(mut s: Server, signal: &str, name: &str) {
    let status = s.signal_and_wait(signal, WAIT).unwrap_or_else(|| {
        panic!(
            "hint: tcp-server was still running {WAIT:?} after {name}. \
             Catching \
             the signal is half the work: after printing, end the process \
             with std::process::exit(0)."
        )
    });
    if let Some(sig) = status.signal() {
        panic!(
            "hint: tcp-server was killed by signal {sig} ({name}): nothing \
             caught \
             it, so the kernel ended the process the default way. Register \
             SIGTERM and SIGUSR1 with signal_hook::iterator::Signals::new(..) \
             and wait for them in a thread of their own. Do it before binding \
             the port, so that it is in place when `listening on` appears."
        );
    }
    let want = format!("Exiting TCP server: received {name}");
    let found = s.wait_line(|l| l.trim_end() == want, Duration::from_secs(2));
    assert!(
        found.is_some(),
        "hint: after {name}, tcp-server should print exactly `{want}` on \
         standard output. It printed: {:?}. \
         (signal_hook::low_level::signal_name(sig) gives the name.)",
        s.stdout()
    );
    assert_eq!(
        status.code(),
        Some(0),
        "hint: a clean stop exits with status 0: std::process::exit(0)"
    );
}

#[test]
fn sigterm_while_waiting_for_a_client() {
    let s = Server::start(SERVER, &["0"]);
    expect_clean_exit(s, "-TERM", "SIGTERM");
}

#[test]
fn sigusr1_while_talking_to_a_client() {
    let s = Server::start(SERVER, &["0"]);
    let mut c = TcpStream::connect(s.socket_addr()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.write_all(b"Hi!\n").unwrap();
    let mut line = String::new();
    BufReader::new(&c).read_line(&mut line).unwrap();
    assert_eq!(line, "Hi!\n", "hint: tcp-server should still echo lines");
    expect_clean_exit(s, "-USR1", "SIGUSR1");
}

#[test]
fn stop_still_ends_the_server() {
    let mut s = Server::start(SERVER, &["0"]);
    let mut c = TcpStream::connect(s.socket_addr()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.write_all(b"STOP\n").unwrap();
    let status = s.signal_and_wait("-0", WAIT);
    assert_eq!(
        status.and_then(|st| st.code()),
        Some(0),
        "hint: STOP from the client must still end tcp-server with status 0"
    );
    assert!(
        s.wait_line(|l| l == "Exiting TCP server!", WAIT).is_some(),
        "hint: after STOP, tcp-server prints `Exiting TCP server!` as before"
    );
}
