//! loadgen against tiny servers started inside the test: every mode
//! completes requests without errors, and bad arguments are refused.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream, UdpSocket};
use std::thread;
use testkit::Cmd;

const LOADGEN: &str = env!("CARGO_BIN_EXE_loadgen");

/// A thread-per-connection TCP server running `serve` per client.
fn tcp_server(serve: fn(TcpStream)) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    thread::spawn(move || {
        for c in l.incoming().flatten() {
            thread::spawn(move || serve(c));
        }
    });
    addr
}

fn echo(mut c: TcpStream) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = testkit::retry_eintr(|| c.read(&mut buf)) {
        if n == 0 || c.write_all(&buf[..n]).is_err() {
            break;
        }
    }
}

fn line_echo(c: TcpStream) {
    let mut w = c.try_clone().unwrap();
    let mut r = BufReader::new(c);
    let mut line = String::new();
    while r.read_line(&mut line).is_ok_and(|n| n > 0) {
        if w.write_all(line.as_bytes()).is_err() {
            break;
        }
        line.clear();
    }
}

fn greet(mut c: TcpStream) {
    let _ = c.write_all(b"hello\n");
}

/// `key=value` from the result line.
fn field<'a>(line: &'a str, key: &str) -> &'a str {
    line.split_whitespace()
        .find_map(|kv| kv.strip_prefix(&format!("{key}=")))
        .unwrap_or_else(|| panic!("no {key}= in {line}"))
}

fn load(args: &[&str]) -> String {
    let out = Cmd::new(LOADGEN).args(args).run();
    assert_eq!(out.code, Some(0), "{}", out.describe());
    out.stdout
}

#[test]
fn echo_line_and_connect_modes_complete_requests() {
    for (mode, serve) in [
        ("echo", echo as fn(_)),
        ("line", line_echo),
        ("connect", greet),
    ] {
        let addr = tcp_server(serve).to_string();
        let line = load(&[
            mode,
            &addr,
            "--conns",
            "4",
            "--size",
            "64",
            "--duration",
            "0.1",
        ]);
        assert_eq!(field(&line, "errors"), "0", "{line}");
        let n: u64 = field(&line, "requests").parse().unwrap();
        assert!(n > 10, "{mode}: only {n} requests: {line}");
        assert!(
            field(&line, "p99_us").parse::<u64>().unwrap()
                >= field(&line, "p50_us").parse().unwrap()
        );
    }
}

#[test]
fn spin_mode_completes_round_trips_too() {
    let addr = tcp_server(echo).to_string();
    let line =
        load(&["echo", &addr, "--spin", "--size", "64", "--duration", "0.1"]);
    assert_eq!(field(&line, "errors"), "0", "{line}");
    assert!(
        field(&line, "requests").parse::<u64>().unwrap() > 10,
        "{line}"
    );
    let out = Cmd::new(LOADGEN).args(["connect", &addr, "--spin"]).run();
    assert_eq!(
        out.code,
        Some(2),
        "--spin is refused for connect: {}",
        out.describe()
    );
}

#[test]
fn udp_mode_counts_replies() {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = s.local_addr().unwrap().to_string();
    thread::spawn(move || {
        let mut buf = [0u8; 2048];
        while let Ok((n, from)) = testkit::retry_eintr(|| s.recv_from(&mut buf))
        {
            let _ = s.send_to(&buf[..n], from);
        }
    });
    let line = load(&[
        "udp",
        &addr,
        "--conns",
        "2",
        "--size",
        "100",
        "--duration",
        "0.1",
    ]);
    assert_eq!(field(&line, "errors"), "0", "{line}");
    assert!(
        field(&line, "requests").parse::<u64>().unwrap() > 10,
        "{line}"
    );
}

#[test]
fn hold_mode_checks_every_connection_and_reads_rss() {
    let addr = tcp_server(line_echo).to_string();
    let me = std::process::id().to_string();
    let line = load(&["hold", &addr, "--conns", "50", "--pid", &me]);
    assert_eq!(field(&line, "answered"), "50", "{line}");
    assert!(
        field(&line, "rss_held_kib").parse::<u64>().unwrap() > 0,
        "{line}"
    );
    // This test process: the main thread, the server's accept thread
    // and its 50 client threads at least.
    let threads: u64 = field(&line, "threads_held").parse().unwrap();
    assert!(threads >= 52, "{line}");
}

#[test]
fn a_server_that_closes_at_once_is_reported_as_errors() {
    let addr = tcp_server(drop).to_string();
    let out = Cmd::new(LOADGEN)
        .args(["echo", &addr, "--duration", "0.1"])
        .run();
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert_ne!(field(&out.stdout, "errors"), "0");
}

#[test]
fn bad_arguments_exit_2_with_a_reason() {
    for (args, says) in [
        (vec![], "a mode and an address"),
        (vec!["flood", "127.0.0.1:1"], "unknown mode"),
        (vec!["echo", "192.0.2.1:7"], "not a loopback address"),
        (vec!["echo", "nonsense"], "not HOST:PORT"),
        (
            vec!["echo", "127.0.0.1:7", "--conns", "0"],
            "--conns must be",
        ),
        (
            vec!["echo", "127.0.0.1:7", "--duration", "600"],
            "--duration must be",
        ),
        (
            vec!["echo", "127.0.0.1:7", "--size"],
            "missing argument for option '--size'",
        ),
        (
            vec!["echo", "127.0.0.1:7", "--size", "big"],
            "cannot parse argument \"big\"",
        ),
        (
            vec!["echo", "127.0.0.1:7", "--bogus"],
            "invalid option '--bogus'",
        ),
        (
            vec!["echo", "127.0.0.1:7", "--duration", "1e20"],
            "--duration must be",
        ),
        (
            vec!["echo", "127.0.0.1:7", "--duration", "nan"],
            "not a positive",
        ),
        (vec!["echo", "127.0.0.1:7", "extra"], "unexpected argument"),
    ] {
        let out = Cmd::new(LOADGEN).args(&args).run();
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.describe());
        assert!(out.stderr.contains(says), "{args:?}: {}", out.stderr);
    }
}

#[test]
fn help_prints_the_usage_and_exits_0() {
    let out = Cmd::new(LOADGEN).args(["--help"]).run();
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.stdout.starts_with("loadgen: a bounded load generator"));
    for word in ["echo", "line", "connect", "udp", "hold", "--spin"] {
        assert!(out.stdout.contains(word), "{word}: {}", out.stdout);
    }
}

#[test]
fn an_argument_that_is_not_utf8_is_refused() {
    use std::os::unix::ffi::OsStrExt;
    let junk = std::ffi::OsStr::from_bytes(b"\xff");
    let out = Cmd::new(LOADGEN).args([junk, junk]).run();
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("invalid unicode"), "{}", out.describe());
}
