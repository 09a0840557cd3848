//! handshake-watch on a real connection over loopback. Capturing needs
//! root or CAP_NET_RAW: without it these tests print why they are
//! skipped (and fail under CI, which runs as root).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::TcpStream;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use testkit::{Cmd, Server, TempDir, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_handshake-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_handshake-client");
const WATCH: &str = env!("CARGO_BIN_EXE_handshake-watch");

/// The segment lines of a capture, without the explanations: each is
/// printed in two lines (addresses and flags; then from `Seq=` on), so
/// that it fits 80 columns; here they are joined again.
fn segments(stdout: &str) -> Vec<String> {
    let lines: Vec<&str> = stdout.lines().collect();
    lines
        .iter()
        .enumerate()
        .filter(|(_, l)| l.contains(" → "))
        .map(|(i, l)| {
            let next = lines.get(i + 1).map_or("", |n| n.trim_start());
            format!("{l} {next}")
        })
        .collect()
}

fn count(lines: &[String], pat: &str) -> usize {
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
        // (The SYNs may end in their options, after exercise 1.)
        seg.iter().all(|l| l.contains(" Len=0")
            && (l.ends_with("Len=0") || l.contains("[SYN"))
            || l.ends_with("Len=14"))
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
        out.stdout.contains(
            "data: 14 bytes, the client's bytes 1 to 14;\n      \
             the server will answer Ack=15"
        ),
        "{}",
        out.stdout
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

/// Once its command has exited, the capture waits for the teardown
/// (2 s; a smaller scale does not shorten it) and then stops without it; on a port
/// that is never quiet, at twice that.
#[test]
fn after_its_command_the_wait_for_the_teardown_is_bounded() {
    if !testkit::need_root("capturing on lo needs CAP_NET_RAW") {
        return;
    }
    let watch = |port: &str| {
        let start = Instant::now();
        let out = Cmd::new(WATCH)
            .env("NETPROG_TIME_SCALE", "0.3")
            .args(["--port", port, "--", "true"])
            .run();
        (out, start.elapsed())
    };
    // `true` never connects: no teardown will come.
    let (out, took) = watch("9");
    out.expect_code(0);
    assert!(
        out.stdout.ends_with("0 segments captured\n"),
        "{}",
        out.stdout
    );
    assert!(took >= Duration::from_secs(2), "stopped after {took:?}");
    // A connection (not the command's) that sends a byte every 20 ms:
    // the capture never has 0.1 s without a frame of the port.
    let s = Server::start(SERVER, &["0"]);
    let addr = s.socket_addr();
    let stop = Arc::new(AtomicBool::new(false));
    let talking = Arc::clone(&stop);
    let talker = std::thread::spawn(move || {
        let mut c = TcpStream::connect(addr).unwrap();
        while !talking.load(Ordering::Relaxed) {
            c.write_all(b"x").unwrap();
            std::thread::sleep(Duration::from_millis(20));
        }
    });
    let (out, took) = watch(&addr.port().to_string());
    stop.store(true, Ordering::Relaxed);
    talker.join().unwrap();
    out.expect_code(0);
    // Its segments are not the command's connection's: none is shown.
    assert!(
        out.stdout.ends_with("0 segments captured\n"),
        "{}",
        out.stdout
    );
    assert!(took >= Duration::from_secs(4), "stopped after {took:?}");
}

#[test]
fn a_bad_time_scale_is_one_line_and_exit_1() {
    let out = Cmd::new(WATCH)
        .env("NETPROG_TIME_SCALE", "soon")
        .args(["--port", "9", "--duration", "0.1"])
        .run();
    out.expect_code(1);
    assert!(
        out.stderr
            .contains("NETPROG_TIME_SCALE=\"soon\" is not a factor")
            && out.stderr.lines().count() == 1,
        "{}",
        out.describe()
    );
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
fn bad_arguments_exit_2_with_one_line() {
    for (args, says) in [
        (vec!["--port"], "--port needs a value"),
        (vec!["--port", "x"], "not a valid number"),
        (vec!["--port", "70000"], "not a valid number"),
        (vec!["--count", "0"], "--count wants at least 1"),
        (vec!["--duration", "-1"], "not a number of seconds above 0"),
        (
            vec!["--duration", "1e20"],
            "not a number of seconds above 0",
        ),
        (vec!["--duration", "NaN"], "not a number of seconds above 0"),
        (vec!["--bogus"], "unknown option --bogus"),
        (vec!["-x"], "unknown option -x"),
        (vec!["stray"], "unexpected argument \"stray\""),
        (vec!["--explain=yes"], "--explain takes no value"),
        (vec!["--"], "must be followed by a command"),
    ] {
        let out = Cmd::new(WATCH).args(&args).run();
        out.expect_code(2);
        assert!(
            out.stderr.contains(says)
                && out.stderr.ends_with("(try handshake-watch --help)\n")
                && out.stderr.lines().count() == 1,
            "{args:?}: {}",
            out.stderr
        );
    }
    // --help: the usage on stdout, status 0.
    let out = Cmd::new(WATCH).args(["--help"]).run();
    out.expect_code(0);
    assert!(out.stdout.starts_with("usage: handshake-watch "));
    assert!(out.stdout.contains("[-i|--iface IFACE]"), "{}", out.stdout);
}

#[test]
fn a_bad_interface_name_is_one_line_and_exit_1_or_2() {
    // An interface that does not exist: exit 1, one line that names
    // it, before any privilege is needed (no capture was opened).
    for args in [["--iface", "nosuch0"], ["-i", "nosuch0"]] {
        let out = Cmd::new(WATCH).args(args).run();
        out.expect_code(1);
        assert_eq!(
            out.stderr,
            "handshake-watch: no interface named \"nosuch0\" (see `ip \
             link`)\n",
            "{args:?}"
        );
        assert!(out.stdout.is_empty(), "{}", out.describe());
    }
    // A name that is not text is a bad argument: exit 2, one line.
    use std::os::unix::ffi::OsStringExt;
    let bad = std::ffi::OsString::from_vec(b"np-\xff".to_vec());
    let out = Cmd::new(WATCH)
        .args([std::ffi::OsString::from("-i"), bad])
        .run();
    out.expect_code(2);
    assert!(
        out.stderr
            .contains("-i: argument \"np-\\xff\" is not valid UTF-8")
            && out.stderr.lines().count() == 1,
        "{}",
        out.stderr
    );
}

/// A TCP segment from 127.0.0.1:`from` to `to` with `seq`, ACK 1,
/// PSH|ACK and `len` bytes. The checksum is left 0 (wrong), so the
/// receiving TCP drops it without a reset: only the capture sees it.
fn crafted(from: u16, to: u16, seq: u32, len: usize) -> Vec<u8> {
    let mut t = Vec::new();
    t.extend_from_slice(&from.to_be_bytes());
    t.extend_from_slice(&to.to_be_bytes());
    t.extend_from_slice(&seq.to_be_bytes());
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&[0x50, 0x18]); // 5 words, PSH|ACK
    t.extend_from_slice(&1024u16.to_be_bytes());
    t.extend_from_slice(&[0, 0, 0, 0]);
    t.extend(std::iter::repeat_n(b'z', len));
    t
}

#[test]
fn crafted_segments_cannot_crash_it_or_garble_its_sentences() {
    if !testkit::need_root("capturing, and a raw socket to send with") {
        return;
    }
    use socket2::{Domain, Protocol, Socket, Type};
    use std::net::SocketAddr;
    // Nothing listens on this port; the segments only cross `lo`. It
    // is bound, never listening (a listener bound and dropped might
    // still listen in a process another test forks, until its exec).
    let bound = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    bound.bind(&any.into()).unwrap();
    let port = bound.local_addr().unwrap().as_socket().unwrap().port();
    let mut watch = std::process::Command::new(WATCH);
    watch
        .args(["--port", &port.to_string(), "--explain", "--count", "5"])
        .args(["--duration", "10"]);
    let mut w = Server::start_cmd(watch, false);
    // Issue 12's pair (seq 1000 len 10, then seq 990 len 20), a
    // segment from before everything, one past a gap, and one half the
    // number circle away (before the base, modulo 2^32).
    let raw =
        Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::TCP)).unwrap();
    let to: SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let segments = [(1000, 10), (990, 20), (10, 5), (2000, 5), (u32::MAX, 300)];
    for (seq, len) in segments {
        raw.send_to(&crafted(40001, port, seq, len), &to.into())
            .unwrap();
    }
    let status = w.wait_exit(WAIT).expect("handshake-watch ends");
    let out = w.stdout().join("\n");
    assert!(status.success(), "{status}: {out}\n{:?}", w.stderr());
    assert!(out.contains("5 segments captured"), "{out}");
    for want in [
        "data: 10 bytes, the sender's bytes 1 to 10;\n      \
         the receiver will answer Ack=11",
        "retransmission: the sender sends again what it had sent before,\n\
         \x20     up to byte 10",
        "a segment from before the sender's first byte (sequence 10)",
        "out of order: the sender's bytes from 11 on have not been seen",
        "a segment from before the sender's first byte (sequence \
         4294967295)",
    ] {
        assert!(out.contains(want), "want {want:?} in\n{out}");
    }
}
