//! Nothing leaks, and a client that never reads hurts only itself.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::Write;
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Server, WAIT};

/// Open file descriptors and threads of a running process.
fn fds_and_threads(pid: u32) -> (usize, usize) {
    let count = |d: &str| {
        std::fs::read_dir(format!("/proc/{pid}/{d}"))
            .unwrap()
            .count()
    };
    (count("fd"), count("task"))
}

/// Poll (bounded) until the server is back at its baseline.
fn back_to(s: &Server, baseline: (usize, usize)) {
    let deadline = Instant::now() + WAIT;
    loop {
        let now = fds_and_threads(s.pid());
        if now == baseline {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "descriptors/threads {now:?} did not return to {baseline:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

fn thousands_of_clients(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let baseline = fds_and_threads(s.pid());
    for i in 0..2000 {
        match i % 3 {
            0 => drop(connect(s.socket_addr())),
            _ => answers_fresh_client(&mut s, speaks),
        }
    }
    back_to(&s, baseline);
}

#[test]
fn threaded_server_leaks_nothing() {
    thousands_of_clients(THREADED, Speaks::Echo);
}

#[test]
fn ip_server_leaks_nothing() {
    thousands_of_clients(IP, Speaks::Echo);
}

#[test]
fn smoke_server_leaks_nothing() {
    thousands_of_clients(SMOKE_SERVER, Speaks::Smoke);
}

#[test]
fn simple_server_leaks_nothing() {
    thousands_of_clients(SIMPLE, Speaks::Echo);
}

/// A client that sends and sends but never reads: the server's echo
/// fills both socket buffers and its write blocks. Only that client's
/// thread is stuck; everybody else is served.
#[test]
fn a_client_that_never_reads_blocks_only_itself() {
    for exe in [THREADED, IP] {
        let mut s = start(exe, &[]);
        let c = connect(s.socket_addr());
        // Small buffers on our side, so that they fill up quickly.
        let sock = socket2::SockRef::from(&c);
        sock.set_recv_buffer_size(4096).unwrap();
        sock.set_send_buffer_size(4096).unwrap();
        let mut w = c.try_clone().unwrap();
        w.set_write_timeout(Some(Duration::from_secs(1))).unwrap();
        let writer = thread::spawn(move || {
            let chunk = [b'n'; 64 * 1024];
            // Ends when our own write times out: both buffers are full.
            while w.write_all(&chunk).is_ok() {}
        });
        writer.join().unwrap();
        answers_fresh_client(&mut s, Speaks::Echo);
        drop(c);
    }
}

/// With --idle-timeout, a client that never reads is dropped too: the
/// server's write makes no progress for that long and fails.
#[test]
fn with_an_idle_timeout_a_client_that_never_reads_is_dropped() {
    let mut s = start(THREADED, &["--idle-timeout", "1"]);
    let c = connect(s.socket_addr());
    let me = c.local_addr().unwrap().to_string();
    let mut w = c.try_clone().unwrap();
    let writer = thread::spawn(move || {
        let chunk = [b'n'; 64 * 1024];
        // Ends when the server gives up on us (reset) or after WAIT.
        while w.write_all(&chunk).is_ok() {}
    });
    let want = format!("{me}: idle for more than 1 s, closing");
    let line = s.wait_err_line(|l| l == want, WAIT);
    assert!(line.is_some(), "want {want:?}; stderr {:?}", s.stderr());
    drop(c);
    writer.join().unwrap();
    answers_fresh_client(&mut s, Speaks::Echo);
}
