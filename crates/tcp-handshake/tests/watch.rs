//! handshake-watch on a real connection over loopback. Capturing needs
//! root or CAP_NET_RAW: without it these tests print why they are
//! skipped (and fail under CI, which runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use testkit::{Cmd, Server, TempDir};

const SERVER: &str = env!("CARGO_BIN_EXE_handshake-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_handshake-client");
const WATCH: &str = env!("CARGO_BIN_EXE_handshake-watch");

/// The segment lines of a capture, without the explanations.
fn segments(stdout: &str) -> Vec<&str> {
    stdout.lines().filter(|l| l.contains(" → ")).collect()
}

fn count(lines: &[&str], pat: &str) -> usize {
    lines.iter().filter(|l| l.contains(pat)).count()
}

#[test]
fn a_real_connection_shows_handshake_data_and_teardown_once_each() {
    if !testkit::need_root("capturing on lo needs CAP_NET_RAW") {
        return;
    }
    let s = Server::start(SERVER, &["0"]);
    let port = s.socket_addr().port().to_string();
    let dir = TempDir::new("watch");
    let pcap = dir.path().join("coco.pcap");
    let out = Cmd::new(WATCH)
        .args(["--port", &port, "--explain", "--write"])
        .args([&pcap])
        .args(["--", CLIENT, &s.addr])
        .timeout(Duration::from_secs(20))
        .run();
    out.expect_code(0);
    let seg = segments(&out.stdout);
    let to_server = format!("→ 127.0.0.1:{port} ");
    // The three-way handshake, once each.
    assert_eq!(count(&seg, "[SYN] Seq=0 "), 1, "{}", out.stdout);
    assert_eq!(count(&seg, "[SYN, ACK] Seq=0 Ack=1 "), 1, "{}", out.stdout);
    assert!(seg[2].contains("[ACK] Seq=1 Ack=1 "), "{}", out.stdout);
    // One data segment each way, 14 bytes (not the blog's 15).
    let data: Vec<_> = seg.iter().filter(|l| l.ends_with("Len=14")).collect();
    assert_eq!(data.len(), 2, "{}", out.stdout);
    assert!(data[0].contains(&to_server) && !data[1].contains(&to_server));
    assert!(
        seg.iter()
            .all(|l| l.ends_with("Len=0") || l.ends_with("Len=14"))
    );
    // A FIN from each side, once; the last segment acknowledges a FIN.
    let fins: Vec<_> =
        seg.iter().filter(|l| l.contains("[FIN, ACK]")).collect();
    assert_eq!(fins.len(), 2, "{}", out.stdout);
    assert!(fins[0].contains(&to_server) != fins[1].contains(&to_server));
    assert!(
        seg.last().unwrap().contains("[ACK] Seq=16 Ack=16 "),
        "{}",
        out.stdout
    );
    // No segment twice: on lo every frame is seen twice and one copy
    // must be dropped. Numbers run 1..=N, and N is what it reports.
    assert!((9..=11).contains(&seg.len()), "{}", out.stdout);
    assert!(
        out.stdout
            .contains(&format!("{} segments captured", seg.len()))
    );
    // The explanations are there.
    assert!(out.stdout.contains("handshake 1/3"));
    assert!(
        out.stdout
            .contains("data: 14 bytes, the client's bytes 1 to 14; the server will answer Ack=15")
    );

    // The pcap file reads back with tcpdump, one line per segment.
    if testkit::need_tool("tcpdump", "reading the pcap file back") {
        let r = Cmd::new("tcpdump").args(["-n", "-r"]).args([&pcap]).run();
        r.expect_code(0);
        let lines: Vec<_> = r.stdout.lines().collect();
        assert_eq!(lines.len(), seg.len(), "{}", r.stdout);
        assert_eq!(lines.iter().filter(|l| l.contains("Flags [S]")).count(), 1);
        assert_eq!(
            lines.iter().filter(|l| l.contains("Flags [F.]")).count(),
            2
        );
        assert_eq!(
            lines.iter().filter(|l| l.ends_with("length 14")).count(),
            2
        );
    }
}

#[test]
fn count_and_duration_bound_a_capture() {
    if !testkit::need_root("capturing on lo needs CAP_NET_RAW") {
        return;
    }
    // Nothing talks on this port: the duration ends the capture.
    let out = Cmd::new(WATCH)
        .args(["--port", "9", "--duration", "0.3"])
        .run();
    out.expect_code(0);
    assert!(
        out.stdout.ends_with("0 segments captured\n"),
        "{}",
        out.stdout
    );
    // --count 3 stops after the handshake.
    let s = Server::start(SERVER, &["0"]);
    let port = s.socket_addr().port().to_string();
    let out = Cmd::new(WATCH)
        .args(["--port", &port, "--count", "3", "--", CLIENT, &s.addr])
        .run();
    out.expect_code(0);
    assert_eq!(segments(&out.stdout).len(), 3, "{}", out.stdout);
}

#[test]
fn without_the_privilege_the_message_names_cap_net_raw() {
    if !testkit::need_root("only root can drop to another user for this test") {
        return;
    }
    if !testkit::need_tool("setpriv", "running the binary as nobody") {
        return;
    }
    let out = Cmd::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            WATCH,
            "--duration",
            "1",
        ])
        .run();
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.stderr);
    assert!(
        out.stderr.contains("needs CAP_NET_RAW")
            && out.stderr.contains("setcap cap_net_raw+ep"),
        "{}",
        out.stderr
    );
}

#[test]
fn bad_arguments_exit_2() {
    for (args, says) in [
        (vec!["--port"], "--port needs a value"),
        (vec!["--port", "x"], "not a valid number"),
        (vec!["--duration", "-1"], "not a positive number"),
        (vec!["--bogus"], "unknown argument"),
        (vec!["--"], "must be followed by a command"),
    ] {
        let out = Cmd::new(WATCH).args(&args).run();
        out.expect_code(2);
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
    // An interface that does not exist: exit 1, named.
    let out = Cmd::new(WATCH).args(["--iface", "nosuch0"]).run();
    out.expect_code(1);
    assert!(
        out.stderr.contains("no interface named \"nosuch0\""),
        "{}",
        out.stderr
    );
}
