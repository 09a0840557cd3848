//! What the Go programs do, measured: small Go programs in `go/` that
//! behave like Newmarch's UDPDaytimeServer and UDPDaytimeClient and
//! Tsoukalos' UDPserver and UDPclient (written here, not the books'
//! listings). Each test pins a sentence of docs/src/udp-daytime.md.
//! Without Go they are skipped with a reason (a failure under CI=true).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::Piped;
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server, WAIT};

const CLIENT: &str = env!("CARGO_BIN_EXE_udp-daytime-client");
const ECHO_SERVER: &str = env!("CARGO_BIN_EXE_udp-echo-server");

fn go(name: &str) -> Option<String> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), name)
        .map(|p: PathBuf| p.to_str().unwrap().to_string())
}

/// The port a Go server printed (`listening on [::]:PORT`).
fn port(server: &Server) -> u16 {
    server.addr.rsplit(':').next().unwrap().parse().unwrap()
}

fn ask(to: SocketAddr, payload: &[u8]) -> Vec<u8> {
    let local = if to.is_ipv4() {
        "127.0.0.1:0"
    } else {
        "[::1]:0"
    };
    let s = UdpSocket::bind(local).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s.send_to(payload, to).unwrap();
    let mut buf = [0u8; 2048];
    let (n, _) = testkit::retry_eintr(|| s.recv_from(&mut buf)).unwrap();
    buf[..n].to_vec()
}

#[test]
fn newmarch_s_server_answers_go_s_time_string_on_ipv4_and_ipv6() {
    let Some(bin) = go("udp_daytime_server") else {
        return;
    };
    // ResolveUDPAddr("udp4", ":PORT") gives no IP, and ListenUDP("udp",
    // ...) then binds [::], which takes IPv4 and IPv6 (dual-stack).
    let server = Server::start(&bin, &[":0"]);
    assert!(server.addr.starts_with("[::]:"), "{}", server.addr);
    let p = port(&server);
    for to in [format!("127.0.0.1:{p}"), format!("[::1]:{p}")] {
        let reply = ask(to.parse().unwrap(), b"x");
        let text = String::from_utf8(reply).unwrap();
        // time.Now().String(): "2026-11-22 02:17:06.98 +0000 UTC
        // m=+0.01", with the monotonic clock reading, and no line end.
        assert!(text.contains(" m=+"), "{text:?}");
        assert!(!text.ends_with('\n'), "{text:?}");
    }
    // Our client prints it as one line.
    let out = Cmd::new(CLIENT).args([format!("127.0.0.1:{p}")]).run();
    out.expect_code(0);
    assert_eq!(out.stdout.lines().count(), 1, "{}", out.describe());
    assert!(out.stdout.contains(" m=+"), "{}", out.describe());
}

#[test]
fn newmarch_s_client_prints_a_broken_fatal_error() {
    let Some(bin) = go("udp_daytime_client") else {
        return;
    };
    let dead = common::dead_udp_addr();
    let out = Cmd::new(&bin).args([dead.to_string()]).run();
    assert_eq!(out.code, Some(1));
    // Fprintf(os.Stderr, "Fatal error ", err.Error()): no %s, so Go
    // appends the argument as %!(EXTRA ...), and no newline.
    assert!(
        out.stderr
            .starts_with("Fatal error %!(EXTRA string=read udp "),
        "{}",
        out.describe()
    );
    assert!(
        out.stderr
            .ends_with(&format!("->{dead}: read: connection refused)")),
        "{}",
        out.describe()
    );
}

#[test]
fn newmarch_s_client_waits_for_ever_for_a_silent_server() {
    let Some(bin) = go("udp_daytime_client") else {
        return;
    };
    // Bound, so no ICMP error comes back, and it never answers.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    // The program sets no deadline, and a zero one, which a new
    // connection has, means "Read will not time out" (net.Conn's
    // SetReadDeadline, net/net.go in Go 1.19): Read waits for ever.
    // No test can wait that long; this one stops it after 1 s and
    // checks that it was still waiting then, its request sent.
    let out = Cmd::new(&bin)
        .args([addr.to_string()])
        .timeout(Duration::from_secs(1))
        .run();
    assert!(out.timed_out, "{}", out.describe());
    assert_eq!(out.stdout, "", "{}", out.describe());
    silent.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 64];
    let (n, _) = testkit::retry_eintr(|| silent.recv_from(&mut buf))
        .expect("the request");
    assert_eq!(&buf[..n], b"anything");
}

#[test]
fn tsoukalos_s_server_echoes_a_cut_copy_and_logs_raw_bytes() {
    let Some(bin) = go("udp_echo_server") else {
        return;
    };
    let mut srv = Piped::start(&bin, &["0"], false, false);
    let to: SocketAddr =
        format!("127.0.0.1:{}", srv.addr.port()).parse().unwrap();
    // 2000 bytes in, the first 1024 back, as if that were all.
    let big = vec![b'b'; 2000];
    assert_eq!(ask(to, &big), vec![b'b'; 1024]);
    // fmt.Print("-> ", ...): no line end of its own, control bytes
    // passed through.
    assert_eq!(ask(to, b"Hi!"), b"Hi!");
    assert_eq!(ask(to, b"\x1b[2J\n"), b"\x1b[2J\n");
    assert_eq!(ask(to, b"STOP\n"), b"STOP\n");
    let status = common::wait_exit(&mut srv.child, WAIT);
    assert_eq!(status.code(), Some(0));
    let mut out = String::new();
    std::io::Read::read_to_string(srv.stdout.as_mut().unwrap(), &mut out)
        .unwrap();
    let want = format!(
        "-> {}-> Hi!-> \x1b[2J\n-> STOP\nExiting UDP server!\n",
        "b".repeat(1024)
    );
    assert_eq!(out, want);
}

#[test]
fn one_forged_datagram_stops_tsoukalos_s_server_not_ours() {
    let Some(bin) = go("udp_echo_server") else {
        return;
    };
    for (exe, survives) in [(bin.as_str(), false), (ECHO_SERVER, true)] {
        let mut srv = Piped::start(exe, &["0"], false, false);
        let to = std::net::SocketAddrV4::new(
            std::net::Ipv4Addr::LOCALHOST,
            srv.addr.port(),
        );
        let Some(()) = common::forge_from_port_0(to, b"forged\n") else {
            return;
        };
        if survives {
            let v4: SocketAddr = to.into();
            assert_eq!(ask(v4, b"next\n"), b"next\n");
            assert!(srv.is_running());
        } else {
            // WriteToUDP to port 0 fails, and the book's server exits.
            let end = Instant::now() + WAIT;
            let status = loop {
                if let Some(s) = srv.child.try_wait().unwrap() {
                    break s;
                }
                assert!(Instant::now() < end, "the Go server still runs");
                std::thread::sleep(Duration::from_millis(20));
            };
            assert_eq!(status.code(), Some(100));
        }
    }
}

#[test]
fn tsoukalos_s_client_shows_an_empty_reply_when_nobody_is_there() {
    let Some(bin) = go("udp_echo_client") else {
        return;
    };
    let dead = common::dead_udp_addr();
    let out = Cmd::new(&bin).args([dead.to_string()]).run();
    assert_eq!(out.code, Some(0));
    assert_eq!(out.stdout, format!("The UDP server is {dead}\nReply: "));
}

#[test]
fn tsoukalos_s_client_reports_a_bad_address_as_a_missing_one() {
    let Some(bin) = go("udp_echo_client") else {
        return;
    };
    // ResolveUDPAddr's error is overwritten by DialUDP's.
    let out = Cmd::new(&bin).args(["localhost"]).run();
    assert_eq!(out.code, Some(100));
    assert_eq!(out.stdout, "dial udp: missing address\n");
}
