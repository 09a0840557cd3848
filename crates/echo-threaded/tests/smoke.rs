//! smoke-test-server and smoke-test-client: the half-close protocol.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::thread;
use testkit::{Cmd, WAIT};

#[test]
fn client_and_server_together() {
    let mut s = start(SMOKE_SERVER, &[]);
    let port = s.socket_addr().port();
    // `localhost` may resolve to ::1 first, where nobody listens: the
    // client must go on to 127.0.0.1, as Go's Dial does.
    let out = Cmd::new(SMOKE_CLIENT)
        .args([format!("localhost:{port}")])
        .run();
    out.expect_code(0);
    assert_eq!(
        out.stdout,
        "Received message: Ground Control To Major Tom\n"
    );
    assert_eq!(out.stderr, "Reading data...\n");
    let wrote = s.wait_line(|l| l.starts_with("Wrote back"), WAIT);
    assert_eq!(wrote.as_deref(), Some("Wrote back 27 bytes"));
    assert!(
        s.stdout()
            .iter()
            .any(|l| l.starts_with("Serving 127.0.0.1:"))
    );
    answers_fresh_client(&mut s, Speaks::Smoke);
}

#[test]
fn client_sends_its_argument() {
    let s = start(SMOKE_SERVER, &[]);
    let out = Cmd::new(SMOKE_CLIENT)
        .args([s.addr.as_str(), "héllo, wörld\n  spaces  "])
        .run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Received message: héllo, wörld\n  spaces  \n");
}

/// The blog's server appended the whole 4096-byte buffer on each read:
/// 27 bytes came back as 8192. Ours sends back exactly what it got.
#[test]
fn exactly_the_bytes_sent_come_back() {
    let s = start(SMOKE_SERVER, &[]);
    let back =
        half_close_exchange(s.socket_addr(), b"Ground Control To Major Tom");
    assert_eq!(back, b"Ground Control To Major Tom");
}

/// Nothing comes back before the half-close: the server waits for end
/// of file, then answers in one go.
#[test]
fn nothing_comes_back_before_the_half_close() {
    let s = start(SMOKE_SERVER, &[]);
    let mut c = connect(s.socket_addr());
    c.write_all(b"wait for it").unwrap();
    c.set_read_timeout(Some(QUIET)).unwrap();
    let mut buf = [0u8; 32];
    assert!(
        read_once(&mut c, &mut buf).is_err(),
        "no data before our FIN"
    );
    c.shutdown(std::net::Shutdown::Write).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let mut back = Vec::new();
    c.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"wait for it");
}

/// A server that answers garbage (not UTF-8) and closes: the client
/// prints it with replacement characters and succeeds.
#[test]
fn client_prints_garbage_from_the_peer() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut sink = Vec::new();
        c.read_to_end(&mut sink).unwrap();
        c.write_all(b"ok\xff\xfe").unwrap();
    });
    let out = Cmd::new(SMOKE_CLIENT).args([addr.to_string()]).run();
    t.join().unwrap();
    out.expect_code(0);
    assert_eq!(out.stdout, "Received message: ok\u{fffd}\u{fffd}\n");
}

/// A server that never answers: the client's read timeout ends it.
#[test]
fn client_gives_up_on_a_silent_server() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // Hold the accepted connection open and say nothing.
    let t = thread::spawn(move || l.accept().map(|(c, _)| c));
    let out = Cmd::new(SMOKE_CLIENT).args([addr.to_string()]).run();
    drop(t.join().unwrap());
    out.expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "Reading data...\nRead data failed: {addr} sent nothing for 5s \
             (waiting for the echo and the server's close)\n"
        )
    );
    assert_eq!(out.stdout, "");
}

#[test]
fn client_bad_inputs() {
    let usage = "usage: smoke-test-client [HOST:PORT [MESSAGE]]";
    bad_input(SMOKE_CLIENT, &["a:1", "b", "c"], &[usage]);
    bad_input(SMOKE_CLIENT, &["--help"], &[usage]);
    bad_input(
        SMOKE_CLIENT,
        &["nohostport"],
        &[
            "ResolveTCPAddr failed: nohostport (give HOST:PORT",
            "invalid socket address",
        ],
    );
    bad_input(
        SMOKE_CLIENT,
        &["localhost:99999"],
        &[
            "ResolveTCPAddr failed: localhost:99999",
            "invalid port value",
        ],
    );
    bad_input(
        SMOKE_CLIENT,
        &["no.such.host.invalid:3333"],
        &["ResolveTCPAddr failed: no.such.host.invalid:3333"],
    );
    // A port where nobody listens: find one by binding and closing.
    let free = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    bad_input(
        SMOKE_CLIENT,
        &[&free.to_string()],
        &[&format!(
            "Dial failed: connecting to {free}: Connection refused"
        )],
    );
}

#[test]
fn server_bad_inputs() {
    let usage = "usage: smoke-test-server [PORT | IPV4:PORT]";
    bad_input(SMOKE_SERVER, &["3333", "4444"], &[usage]);
    bad_input(SMOKE_SERVER, &["-p", "3333"], &[usage]);
    bad_input(
        SMOKE_SERVER,
        &["port"],
        &["Fatal error: port is not a port"],
    );
    bad_input(
        SMOKE_SERVER,
        &["65536"],
        &["Fatal error: 65536 is not a port"],
    );
    bad_input(
        SMOKE_SERVER,
        &["[::1]:3333"],
        &["Fatal error: [::1]:3333 is an IPv6"],
    );
    let s = start(SMOKE_SERVER, &[]);
    let taken = s.addr.clone();
    bad_input(SMOKE_SERVER, &[&taken], &["Address already in use"]);
}
