//! A server's log must never take the server down: with its stdout or
//! stderr a pipe nobody reads any more, it goes on serving.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::time::Instant;
use testkit::{Cmd, Server, WAIT};

/// Wait (bounded) until the shell `sh_pid` has no child named `name`
/// left: then the pipe that child read from has no reader, and every
/// write into it fails with EPIPE.
fn wait_until_gone(sh_pid: u32, name: &str) {
    let deadline = Instant::now() + WAIT;
    loop {
        let alive = std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
            let stat = std::fs::read_to_string(e.path().join("stat"));
            let Ok(stat) = stat else { return false };
            // PID (COMM) STATE PPID ...
            let Some((head, tail)) = stat.rsplit_once(") ") else {
                return false;
            };
            let comm = head.split_once(" (").map(|(_, c)| c);
            let ppid = tail.split_whitespace().nth(1);
            comm == Some(name) && ppid == Some(&sh_pid.to_string())
        });
        if !alive {
            return;
        }
        assert!(Instant::now() < deadline, "{name} did not exit");
        std::thread::yield_now();
    }
}

/// `greeting-server | head -1`: head prints the `listening on` line
/// and exits, so every later log line meets a closed pipe (EPIPE).
#[test]
fn greeting_server_piped_into_head_keeps_serving() {
    let s = Server::start("sh", &["-c", "\"$0\" -p 0 | head -1", GREET]);
    wait_until_gone(s.pid(), "head");
    for _ in 0..3 {
        let mut c = Client::connect(s.socket_addr());
        assert_eq!(c.line(), "Hello, Client!\n");
        c.send(b"a line for a log nobody reads\n");
    }
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.line(), "Hello, Client!\n", "still greeting");
}

/// tcps with its stderr a closed pipe: a client that connects and
/// leaves is logged there (EPIPE), and the next client is served.
#[test]
fn tcps_with_stderr_closed_survives_a_connect_and_leave() {
    // stderr to `head -c 0`, which exits at once; stdout to the test.
    let script = "{ \"$0\" 0 2>&1 1>&3 3>&- | head -c 0; } 3>&1";
    let s = Server::start("sh", &["-c", script, TCPS]);
    wait_until_gone(s.pid(), "head");
    for _ in 0..3 {
        drop(Client::connect(s.socket_addr()));
    }
    let out = Cmd::new(TCPC).args([&s.addr]).run();
    out.expect_code(0);
    assert!(out.stdout.ends_with(">> Hello from TCP client!\n"));
}

/// conc-tcp with both closed: clients that leave without STOP are
/// logged on stderr, lines on stdout; the server serves on.
#[test]
fn conc_tcp_with_stdout_and_stderr_closed_keeps_serving() {
    let script = "{ \"$0\" 0 2>&1 | head -1; } 2>&1";
    let s = Server::start("sh", &["-c", script, CONC]);
    wait_until_gone(s.pid(), "head");
    for i in 0..3 {
        let mut c = Client::connect(s.socket_addr());
        let msg = format!("line {i}\n");
        assert_eq!(c.ask(&msg), msg);
    }
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.ask("still here?\n"), "still here?\n");
}
