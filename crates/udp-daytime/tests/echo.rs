//! udp-echo-server and udp-echo-client over loopback: the book's
//! exchange, STOP, datagrams of every awkward kind, no server, a
//! silent server, and bad command lines (exit status 100).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::Piped;
use std::net::{SocketAddr, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_udp-echo-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_udp-echo-client");

fn start() -> Server {
    Server::start(SERVER, &["0"])
}

fn client(addr: &str) -> testkit::Out {
    Cmd::new(CLIENT)
        .args([addr])
        .timeout(Duration::from_secs(10))
        .run()
}

fn socket() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

/// Send `payload`, return the echo.
fn echo(s: &UdpSocket, server: SocketAddr, payload: &[u8]) -> Vec<u8> {
    s.send_to(payload, server).unwrap();
    let mut buf = vec![0u8; 70_000];
    let (n, from) =
        testkit::retry_eintr(|| s.recv_from(&mut buf)).expect("an echo");
    assert_eq!(from, server);
    buf.truncate(n);
    buf
}

fn fails(out: &testkit::Out, words: &str) {
    out.expect_code(100);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(
        out.stderr.contains(words),
        "want {words:?}\n{}",
        out.describe()
    );
}

#[test]
fn the_book_s_exchange() {
    let server = start();
    let out = client(&server.addr);
    out.expect_code(0);
    assert_eq!(
        out.stdout,
        format!(
            "The UDP server is {}\nReply: Hello UDP Echo server!\n",
            server.addr
        )
    );
    let logged = server.wait_line(|l| l.starts_with("-> "), WAIT);
    assert_eq!(logged.as_deref(), Some("-> Hello UDP Echo server!"));
}

#[test]
fn stop_echoes_then_ends_the_server() {
    let mut server = start();
    let s = socket();
    let addr = server.socket_addr();
    assert_eq!(echo(&s, addr, b"Hi!\n"), b"Hi!\n");
    assert_eq!(echo(&s, addr, b"  STOP \n"), b"  STOP \n");
    let status = server.wait_exit(WAIT).expect("the server ends");
    assert!(status.success(), "{status:?}");
    assert_eq!(
        server.stdout(),
        [
            "listening on ".to_string() + &server.addr,
            "-> Hi!".into(),
            "->   STOP ".into(),
            "Exiting UDP server!".into()
        ]
    );
}

#[test]
fn empty_and_binary_datagrams_come_back_as_they_were() {
    let mut server = start();
    let addr = server.socket_addr();
    let s = socket();
    assert_eq!(echo(&s, addr, b""), b"");
    let junk = b"\x00\xff\x1b[2J\r\n";
    assert_eq!(echo(&s, addr, junk), junk);
    let full = vec![b'z'; 1024];
    assert_eq!(echo(&s, addr, &full), full, "exactly the limit is fine");
    // The log shows escapes, never raw control bytes.
    let logged = server.wait_line(|l| l.contains("\\x00"), WAIT);
    assert_eq!(logged.as_deref(), Some("-> \\x00\\xff\\x1b[2J"));
    assert!(server.is_running());
}

#[test]
fn an_oversized_datagram_is_dropped_and_logged_not_cut() {
    let mut server = start();
    let addr = server.socket_addr();
    let s = socket();
    s.send_to(&vec![b'o'; 1025], addr).unwrap();
    s.send_to(&vec![b'o'; 65_000], addr).unwrap();
    let line = server.wait_err_line(|l| l.contains("over 1024"), WAIT);
    let line = line.expect("the server logs the dropped datagram");
    let me = s.local_addr().unwrap();
    assert_eq!(
        line,
        format!("udp-echo-server: {me}: over 1024 bytes: dropped, not echoed")
    );
    // Nothing was echoed for those: the next datagram's echo is the
    // first thing this socket receives.
    assert_eq!(echo(&s, addr, b"after"), b"after");
    assert!(server.is_running());
}

#[test]
fn many_clients_at_once() {
    let server = start();
    let addr = server.socket_addr();
    let raw: Vec<_> = (0..32u8)
        .map(|i| {
            thread::spawn(move || {
                let s = socket();
                let msg = [b'a' + (i % 26); 100];
                assert_eq!(echo(&s, addr, &msg), msg);
            })
        })
        .collect();
    let procs: Vec<_> = (0..6)
        .map(|_| {
            let a = server.addr.clone();
            thread::spawn(move || client(&a))
        })
        .collect();
    for t in raw {
        t.join().unwrap();
    }
    for t in procs {
        t.join().unwrap().expect_code(0);
    }
}

#[test]
fn no_server_is_connection_refused_not_an_empty_reply() {
    let dead = common::dead_udp_addr();
    let out = client(&dead.to_string());
    fails(
        &out,
        &format!("{dead}: Connection refused (ICMP port unreachable)"),
    );
    assert_eq!(out.stdout, format!("The UDP server is {dead}\n"));
    assert!(!out.stdout.contains("Reply"));
}

#[test]
fn a_silent_server_is_a_timeout() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    // NETPROG_TIME_SCALE 0.1: the client's 3 s are 0.3 s, and its
    // message names the limit it used.
    let t = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([addr.to_string()])
        .env("NETPROG_TIME_SCALE", "0.1")
        .timeout(Duration::from_secs(10))
        .run();
    let took = t.elapsed();
    fails(&out, &format!("{addr}: no reply within 0.3 s"));
    assert!(took >= Duration::from_millis(290), "{took:?}");
    assert!(took < Duration::from_millis(600), "{took:?}");
    let mut buf = [0u8; 64];
    let (n, _) = testkit::retry_eintr(|| silent.recv_from(&mut buf)).unwrap();
    assert_eq!(&buf[..n], b"Hello UDP Echo server!\n", "the book's message");
}

#[test]
fn a_reply_too_long_for_the_client_is_reported() {
    let fake = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = fake.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 64];
        if let Ok((_, from)) = testkit::retry_eintr(|| fake.recv_from(&mut buf))
        {
            let _ = fake.send_to(&[b'y'; 2000], from);
        }
    });
    fails(
        &client(&addr.to_string()),
        "reply over 1024 bytes: the rest was cut off",
    );
}

#[test]
fn bad_server_arguments() {
    let run = |args: &[&str]| Cmd::new(SERVER).args(args).run();
    fails(&run(&[]), "Please provide a port number!");
    fails(&run(&["1", "2"]), "Please provide a port number!");
    fails(&run(&["123456"]), "invalid port or address \"123456\"");
    fails(&run(&["abc"]), "invalid port or address \"abc\"");
    fails(
        &run(&["192.0.2.1:1234"]),
        "binding 192.0.2.1:1234: no interface of this machine",
    );
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    fails(&run(&[&port]), "address already in use");
}

#[test]
fn a_bad_time_scale_is_a_one_line_error_with_status_100() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let out = Cmd::new(CLIENT)
        .args([&addr])
        .env("NETPROG_TIME_SCALE", "0.001")
        .run();
    fails(
        &out,
        "NETPROG_TIME_SCALE=\"0.001\" is not a factor from 0.01 to 100",
    );
    assert_eq!(out.stdout, "", "before `The UDP server is`");
}

#[test]
fn bad_client_arguments() {
    let run = |args: &[&str]| Cmd::new(CLIENT).args(args).run();
    fails(&run(&[]), "Please provide a host:port string");
    fails(&run(&["a:1", "b:2"]), "Please provide a host:port string");
    fails(&run(&["localhost"]), "`localhost` has no port");
    fails(
        &run(&["localhost:65536"]),
        "resolving localhost:65536: invalid port value",
    );
    fails(
        &run(&["no-such-host.invalid:1234"]),
        "resolving no-such-host.invalid:1234",
    );
}

#[test]
fn a_closed_stdout_does_not_stop_the_server() {
    // udp-echo-server 0 | head -1: every `-> ` line after the first
    // meets a closed pipe (EPIPE), and is lost; the echo is not.
    let mut srv = Piped::start(SERVER, &["0"], true, false);
    let s = socket();
    for msg in [&b"one\n"[..], b"two\n", b"three\n"] {
        assert_eq!(echo(&s, srv.addr, msg), msg);
    }
    assert!(srv.is_running());
    assert_eq!(echo(&s, srv.addr, b"STOP\n"), b"STOP\n");
    let status = common::wait_exit(&mut srv.child, WAIT);
    assert_eq!(status.code(), Some(0), "STOP still ends it cleanly");
}

#[test]
fn a_closed_stdout_ends_the_client_quietly() {
    let server = start();
    let mut child = std::process::Command::new(CLIENT)
        .arg(&server.addr)
        .stdout(common::closed_pipe())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    common::wait_exit(&mut child, WAIT);
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(141));
    assert_eq!(String::from_utf8_lossy(&out.stderr), "");
}

#[test]
fn arguments_that_are_not_utf8_get_one_line() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"\xff");
    for exe in [SERVER, CLIENT] {
        let out = Cmd::new(exe).args([bad]).run();
        fails(&out, "argument \"\\xff\" is not valid UTF-8 text");
    }
}
