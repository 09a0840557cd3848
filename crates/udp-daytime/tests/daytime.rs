//! udp-daytime-server and udp-daytime-client over loopback: request
//! and reply, no server, a silent server, many clients, and datagrams
//! that no server should die of. Then bad command lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Piped, dead_udp_addr, forge_from_port_0};
use std::io::ErrorKind;
use std::net::{SocketAddr, UdpSocket};
use std::process::Command;
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_udp-daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_udp-daytime-client");

fn start() -> Server {
    Server::start(SERVER, &["0"])
}

fn client(addr: &str) -> testkit::Out {
    Cmd::new(CLIENT)
        .args([addr])
        .timeout(Duration::from_secs(10))
        .run()
}

/// NETPROG_TIME_SCALE for the tests that wait for the client to give
/// up: a tenth, so its 3 s (REPLY_TIMEOUT) are 0.3 s.
const SCALE: &str = "0.1";
const SCALED_LIMIT: Duration = Duration::from_millis(300);

/// Send one datagram from a fresh socket and wait for the reply.
fn ask(server: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.send_to(payload, server).unwrap();
    let mut buf = [0u8; 2048];
    let (n, from) =
        testkit::retry_eintr(|| s.recv_from(&mut buf)).expect("a reply");
    assert_eq!(from, server);
    buf[..n].to_vec()
}

fn is_time_line(reply: &[u8]) -> bool {
    reply.ends_with(b"\r\n") && reply.is_ascii() && reply.len() >= 30
}

fn fails(out: &testkit::Out, words: &str) {
    out.expect_code(1);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(
        out.stderr.contains(words),
        "want {words:?}\n{}",
        out.describe()
    );
}

#[test]
fn request_and_reply_as_date_prints_it() {
    let mut cmd = Command::new(SERVER);
    cmd.arg("0").env("TZ", "Asia/Kolkata");
    let server = Server::start_cmd(cmd, false);
    for _ in 0..3 {
        let before = Cmd::new("date")
            .env("TZ", "Asia/Kolkata")
            .env("LC_ALL", "C")
            .run();
        let out = client(&server.addr);
        out.expect_code(0);
        assert_eq!(out.stderr, "");
        if out.stdout == before.stdout {
            return; // else a second ticked in between: ask again
        }
    }
    panic!("the client never printed what `date` printed");
}

#[test]
fn the_reply_is_one_datagram_with_one_line() {
    let server = start();
    let reply = ask(server.socket_addr(), b"anything");
    assert!(is_time_line(&reply), "{reply:?}");
    assert_eq!(reply.iter().filter(|&&b| b == b'\n').count(), 1);
}

#[test]
fn no_server_is_connection_refused() {
    let addr = dead_udp_addr();
    let t = Instant::now();
    let out = client(&addr.to_string());
    fails(
        &out,
        &format!(
            "Fatal error: {addr}: Connection refused (ICMP port unreachable)"
        ),
    );
    fails(&out, "ICMP port unreachable");
    assert!(
        t.elapsed() < Duration::from_secs(2),
        "refused should be quick"
    );
}

#[test]
fn a_silent_server_is_a_timeout() {
    // Bound, so no ICMP error comes back; it reads nothing, says nothing.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    let t = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([addr.to_string()])
        .env("NETPROG_TIME_SCALE", SCALE)
        .timeout(Duration::from_secs(10))
        .run();
    let took = t.elapsed();
    // (Exercise 1 turns the one wait of 3 s into 3 tries of 1 s, and
    // exercise 2 into waits of 1, 2 and 4 s: 0.7 s in all, scaled.
    // Unscaled, 10 s was more than three times the limit; so is 1 s.)
    fails(&out, &format!("Fatal error: {addr}: no reply"));
    assert!(took >= SCALED_LIMIT - Duration::from_millis(10), "{took:?}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    drop(silent);
}

#[test]
fn many_clients_at_once() {
    let server = start();
    let addr = server.socket_addr();
    let raw: Vec<_> = (0..64)
        .map(|_| thread::spawn(move || ask(addr, b"x")))
        .collect();
    let procs: Vec<_> = (0..8)
        .map(|_| {
            let a = server.addr.clone();
            thread::spawn(move || client(&a))
        })
        .collect();
    for t in raw {
        assert!(is_time_line(&t.join().unwrap()));
    }
    for t in procs {
        t.join().unwrap().expect_code(0);
    }
}

#[test]
fn empty_garbage_and_oversized_datagrams_are_answered_and_survived() {
    let mut server = start();
    let addr = server.socket_addr();
    // Any datagram is a request: an empty one, binary junk, and one
    // far larger than the 512-byte buffer (cut by the kernel, which
    // does not matter to a daytime server).
    for payload in [&b""[..], b"\xff\x00\x1b[2J", &vec![b'x'; 60_000]] {
        let reply = ask(addr, payload);
        assert!(is_time_line(&reply), "{} bytes: {reply:?}", payload.len());
    }
    // A flood from one socket that never reads its replies.
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    for _ in 0..1000 {
        let _ = s.send_to(b"junk", addr);
    }
    assert!(server.is_running());
    // The flood overflowed the server's receive buffer, and the
    // kernel dropped what did not fit: UDP. A request sent now may be
    // dropped too, so it is sent again until one is answered (every
    // 0.1 s, for 10 s at most).
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(Duration::from_millis(100)))
        .unwrap();
    let mut buf = [0u8; 64];
    let answered = (0..100).any(|_| {
        s.send_to(b"still there?", addr).unwrap();
        let got = testkit::retry_eintr(|| s.recv_from(&mut buf));
        matches!(got, Ok((n, _)) if is_time_line(&buf[..n]))
    });
    assert!(answered, "no answer after the flood");
}

#[test]
fn a_client_that_left_does_not_stop_the_server() {
    let mut server = start();
    let addr = server.socket_addr();
    for _ in 0..50 {
        let s = UdpSocket::bind("127.0.0.1:0").unwrap();
        s.send_to(b"bye", addr).unwrap();
        drop(s); // the reply goes to a closed port: ICMP, ignored
    }
    assert!(server.is_running());
    assert!(is_time_line(&ask(addr, b"hello")));
}

#[test]
fn only_a_connected_socket_hears_the_icmp_error() {
    // The page's claim, checked against this kernel.
    let dead = dead_udp_addr();
    let connected = UdpSocket::bind("127.0.0.1:0").unwrap();
    connected.connect(dead).unwrap();
    connected.set_read_timeout(Some(WAIT)).unwrap();
    connected.send(b"x").unwrap();
    let err =
        testkit::retry_eintr(|| connected.recv(&mut [0u8; 8])).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ConnectionRefused);

    let unconnected = UdpSocket::bind("127.0.0.1:0").unwrap();
    unconnected
        .set_read_timeout(Some(Duration::from_millis(300)))
        .unwrap();
    unconnected.send_to(b"x", dead).unwrap();
    let err = testkit::retry_eintr(|| unconnected.recv_from(&mut [0u8; 8]))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock, "no error, just no reply");
}

#[test]
fn a_reply_too_long_for_the_client_is_reported() {
    let fake = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = fake.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 64];
        if let Ok((_, from)) = testkit::retry_eintr(|| fake.recv_from(&mut buf))
        {
            let _ = fake.send_to(&[b'y'; 600], from);
        }
    });
    fails(
        &client(&addr.to_string()),
        "reply over 512 bytes: not a daytime server",
    );
}

#[test]
fn a_go_style_reply_without_line_end_prints_one_line() {
    let fake = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = fake.local_addr().unwrap();
    let go = "2026-11-22 02:17:06.984501214 +0000 UTC m=+0.012099630";
    let t = thread::spawn(move || {
        let mut buf = [0u8; 64];
        let (n, from) =
            testkit::retry_eintr(|| fake.recv_from(&mut buf)).unwrap();
        fake.send_to(go.as_bytes(), from).unwrap();
        buf[..n].to_vec()
    });
    let out = client(&addr.to_string());
    out.expect_code(0);
    assert_eq!(out.stdout, format!("{go}\n"));
    assert_eq!(t.join().unwrap(), b"anything", "the book's request");
}

#[test]
fn listens_on_loopback_port_1200_by_default() {
    // Port 1200 may be taken on this machine: then the server must
    // say so about 127.0.0.1:1200 and exit 1. Either way the default
    // address is pinned. Its first line, or its end, is awaited.
    let listening = |l: &str| l.starts_with("listening on ");
    match Server::start_until(Command::new(SERVER), false, listening) {
        Ok(mut server) => {
            let first = server.stdout().first().cloned();
            assert_eq!(first.as_deref(), Some("listening on 127.0.0.1:1200"));
            assert!(server.is_running(), "{:?}", server.stderr());
        }
        Err((what, mut server)) => {
            let status = server.wait_exit(WAIT);
            assert_eq!(status.and_then(|s| s.code()), Some(1), "{what}");
            assert_eq!(server.stdout(), Vec::<String>::new());
            let err = server.stderr();
            assert_eq!(err.len(), 1, "{err:?}");
            assert!(
                err[0]
                    .contains("binding 127.0.0.1:1200: address already in use"),
                "{err:?}"
            );
        }
    }
}

#[test]
fn bad_server_arguments() {
    let run = |args: &[&str]| Cmd::new(SERVER).args(args).run();
    fails(
        &run(&["1", "2"]),
        "Usage: udp-daytime-server [PORT | ADDRESS:PORT]",
    );
    fails(
        &run(&["70000"]),
        "Fatal error: invalid port or address \"70000\": give a port",
    );
    fails(
        &run(&["nope"]),
        "Fatal error: invalid port or address \"nope\"",
    );
    fails(
        &run(&[":1200"]),
        "Go's \":PORT\" (every interface) is written",
    );
    fails(
        &run(&["192.0.2.1:1200"]),
        "binding 192.0.2.1:1200: no interface of this machine has that",
    );
    let taken = UdpSocket::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    fails(
        &run(&[&port]),
        "address already in use (another program has that port",
    );
}

#[test]
fn a_bad_time_scale_is_a_one_line_error_before_any_datagram() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    for bad in ["0", "fast", "1000", ""] {
        let out = Cmd::new(CLIENT)
            .args([&addr])
            .env("NETPROG_TIME_SCALE", bad)
            .run();
        fails(
            &out,
            &format!(
                "Fatal error: NETPROG_TIME_SCALE=\"{bad}\" is not a factor \
                 from 0.01 to 100"
            ),
        );
    }
    // The limit is read before any socket: nothing was sent.
    silent.set_nonblocking(true).unwrap();
    let err = silent.recv_from(&mut [0u8; 64]).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::WouldBlock, "a request came");
}

#[test]
fn bad_client_arguments() {
    let run = |args: &[&str]| Cmd::new(CLIENT).args(args).run();
    fails(&run(&[]), "Usage: udp-daytime-client host:port");
    fails(&run(&["a:1", "b:2"]), "Usage: udp-daytime-client host:port");
    fails(&run(&["localhost"]), "Fatal error: `localhost` has no port");
    fails(&run(&[":1200"]), "`:1200` has no host");
    fails(
        &run(&["localhost:http-alt-x"]),
        "Fatal error: resolving localhost:http-alt-x",
    );
    fails(
        &run(&["no-such-host.invalid:1200"]),
        "resolving no-such-host.invalid:1200",
    );
}

#[test]
fn tcp_and_udp_ports_are_separate() {
    // The page says a TCP server could take the UDP server's port.
    // A TCP listener takes a port first, then the UDP server binds
    // the same number (TCP's ephemeral ports are busy on a loaded
    // machine, UDP's rarely are).
    let tcp = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = tcp.local_addr().unwrap().port().to_string();
    let server = Server::start(SERVER, &[&port]);
    assert_eq!(server.addr, format!("127.0.0.1:{port}"));
    assert!(is_time_line(&ask(server.socket_addr(), b"")));
}

#[test]
fn a_low_port_needs_cap_net_bind_service() {
    // Run the server as `nobody` (setpriv, from util-linux), without
    // and then with the capability; only root can switch users, so
    // elsewhere this is skipped.
    if !testkit::need_root("switching to an unprivileged user")
        || !testkit::need_tool("setpriv", "running as nobody")
    {
        return;
    }
    let out = Cmd::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            SERVER,
            "13",
        ])
        .run();
    fails(
        &out,
        "Fatal error: binding 127.0.0.1:13: permission denied (ports below \
         1024 need the CAP_NET_BIND_SERVICE capability",
    );
    // The same user with that one capability may bind port 13.
    let mut cmd = std::process::Command::new("setpriv");
    cmd.args([
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "--inh-caps=+net_bind_service",
        "--ambient-caps=+net_bind_service",
        SERVER,
        "127.0.0.1:13",
    ]);
    let server = Server::start_cmd(cmd, false);
    assert_eq!(server.addr, "127.0.0.1:13");
    assert!(is_time_line(&ask(server.socket_addr(), b"")));
}

/// The server's port as an IPv4 socket address.
fn v4(addr: SocketAddr) -> std::net::SocketAddrV4 {
    match addr {
        SocketAddr::V4(a) => a,
        SocketAddr::V6(_) => panic!("not IPv4: {addr}"),
    }
}

#[test]
fn a_forged_request_from_port_0_is_logged_and_survived() {
    let srv = Piped::start(SERVER, &["0"], false, false);
    let Some(()) = forge_from_port_0(v4(srv.addr), b"forged") else {
        return;
    };
    // The reply to port 0 fails at once: sendto says EINVAL.
    let logged =
        common::wait_for(WAIT, || srv.stderr.lock().unwrap().first().cloned());
    assert_eq!(
        logged.as_deref(),
        Some(
            "udp-daytime-server: replying to 127.0.0.1:0: Invalid argument \
             (os error 22)"
        )
    );
    assert!(is_time_line(&ask(srv.addr, b"still there?")));
}

#[test]
fn a_closed_stderr_does_not_stop_the_server() {
    // udp-daytime-server 2>&- (or 2>&1 | head -1): the log line about
    // the forged request goes nowhere, and the server goes on.
    let mut srv = Piped::start(SERVER, &["0"], false, true);
    let Some(()) = forge_from_port_0(v4(srv.addr), b"forged") else {
        return;
    };
    for _ in 0..3 {
        assert!(is_time_line(&ask(srv.addr, b"x")));
    }
    assert!(srv.is_running());
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
    let bad = std::ffi::OsStr::from_bytes(b"\xff:1200");
    for exe in [SERVER, CLIENT] {
        let out = Cmd::new(exe).args([bad]).run();
        fails(&out, "argument \"\\xff:1200\" is not valid UTF-8 text");
    }
}
