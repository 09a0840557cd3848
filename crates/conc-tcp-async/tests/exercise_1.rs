//! Check of exercise 1: conc-tcp-async counts the clients it has
//! served and prints the count when it is stopped with Ctrl+C (SIGINT)
//! or SIGTERM. The async form of the chapter's exercise 6.
//!
//! Run it with `scripts/exercise conc-tcp-async 1`. What is expected
//! (docs/src/conc-tcp-async.md, "Exercise 1"): on SIGINT or SIGTERM,
//! conc-tcp-async prints exactly one line
//!
//! ```text
//! served 3 clients
//! ```
//!
//! with the number of clients served since it started (a client counts
//! once its task has been started, whether it has left since or not; a
//! client refused because of `--max-clients` is not served), and exits
//! with status 0.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;
use testkit::{Server, WAIT};

const ASYNC: &str = env!("CARGO_BIN_EXE_conc-tcp-async");

/// A client that says `lines`, each answered, then STOP if `stop`.
/// Returns the connection, still open unless STOP was sent.
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
            "hint: conc-tcp-async must still echo every line"
        );
    }
    c
}

/// Send `signal`, then check for `served N clients` and status 0.
fn expect_count(mut s: Server, signal: &str, name: &str, n: usize) {
    let status = s.signal_and_wait(signal, WAIT).unwrap_or_else(|| {
        panic!(
            "hint: conc-tcp-async was still running {WAIT:?} after {name}. \
             Once a signal has come, leave the accept loop (return from \
             serve) and let main end with status 0."
        )
    });
    if let Some(sig) = status.signal() {
        panic!(
            "hint: conc-tcp-async was killed by signal {sig} ({name}): nothing \
             caught it. Create the listeners with \
             tokio::signal::unix::signal(SignalKind::interrupt()) and \
             SignalKind::terminate() before the accept loop, and wait for \
             either beside accept() with tokio::select!."
        );
    }
    let want = format!("served {n} clients");
    let got = s.wait_line(|l| l.starts_with("served"), Duration::from_secs(2));
    match got {
        None => panic!(
            "hint: after {name}, conc-tcp-async should print `{want}` on \
             standard output before exiting. It printed: {:?}",
            s.stdout()
        ),
        Some(l) => assert_eq!(
            l.trim_end(),
            want,
            "hint: the count is wrong. Count each client once, where its \
             task is spawned (where ACTIVE goes up), not per line, not when \
             it leaves, and not the clients that were refused."
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
    let s = Server::start(ASYNC, &["0"]);
    expect_count(s, "-INT", "SIGINT", 0);
}

#[test]
fn three_clients_one_after_another() {
    let s = Server::start(ASYNC, &["0"]);
    for name in ["ann", "bob", "cyd"] {
        let mut c = client(s.socket_addr(), &[name, "two lines each"], true);
        let mut rest = Vec::new();
        let _ = c.read_to_end(&mut rest); // closed after STOP
    }
    expect_count(s, "-TERM", "SIGTERM", 3);
}

#[test]
fn clients_still_connected_or_gone_without_stop_count_too() {
    let s = Server::start(ASYNC, &["0"]);
    let addr = s.socket_addr();
    let _a = client(addr, &["still here"], false);
    drop(client(addr, &["gone without STOP"], false));
    let _c = client(addr, &["STOP is not the only way"], true);
    let _d = client(addr, &["also still here"], false);
    expect_count(s, "-TERM", "SIGTERM", 4);
}

#[test]
fn refused_clients_are_not_served() {
    let s = Server::start(ASYNC, &["0", "--max-clients", "2"]);
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
    expect_count(s, "-INT", "SIGINT", 2);
}

#[test]
fn with_two_threads_too() {
    let s = Server::start(ASYNC, &["0", "--threads", "2"]);
    let addr = s.socket_addr();
    let _a = client(addr, &["one"], false);
    let _b = client(addr, &["two"], true);
    expect_count(s, "-TERM", "SIGTERM", 2);
}
