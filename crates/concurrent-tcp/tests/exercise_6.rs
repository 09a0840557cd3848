//! Check of exercise 6 (Tsoukalos' chapter, exercise 6): conc-tcp
//! counts the clients it has served and prints the count before it
//! exits on Ctrl+C (SIGINT) or SIGTERM.
//!
//! Run it with `scripts/exercise concurrent-tcp 6`. What is expected
//! (see docs/src/concurrent-tcp.md, "Exercise 6"): on SIGINT or
//! SIGTERM, conc-tcp prints exactly one line
//!
//! ```text
//! served 3 clients
//! ```
//!
//! with the number of clients it has served since it started (a client
//! counts once it is being served, whether it has left since or not; a
//! client refused because of `--max-clients` is not served), and exits
//! with status 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use testkit::{Server, WAIT};

const CONC: &str = env!("CARGO_BIN_EXE_conc-tcp");

/// A client that says `lines`, each answered, and then, if `stop`,
/// STOP. Returns the connection, still open unless STOP was sent.
fn client(addr: SocketAddr, lines: &[&str], stop: bool) -> TcpStream {
    let c = TcpStream::connect(addr).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let mut r = BufReader::new(c.try_clone().unwrap());
    let mut w = c.try_clone().unwrap();
    let mut all: Vec<&str> = lines.to_vec();
    if stop {
        all.push("STOP");
    }
    for l in all {
        w.write_all(format!("{l}\n").as_bytes()).unwrap();
        let mut back = String::new();
        r.read_line(&mut back).unwrap();
        assert_eq!(
            back,
            format!("{l}\n"),
            "hint: conc-tcp must still echo every line"
        );
    }
    c
}

/// Send `signal`, then check for `served N clients` and status 0.
fn expect_count(mut s: Server, signal: &str, name: &str, n: usize) {
    let status = s.signal_and_wait(signal, WAIT).unwrap_or_else(|| {
        panic!(
            "hint: conc-tcp was still running {WAIT:?} after {name}. After \
             printing the count, end the process: std::process::exit(0)."
        )
    });
    if let Some(sig) = status.signal() {
        panic!(
            "hint: conc-tcp was killed by signal {sig} ({name}) before it \
             could \
             print anything: nothing caught it. Catch SIGINT and SIGTERM with \
             signal_hook::iterator::Signals in a thread of their own, set up \
             before the port is bound."
        );
    }
    let want = format!("served {n} clients");
    let got = s.wait_line(|l| l.starts_with("served"), Duration::from_secs(2));
    match got {
        None => panic!(
            "hint: after {name}, conc-tcp should print `{want}` on standard \
             output before exiting. It printed: {:?}",
            s.stdout()
        ),
        Some(l) => assert_eq!(
            l.trim_end(),
            want,
            "hint: the count is wrong. Count each client once, in the thread \
             that accepts (where ACTIVE goes up), not per line and not when it \
             leaves, and not the clients that were refused."
        ),
    }
    assert_eq!(
        status.code(),
        Some(0),
        "hint: exit with status 0 after printing the count"
    );
}

#[test]
fn ctrl_c_with_no_clients_prints_served_0_clients() {
    let s = Server::start(CONC, &["0"]);
    expect_count(s, "-INT", "SIGINT", 0);
}

#[test]
fn three_clients_one_after_another() {
    let s = Server::start(CONC, &["0"]);
    for name in ["ann", "bob", "cyd"] {
        let mut c = client(s.socket_addr(), &[name, "two lines each"], true);
        let mut rest = Vec::new();
        let _ = c.read_to_end(&mut rest); // closed after STOP
    }
    expect_count(s, "-TERM", "SIGTERM", 3);
}

#[test]
fn clients_still_connected_or_gone_without_stop_count_too() {
    let s = Server::start(CONC, &["0"]);
    let addr = s.socket_addr();
    let _a = client(addr, &["still here"], false);
    drop(client(addr, &["gone without STOP"], false));
    let _c = client(addr, &["STOP is not the only way"], true);
    let _d = client(addr, &["also still here"], false);
    expect_count(s, "-TERM", "SIGTERM", 4);
}

#[test]
fn refused_clients_are_not_served() {
    let s = Server::start(CONC, &["0", "--max-clients", "2"]);
    let addr = s.socket_addr();
    let _a = client(addr, &["first"], false);
    let _b = client(addr, &["second"], false);
    // The third is over the limit: it is told so and disconnected.
    let mut third = TcpStream::connect(addr).unwrap();
    third.set_read_timeout(Some(WAIT)).unwrap();
    let mut refusal = String::new();
    let _ = third.read_to_string(&mut refusal);
    assert!(
        refusal.starts_with("server busy"),
        "hint: keep the --max-clients limit working (got {refusal:?})"
    );
    expect_count(s, "-TERM", "SIGTERM", 2);
}
