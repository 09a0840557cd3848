//! threaded-echo-server: many clients at once, idle timeout, keep-alive.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
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

/// With --idle-timeout 1, a silent client is closed and logged.
#[test]
fn an_idle_client_is_closed_and_logged() {
    let mut s = start(THREADED, &["--idle-timeout", "1"]);
    let mut c = connect(s.socket_addr());
    assert_eq!(echo_on(&mut c, b"hi\n"), b"hi\n");
    let me = c.local_addr().unwrap().to_string();
    // Now say nothing: the server's read times out and it closes.
    let mut buf = [0u8; 8];
    let n = read_once(&mut c, &mut buf)
        .expect("the server should close, not reset");
    assert_eq!(n, 0, "end of file expected after the idle timeout");
    let want = format!("{me}: idle for more than 1 s, closing");
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
    let mut s = start(THREADED, &["--idle-timeout", "1"]);
    let mut c = connect(s.socket_addr());
    let begun = std::time::Instant::now();
    for i in 0..4 {
        let msg = format!("still talking {i}\n");
        assert_eq!(echo_on(&mut c, msg.as_bytes()), msg.as_bytes());
        std::thread::sleep(std::time::Duration::from_millis(500));
    }
    assert_eq!(echo_on(&mut c, b"done\n"), b"done\n");
    assert!(begun.elapsed() > std::time::Duration::from_millis(1900));
    assert!(s.stderr().is_empty(), "nobody was idle: {:?}", s.stderr());
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// Without --idle-timeout a silent client is left alone (as in Go,
/// where a connection without a deadline waits for ever).
#[test]
fn without_the_option_a_silent_client_stays() {
    let mut s = start(THREADED, &[]);
    let mut c = connect(s.socket_addr());
    assert_eq!(echo_on(&mut c, b"hi\n"), b"hi\n");
    c.set_read_timeout(Some(std::time::Duration::from_millis(1500)))
        .unwrap();
    let mut buf = [0u8; 8];
    assert!(
        read_once(&mut c, &mut buf).is_err(),
        "no close and no data expected"
    );
    assert_eq!(echo_on(&mut c, b"still\n"), b"still\n");
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// `ss -tno` lists the server's side of the connection; with
/// --keepalive it shows a keep-alive timer, without it none.
fn server_side_timers(port: u16) -> String {
    let filter = format!("( sport = :{port} )");
    let out = Cmd::new("ss")
        .args(["-tnoH", "state", "established", &filter])
        .run();
    out.expect_code(0);
    out.stdout
}

#[test]
fn keepalive_shows_in_ss() {
    if !testkit::need_tool("ss", "reads the keep-alive timer") {
        return;
    }
    let s = start(THREADED, &["--keepalive", "60"]);
    let port = s.socket_addr().port();
    let mut c = connect(s.socket_addr());
    // Once the echo is back, the server has set its socket options.
    assert_eq!(echo_on(&mut c, b"hi\n"), b"hi\n");
    let ss = server_side_timers(port);
    let timer = ss
        .split("timer:(keepalive,")
        .nth(1)
        .unwrap_or_else(|| panic!("no keepalive timer in `ss -tno`:\n{ss}"));
    // e.g. `59sec,0)`: the first probe is at most 60 s away. (ss
    // writes a fraction of a second oddly, `4.788ms` for 4.788 s, so
    // read only the number.)
    let num: String = timer
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let secs: f64 = num.parse().unwrap_or_else(|_| panic!("timer {timer}"));
    assert!(secs > 0.0 && secs <= 60.0, "timer {timer}");

    let plain = start(THREADED, &[]);
    let mut c2 = connect(plain.socket_addr());
    assert_eq!(echo_on(&mut c2, b"hi\n"), b"hi\n");
    let ss = server_side_timers(plain.socket_addr().port());
    assert!(!ss.trim().is_empty(), "ss saw no connection");
    assert!(
        !ss.contains("keepalive"),
        "no keep-alive without the option:\n{ss}"
    );
}

/// The listen queue is as long as the kernel allows (up to 4096), not
/// std's 128: `ss -tln` shows it in the Send-Q column.
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
    assert_eq!(send_q, somaxconn.min(4096), "{}", out.stdout);
}

#[test]
fn bad_inputs() {
    let usage =
        "usage: threaded-echo-server [--idle-timeout SECS] [--keepalive SECS]";
    bad_input(THREADED, &["1201", "1202"], &[usage]);
    bad_input(THREADED, &["--bogus"], &[usage]);
    bad_input(THREADED, &["--idle-timeout"], &[usage]);
    let secs = "wants a whole number of seconds from 1 to 86400";
    bad_input(
        THREADED,
        &["--idle-timeout", "0"],
        &["Fatal error: --idle-timeout", secs],
    );
    bad_input(
        THREADED,
        &["--keepalive", "soon"],
        &["Fatal error: --keepalive", secs],
    );
    bad_input(
        THREADED,
        &["localhost:1201"],
        &["Fatal error: localhost:1201 is not a port"],
    );
    bad_input(THREADED, &["70000"], &["Fatal error: 70000 is not a port"]);
    bad_input(
        THREADED,
        &["[::]:1201"],
        &["IPv6", "threaded-ip-echo-server"],
    );
    bad_input(
        THREADED,
        &["192.0.2.1:0"],
        &["Fatal error: binding 192.0.2.1:0: Cannot assign requested address"],
    );
    let s = start(THREADED, &[]);
    let taken = s.addr.clone();
    bad_input(THREADED, &[&taken], &["Address already in use"]);
}
