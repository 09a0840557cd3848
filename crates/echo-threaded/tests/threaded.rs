//! threaded-echo-server: many clients at once, idle timeout, keep-alive.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::Write;
use std::time::{Duration, Instant};
use testkit::{Cmd, WAIT};

/// Two clients served at once: the second gets its echo while the
/// first is still connected (simple-echo-server fails this).
#[test]
fn two_clients_are_served_at_once() {
    for exe in [THREADED, IP] {
        let mut s = start(exe, &[]);
        let addr = s.socket_addr();
        let mut a = connect(addr);
        assert_eq!(echo_on(&mut a, b"from a\n"), b"from a\n");
        let mut b = connect(addr);
        assert_eq!(echo_on(&mut b, b"from b\n"), b"from b\n", "{exe}");
        assert_eq!(echo_on(&mut a, b"a again\n"), b"a again\n");
        assert_eq!(echo_on(&mut b, b"b again\n"), b"b again\n");
        answers_fresh_client(&mut s, Speaks::Echo);
    }
}

#[test]
fn many_clients_at_once() {
    let mut s = start(THREADED, &[]);
    let addr = s.socket_addr();
    let mut clients: Vec<_> = (0..200).map(|_| connect(addr)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        let msg = format!("client {i}\n");
        assert_eq!(echo_on(c, msg.as_bytes()), msg.as_bytes());
    }
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// `--idle-timeout 1` under NETPROG_TIME_SCALE=0.5: a 0.5 s limit,
/// which the messages name.
const IDLE_ARGS: [&str; 2] = ["--idle-timeout", "1"];
const IDLE_SCALE: &str = "0.5";
const IDLE: Duration = Duration::from_millis(500);

/// With an idle timeout, a silent client is closed and logged, once
/// it has been silent for the limit and well before twice that.
#[test]
fn an_idle_client_is_closed_and_logged() {
    let mut s = start_scaled(THREADED, &IDLE_ARGS, IDLE_SCALE);
    let mut c = connect(s.socket_addr());
    // Before our last byte: the server's silent wait starts later.
    let began = Instant::now();
    assert_eq!(echo_on(&mut c, b"hi\n"), b"hi\n");
    let me = c.local_addr().unwrap().to_string();
    // Now say nothing: the server's read times out and it closes.
    let mut buf = [0u8; 8];
    let n = read_once(&mut c, &mut buf)
        .expect("the server should close, not reset");
    let took = began.elapsed();
    assert_eq!(n, 0, "end of file expected after the idle timeout");
    assert!(took >= IDLE && took < 2 * IDLE, "closed after {took:?}");
    let want = format!("{me}: idle for more than 0.5 s, closing");
    assert!(
        s.wait_err_line(|l| l == want, WAIT).is_some(),
        "want {want:?} on stderr, got {:?}",
        s.stderr()
    );
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// The timeout is per read: a client that talks more often than that
/// stays connected well past it. (The pauses here are the behaviour
/// under test, a slow talker, not synchronisation.)
#[test]
fn a_talking_client_outlives_the_idle_timeout() {
    let mut s = start_scaled(THREADED, &IDLE_ARGS, IDLE_SCALE);
    let mut c = connect(s.socket_addr());
    let begun = Instant::now();
    // Four silences of 150 ms: each well within the 0.5 s limit,
    // together longer than it.
    for i in 0..4 {
        let msg = format!("still talking {i}\n");
        assert_eq!(echo_on(&mut c, msg.as_bytes()), msg.as_bytes());
        std::thread::sleep(Duration::from_millis(150));
    }
    assert_eq!(echo_on(&mut c, b"done\n"), b"done\n");
    assert!(begun.elapsed() > IDLE + Duration::from_millis(100));
    assert!(s.stderr().is_empty(), "nobody was idle: {:?}", s.stderr());
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// Without --idle-timeout a silent client is left alone (as in Go,
/// where a connection without a deadline waits for ever). The server
/// runs with NETPROG_TIME_SCALE=0.01, so an idle limit it had by
/// mistake, such as the generic server's minute, would be over in
/// 0.6 s, within this wait.
#[test]
fn without_the_option_a_silent_client_stays() {
    let mut s = start_scaled(THREADED, &[], "0.01");
    let mut c = connect(s.socket_addr());
    assert_eq!(echo_on(&mut c, b"hi\n"), b"hi\n");
    c.set_read_timeout(Some(Duration::from_millis(800)))
        .unwrap();
    let mut buf = [0u8; 8];
    assert!(
        read_once(&mut c, &mut buf).is_err(),
        "no close and no data expected"
    );
    assert_eq!(echo_on(&mut c, b"still\n"), b"still\n");
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// Seconds in a timer as ss writes it (`print_ms_timer` in iproute2's
/// misc/ss.c): `1min`, `1min5sec`, `59sec`, `4sec`, `788ms`, and,
/// oddly, `4.788ms` for 4.788 s (the seconds, a dot, then the
/// milliseconds with `ms` after them). A 60 s timer read within a
/// few milliseconds of being set is `1min`.
fn ss_seconds(t: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = t;
    loop {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return Some(total);
        }
        let n: f64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let (factor, unit) = if rest.starts_with("min") {
            (60.0, 3)
        } else if rest.starts_with("sec") {
            (1.0, 3)
        } else if rest.starts_with("ms") {
            (0.001, 2)
        } else if rest.starts_with('.') {
            (1.0, 1) // whole seconds; the milliseconds follow
        } else {
            return None;
        };
        total += n * factor;
        rest = &rest[unit..];
    }
}

#[test]
fn ss_timers_are_read_in_seconds() {
    for (t, secs) in [
        ("1min,0)", 60.0),
        ("1min5sec,0)", 65.0),
        ("59sec,0)", 59.0),
        ("4.788ms,0)", 4.788),
        ("788ms,0)", 0.788),
    ] {
        assert_eq!(ss_seconds(t), Some(secs), "{t}");
    }
}

/// `ss -tno` lists the server's side of the connection with its
/// timers. The seconds to the next keep-alive probe, once the echo of
/// a first message is back (the server has set its options by then).
fn keepalive_timer(exe: &str, args: &[&str]) -> f64 {
    let s = start(exe, args);
    let port = s.socket_addr().port();
    let mut c = connect(s.socket_addr());
    match exe {
        SMOKE_SERVER => c.write_all(b"hi").unwrap(),
        _ => assert_eq!(echo_on(&mut c, b"hi\n"), b"hi\n"),
    }
    let filter = format!("( sport = :{port} )");
    // The smoke server sets its options as its thread starts: poll
    // (bounded) until ss sees the timer.
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let out = Cmd::new("ss")
            .args(["-tnoH", "state", "established", &filter])
            .run();
        out.expect_code(0);
        if let Some(t) = out.stdout.split("timer:(keepalive,").nth(1) {
            return ss_seconds(t).unwrap_or_else(|| panic!("timer {t}"));
        }
        assert!(
            std::time::Instant::now() < deadline,
            "{exe}: no keepalive timer in `ss -tno`:\n{}",
            out.stdout
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

/// Keep-alive is on for every client, every 15 s, as Go sets it on
/// every accepted connection; --keepalive sets another period.
#[test]
fn keepalive_shows_in_ss() {
    if !testkit::need_tool("ss", "reads the keep-alive timer") {
        return;
    }
    for exe in [SIMPLE, THREADED, IP, SMOKE_SERVER] {
        let secs = keepalive_timer(exe, &[]);
        assert!(secs > 0.0 && secs <= 15.0, "{exe}: first probe in {secs}");
    }
    let secs = keepalive_timer(THREADED, &["--keepalive", "60"]);
    assert!(secs > 15.0 && secs <= 60.0, "first probe in {secs} s");
}

/// The listen queue is as long as the kernel allows (somaxconn, as Go
/// asks), not std's 128: `ss -tln` shows it in the Send-Q column.
#[test]
fn the_listen_backlog_is_long() {
    if !testkit::need_tool("ss", "reads the listen backlog") {
        return;
    }
    let somaxconn: usize =
        std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    let s = start(THREADED, &[]);
    let filter = format!("( sport = :{} )", s.socket_addr().port());
    let out = Cmd::new("ss").args(["-tlnH", &filter]).run();
    out.expect_code(0);
    let send_q: usize = out
        .stdout
        .split_whitespace()
        .nth(2)
        .and_then(|f| f.parse().ok())
        .unwrap_or_else(|| {
            panic!("unexpected `ss -tln` output:\n{}", out.stdout)
        });
    assert_eq!(send_q, somaxconn, "{}", out.stdout);
}

/// `[::]:PORT` listens on both families, as Go's `":PORT"` does.
#[test]
fn ipv6_any_takes_ipv4_and_ipv6_clients() {
    for exe in [SIMPLE, THREADED, IP] {
        let s = testkit::Server::start(exe, &["[::]:0"]);
        let port = s.socket_addr().port();
        for host in ["127.0.0.1", "::1"] {
            let addr = std::net::SocketAddr::new(host.parse().unwrap(), port);
            let mut c = connect(addr);
            assert_eq!(echo_on(&mut c, b"both\n"), b"both\n", "{exe} {host}");
        }
    }
}
