//! What Go does, measured: go/listen.go is built and run, and these
//! tests pin the page's claims about Go's listeners and the sockets
//! they accept. Without Go they are skipped with a printed reason
//! (under CI=true they fail instead).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::net::SocketAddr;
use std::process::Command;
use testkit::{Cmd, Server, WAIT};

fn go_listen() -> Option<std::path::PathBuf> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), "listen")
}

/// Start go/listen.go in MODE on a free port.
fn start_go(bin: &std::path::Path, mode: &str) -> Server {
    let mut cmd = Command::new(bin);
    cmd.args([mode, "0"]);
    Server::start_cmd(cmd, false)
}

/// What `ss -tln` shows for the listener: (Send-Q, local address).
fn ss_listener(port: u16) -> (usize, String) {
    let filter = format!("( sport = :{port} )");
    let out = Cmd::new("ss").args(["-tlnH", &filter]).run();
    out.expect_code(0);
    let f: Vec<&str> = out.stdout.split_whitespace().collect();
    assert!(f.len() >= 4, "unexpected ss output: {}", out.stdout);
    (f[2].parse().unwrap(), f[3].to_string())
}

fn echoes(addr: SocketAddr) -> bool {
    match std::net::TcpStream::connect_timeout(&addr, WAIT) {
        Ok(mut c) => {
            c.set_read_timeout(Some(WAIT)).unwrap();
            echo_on(&mut c, b"go?\n") == b"go?\n"
        }
        Err(_) => false,
    }
}

fn at(host: &str, port: u16) -> SocketAddr {
    SocketAddr::new(host.parse().unwrap(), port)
}

/// Newmarch's echo servers: ResolveTCPAddr("tcp4", ":1201") gives no
/// IP at all, and ListenTCP("tcp", ...) then listens on [::] with
/// IPV6_V6ONLY off: both families, `*:PORT` in ss.
#[test]
fn newmarch_s_tcp4_address_listens_on_both_families() {
    let Some(bin) = go_listen() else { return };
    if !testkit::need_tool("ss", "reads the Go listener") {
        return;
    }
    let s = start_go(&bin, "resolve-tcp4");
    assert_eq!(s.stdout()[0], "resolved IP: <nil>");
    assert!(s.addr.starts_with("[::]:"), "{}", s.addr);
    let port = s.socket_addr().port();
    assert_eq!(ss_listener(port).1, format!("*:{port}"));
    assert!(echoes(at("127.0.0.1", port)), "IPv4 client refused");
    assert!(echoes(at("::1", port)), "IPv6 client refused");
}

/// The smoke-test blog's Listen("tcp4", ...) is IPv4 only; the
/// generic Listen("tcp", ":1200") is dual-stack like the first.
#[test]
fn only_listen_tcp4_is_ipv4_only() {
    let Some(bin) = go_listen() else { return };
    let s = start_go(&bin, "listen-tcp4");
    assert!(s.addr.starts_with("0.0.0.0:"), "{}", s.addr);
    let port = s.socket_addr().port();
    assert!(echoes(at("127.0.0.1", port)));
    assert!(!echoes(at("::1", port)), "tcp4 took an IPv6 client");

    let s = start_go(&bin, "listen-tcp");
    let port = s.socket_addr().port();
    assert!(s.addr.starts_with("[::]:"), "{}", s.addr);
    assert!(echoes(at("127.0.0.1", port)) && echoes(at("::1", port)));
}

/// The book's ThreadedEchoServer resolves with "ip4": Go says so.
#[test]
fn the_book_s_ip4_network_is_refused() {
    let Some(bin) = go_listen() else { return };
    let out = Cmd::new(bin.to_str().unwrap())
        .args(["resolve-ip4", "0"])
        .run();
    out.expect_code(1);
    assert_eq!(out.stderr, "unknown network ip4\n");
}

/// Go asks listen(2) for net.core.somaxconn (ss: Send-Q), as the
/// Rust servers now do.
#[test]
fn go_s_listen_backlog_is_somaxconn() {
    let Some(bin) = go_listen() else { return };
    if !testkit::need_tool("ss", "reads the listen backlog") {
        return;
    }
    let somaxconn: usize =
        std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    let s = start_go(&bin, "resolve-tcp4");
    assert_eq!(ss_listener(s.socket_addr().port()).0, somaxconn);
}

/// What Go sets on a socket it accepts: keep-alive every 15 s,
/// TCP_NODELAY, non-blocking (its runtime polls with epoll), and no
/// SO_RCVTIMEO even with a read deadline set: deadlines are timers of
/// Go's runtime, not socket options.
#[test]
fn go_s_accepted_sockets() {
    let Some(bin) = go_listen() else { return };
    let s = start_go(&bin, "resolve-tcp4");
    assert!(echoes(at("127.0.0.1", s.socket_addr().port())));
    let line = s.wait_line(|l| l.starts_with("accepted: "), WAIT);
    assert_eq!(
        line.as_deref(),
        Some(
            "accepted: keepalive=1 keepidle=15 keepintvl=15 nodelay=1 \
             nonblock=1 rcvtimeo=0"
        )
    );
}
