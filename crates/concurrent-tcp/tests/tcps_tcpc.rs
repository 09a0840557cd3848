//! tcps and tcpc: read once, send back exactly what was read.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener};
use testkit::{Cmd, Server, WAIT};

#[test]
fn tcpc_with_tcps() {
    let s = Server::start(TCPS, &["0"]);
    let out = Cmd::new(TCPC).args([&s.addr]).run();
    out.expect_code(0);
    // No trailing NUL bytes: the Go server sends the whole 1024-byte
    // buffer, and the Go client prints 1001 NULs after the message.
    assert_eq!(
        out.stdout,
        "-> Hello from TCP client!\n>> Hello from TCP client!\n",
        "{}",
        out.describe()
    );
    assert!(
        s.wait_line(|l| l == "> Hello from TCP client!", WAIT)
            .is_some()
    );
}

#[test]
fn tcps_sends_back_exactly_the_bytes_read() {
    let s = Server::start(TCPS, &["0"]);
    for msg in [&b"x"[..], b"\x00\xff binary \x01\r\n", &[b'k'; 1000][..]] {
        let mut c = Client::connect(s.socket_addr());
        c.send(msg);
        c.w.shutdown(Shutdown::Write).unwrap();
        assert_eq!(c.rest(), msg, "exactly what was sent, nothing more");
    }
    // More than 1024 bytes: one read takes at most 1024 of them, and
    // exactly those come back. tcps then closes with the rest unread,
    // so the kernel may send a reset, which can overtake the answer.
    let mut c = Client::connect(s.socket_addr());
    c.send(&[b'm'; 3000]);
    let mut back = Vec::new();
    match c.r.read_to_end(&mut back) {
        Ok(_) => assert!(back.len() <= 1024, "got {} bytes", back.len()),
        Err(e) => assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset),
    }
    assert!(back.iter().all(|&b| b == b'm'));
}

#[test]
fn tcps_survives_clients_that_send_nothing() {
    let mut s = Server::start(TCPS, &["0"]);
    // Connects and leaves at once: logged, and the server goes on.
    drop(Client::connect(s.socket_addr()));
    assert!(
        s.wait_err_line(|l| l.contains("left without sending anything"), WAIT)
            .is_some(),
        "{:?}",
        s.stderr()
    );
    let out = Cmd::new(TCPC).args([&s.addr]).run();
    out.expect_code(0);
    assert!(s.is_running());
}

#[test]
fn tcpc_prints_exactly_what_it_read() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut b = [0u8; 64];
        let n = testkit::retry_eintr(|| c.read(&mut b)).unwrap();
        c.write_all(b"no newline here").unwrap();
        b[..n].to_vec()
    });
    let out = Cmd::new(TCPC).args([addr.to_string()]).run();
    out.expect_code(0);
    assert_eq!(h.join().unwrap(), b"Hello from TCP client!\n");
    assert_eq!(
        out.stdout,
        "-> Hello from TCP client!\n>> no newline here\n"
    );
}

#[test]
fn tcpc_with_a_server_that_closes_without_answering() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut b = [0u8; 64];
        let _ = testkit::retry_eintr(|| c.read(&mut b));
    });
    let out = Cmd::new(TCPC).args([addr.to_string()]).run();
    h.join().unwrap();
    out.expect_code(100);
    assert!(
        out.stderr
            .contains("closed the connection without answering"),
        "{}",
        out.describe()
    );
}

#[test]
fn tcpc_bad_arguments() {
    bad(TCPC, &[], 100, "Please provide a server:port string!");
    bad(
        TCPC,
        &["a:1", "b:2"],
        100,
        "Please provide a server:port string!",
    );
    bad(
        TCPC,
        &["127.0.0.1"],
        100,
        "looking up 127.0.0.1 (expected host:port)",
    );
    bad(
        TCPC,
        &["nosuchhost.invalid:7"],
        100,
        "looking up nosuchhost.invalid:7",
    );
    let refused = format!("127.0.0.1:{}", closed_port());
    bad(TCPC, &[&refused], 100, "connection refused");
}

#[test]
fn tcps_bad_arguments() {
    bad(TCPS, &["123456"], 100, "invalid port or address \"123456\"");
    bad(TCPS, &["port"], 100, "invalid port or address \"port\"");
    bad(TCPS, &["1", "2"], 100, "too many arguments");
    bad(TCPS, &["[::1:80"], 100, "invalid port or address");
    let s = Server::start(TCPS, &["0"]);
    bad(
        TCPS,
        &[&s.socket_addr().port().to_string()],
        100,
        "address already in use",
    );
}
