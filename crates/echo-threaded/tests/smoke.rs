//! smoke-test-server and smoke-test-client: the half-close protocol.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread;
use std::time::{Duration, Instant};
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

/// The client runs with NETPROG_TIME_SCALE=0.1: its 5 s limits are
/// 0.5 s, and its messages say so.
const SCALE: &str = "0.1";
const LIMIT: Duration = Duration::from_millis(500);

/// Run the client against `addr` with its limits scaled; how long it
/// took, and what it did.
fn scaled_client(addr: SocketAddr) -> (Duration, testkit::Out) {
    let began = Instant::now();
    let out = Cmd::new(SMOKE_CLIENT)
        .args([addr.to_string()])
        .env(TIME_SCALE, SCALE)
        .run();
    (began.elapsed(), out)
}

/// A server that never answers: the client's read timeout ends it,
/// after the limit and well before twice it.
#[test]
fn client_gives_up_on_a_silent_server() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    // Hold the accepted connection open and say nothing.
    let t = thread::spawn(move || l.accept().map(|(c, _)| c));
    let (took, out) = scaled_client(addr);
    drop(t.join().unwrap());
    out.expect_code(1);
    assert_eq!(
        out.stderr,
        format!(
            "Reading data...\nRead data failed: {addr} did not finish \
             within 0.5 s (waiting for the echo and the server's close)\n"
        )
    );
    assert_eq!(out.stdout, "");
    assert!(took >= LIMIT && took < 2 * LIMIT, "took {took:?}");
}

/// The limit is for the whole echo, not for each read: a server that
/// sends a byte every 10 ms (each read a fiftieth of the limit) is
/// still cut off at the limit.
#[test]
fn client_gives_up_on_a_dripping_server_after_5_s_in_all() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        let Ok((mut c, _)) = l.accept() else { return };
        let mut sink = Vec::new();
        let _ = c.read_to_end(&mut sink);
        // The pauses are the behaviour under test: a slow peer.
        while c.write_all(b".").is_ok() {
            thread::sleep(Duration::from_millis(10));
        }
    });
    let (took, out) = scaled_client(addr);
    out.expect_code(1);
    assert!(
        out.stderr.contains("did not finish within 0.5 s"),
        "{out:?}"
    );
    assert!(took >= LIMIT && took < 2 * LIMIT, "took {took:?}");
}

/// The client stops at once and quietly when its stdout is closed
/// (`smoke-test-client | head -0`): status 141, as a Go program that
/// SIGPIPE kills would end, and nothing but its progress line on
/// stderr.
#[test]
fn client_with_a_closed_stdout_ends_with_141() {
    use std::process::{Command, Stdio};
    let s = start(SMOKE_SERVER, &[]);
    // The pipe's reading end is closed before the client starts, so
    // no timing decides the outcome.
    let writer = common::closed_pipe();
    // The client's own limits (5 s + 5 s) bound this wait.
    let out = Command::new(SMOKE_CLIENT)
        .arg(&s.addr)
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), "Reading data...\n");
}
