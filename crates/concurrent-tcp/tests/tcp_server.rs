//! tcp-server: one client, STOP ends the server.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use testkit::{Server, WAIT};

#[test]
fn echoes_until_stop_then_exits_0() {
    let mut s = Server::start(SERVER, &["0"]);
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.ask("Hi!\n"), "Hi!\n");
    assert_eq!(c.ask("STOP\n"), "STOP\n");
    assert!(c.rest().is_empty(), "closed after STOP");
    let st = s
        .signal_and_wait("-0", WAIT)
        .expect("the server exits after STOP");
    assert_eq!(st.code(), Some(0));
    // Let the output pipe be read to its end before comparing.
    s.wait_line(|_| false, WAIT);
    assert_eq!(
        s.stdout()[1..],
        ["-> Hi!", "-> STOP", "Exiting TCP server!"]
    );
}

#[test]
fn two_lines_in_one_segment_are_both_answered() {
    let mut s = Server::start(SERVER, &["0"]);
    let mut c = Client::connect(s.socket_addr());
    c.send(b"one\ntwo\nSTOP\n");
    assert_eq!(String::from_utf8(c.rest()).unwrap(), "one\ntwo\nSTOP\n");
    let st = s.signal_and_wait("-0", WAIT).expect("exits after STOP");
    assert_eq!(st.code(), Some(0));
}

#[test]
fn a_client_that_leaves_without_stop_ends_it_with_100() {
    let mut s = Server::start(SERVER, &["0"]);
    {
        let mut c = Client::connect(s.socket_addr());
        assert_eq!(c.ask("bye\n"), "bye\n");
    }
    let st = s.signal_and_wait("-0", WAIT).expect("the server ends");
    assert_eq!(st.code(), Some(100));
    s.wait_err_line(|_| false, WAIT);
    assert_eq!(s.stderr(), ["the client left without sending STOP"]);
}

/// A line over the limit: the client is told why, and the server ends
/// (it has only this client) once it has given the client the drain
/// time to stop sending: 1 s, 0.1 s here under NETPROG_TIME_SCALE.
#[test]
fn an_over_long_line_is_refused() {
    let mut s = start_scaled(SERVER, &["0"], "0.1");
    let mut c = Client::connect(s.socket_addr());
    let began = std::time::Instant::now();
    let w = c.w.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut w = w;
        let _ = std::io::Write::write_all(&mut w, &vec![b'z'; 70_000]);
    });
    let answer = String::from_utf8(c.rest()).unwrap();
    sender.join().unwrap();
    assert_eq!(
        answer,
        "line longer than 65536 bytes: closing the connection\n"
    );
    let st = s.signal_and_wait("-0", WAIT).expect("the server ends");
    assert_eq!(st.code(), Some(100));
    // We kept our side open: the drain lasted its whole limit.
    let took = began.elapsed();
    assert!(took >= std::time::Duration::from_millis(100), "{took:?}");
    let said = s.wait_err_line(|l| l.contains("longer than 65536 bytes"), WAIT);
    assert!(said.is_some(), "{:?}", s.stderr());
}

#[test]
fn bad_arguments() {
    bad(
        SERVER,
        &["123456"],
        100,
        "invalid port or address \"123456\"",
    );
    bad(SERVER, &["localhost:1234"], 100, "invalid port or address");
    bad(SERVER, &["1", "2"], 100, "too many arguments");
    bad(SERVER, &["-1"], 100, "invalid port or address \"-1\"");
    bad(
        SERVER,
        &["192.0.2.1:1234"],
        100,
        "no interface of this machine",
    );
    let s = Server::start(TCPS, &["0"]);
    bad(
        SERVER,
        &[&s.socket_addr().to_string()],
        100,
        "address already in use",
    );
}
