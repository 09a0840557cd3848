//! greeting-server: greets, logs every line with the client's address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::net::Shutdown;
use testkit::{Server, WAIT};

fn start() -> Server {
    started(Server::start(GREET, &["-p", "0"]))
}

/// The server once it has said it waits for clients.
fn started(s: Server) -> Server {
    let port = s.socket_addr().port();
    let waiting = format!("waiting for clients on port {port}...");
    assert!(
        s.wait_line(|l| l == waiting, WAIT).is_some(),
        "{:?}",
        s.stdout()
    );
    assert_eq!(s.stdout(), [format!("listening on {}", s.addr), waiting]);
    s
}

#[test]
fn greets_and_logs_lines_with_the_address() {
    let s = start();
    let mut c = Client::connect(s.socket_addr());
    let me = c.w.local_addr().unwrap();
    assert_eq!(c.line(), "Hello, Client!\n");
    assert_eq!(c.line(), "You deserve a new thread...\n");
    // Two lines in one segment: both logged.
    c.send(b"hello\nworld\n");
    c.send(b"last, without newline");
    c.w.shutdown(Shutdown::Write).unwrap();
    assert!(
        c.rest().is_empty(),
        "the server answers nothing but the greeting"
    );
    let left = format!("client '{me}' left the session.");
    assert!(
        s.wait_line(|l| l == left, WAIT).is_some(),
        "{:?}",
        s.stdout()
    );
    let out = s.stdout();
    let mine: Vec<&str> = out[2..].iter().map(String::as_str).collect();
    assert_eq!(
        mine,
        [
            format!("client connected: {me}"),
            format!("{me} -> hello"),
            format!("{me} -> world"),
            format!("{me} -> last, without newline"),
            left.clone(),
        ]
    );
}

#[test]
fn two_clients_are_logged_apart() {
    let mut s = start();
    let mut a = Client::connect(s.socket_addr());
    let mut b = Client::connect(s.socket_addr());
    let (am, bm) = (a.w.local_addr().unwrap(), b.w.local_addr().unwrap());
    a.line();
    b.line();
    b.send(b"from b\n");
    a.send(b"from a\n");
    for want in [format!("{am} -> from a"), format!("{bm} -> from b")] {
        assert!(
            s.wait_line(|l| l == want, WAIT).is_some(),
            "{want}: {:?}",
            s.stdout()
        );
    }
    drop(a);
    let left = format!("client '{am}' left the session.");
    assert!(s.wait_line(|l| l == left, WAIT).is_some());
    b.send(b"b is still here\n");
    let want = format!("{bm} -> b is still here");
    assert!(s.wait_line(|l| l == want, WAIT).is_some());
    assert!(s.is_running());
}

#[test]
fn a_client_gone_before_its_greeting_does_not_stop_the_server() {
    let mut s = start();
    for _ in 0..20 {
        drop(Client::connect(s.socket_addr()));
    }
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.line(), "Hello, Client!\n");
    assert!(s.is_running());
}

/// A line over the limit: the client is told why and, once it has
/// been given the drain time to stop sending (1 s, 0.1 s here under
/// NETPROG_TIME_SCALE), disconnected; the server goes on.
#[test]
fn an_over_long_line_is_refused() {
    let mut s = started(start_scaled(GREET, &["-p", "0"], "0.1"));
    let mut c = Client::connect(s.socket_addr());
    c.line();
    c.line();
    let began = std::time::Instant::now();
    let w = c.w.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut w = w;
        let _ = std::io::Write::write_all(&mut w, &vec![b'q'; 80_000]);
    });
    let answer = String::from_utf8(c.rest()).unwrap();
    sender.join().unwrap();
    assert_eq!(
        answer,
        "line longer than 65536 bytes: closing the connection\n"
    );
    assert!(
        s.wait_err_line(|l| l.contains("disconnected"), WAIT)
            .is_some()
    );
    // We kept our side open: the drain lasted its whole limit.
    let took = began.elapsed();
    assert!(took >= std::time::Duration::from_millis(100), "{took:?}");
    assert!(s.is_running());
}

#[test]
fn bad_arguments() {
    bad(GREET, &["-x"], 2, "flag provided but not defined: -x");
    bad(GREET, &["-p"], 2, "flag needs an argument: -p");
    bad(GREET, &["4004"], 2, "unexpected argument \"4004\"");
    bad(
        GREET,
        &["-p", "70000"],
        1,
        "invalid port or address \"70000\"",
    );
    bad(GREET, &["-p=abc"], 1, "invalid port or address \"abc\"");
    let s = start();
    bad(
        GREET,
        &["-p", &s.socket_addr().port().to_string()],
        1,
        "address already in use",
    );
}
