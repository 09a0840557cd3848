//! rpc-server's time limits, caps and resources: each promise the
//! page makes, tested with a peer that tries to break it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use rpc::codec::Encoding;
use rpc::frame::{Call, MAX_FRAME};
use rpc::{ADD, MyInts};
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};
use testkit::{Cmd, Server};

/// A line of /proc/PID/status, as a number (`Threads`, `VmRSS`).
fn status(pid: u32, key: &str) -> u64 {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{key}:")))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or_else(|| panic!("no {key} in /proc/{pid}/status"))
}

/// Wait (bounded) until the server runs `n` threads.
fn wait_threads(srv: &Server, n: u64) {
    let start = Instant::now();
    while status(srv.pid(), "Threads") != n {
        let now = status(srv.pid(), "Threads");
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "the server has {now} threads, not {n}"
        );
        std::thread::yield_now();
    }
}

/// Connect, send nothing, and wait for the server to close: how long
/// that took, and the server's reason. `limit` is the timeout the
/// server should keep, `shown` how its message writes it.
fn idle_until_closed(srv: &Server, limit: Duration, shown: &str) {
    let start = Instant::now();
    let mut s = connect(srv.socket_addr());
    // A generous bound: on a loaded machine (2 cores shared by many
    // builds) a thread can wait seconds for the CPU.
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    if let Err(why) = until_closed(&mut s) {
        panic!("idle connection not closed: {why}; {:?}", srv.stderr());
    }
    let took = start.elapsed();
    assert!(took >= limit.mul_f64(0.9), "closed after {took:?}");
    let want = format!("no complete call within {shown}: closing");
    let line = srv.wait_err_line(|l| l.contains(&want), READ);
    assert!(line.is_some(), "stderr: {:?}", srv.stderr());
}

#[test]
fn an_idle_client_is_disconnected_after_the_read_timeout() {
    // The default 30 s times 0.02: 0.6 s.
    let srv = scaled_server("0.02", &[]);
    idle_until_closed(&srv, Duration::from_millis(600), "0.6 s");
}

#[test]
fn rpc_read_timeout_is_kept_as_given_whatever_the_scale() {
    // The scale is for the program's constants; a timeout that was
    // asked for is the one kept (1 s, not 0.01 s).
    let mut cmd = std::process::Command::new(SERVER);
    cmd.arg("0")
        .env("RPC_READ_TIMEOUT", "1")
        .env(SCALE_ENV, "0.01");
    let srv = Server::start_cmd(cmd, false);
    idle_until_closed(&srv, Duration::from_secs(1), "1 s");
}

#[test]
fn a_bad_time_scale_stops_the_server_before_it_listens() {
    for env in [&[][..], &[("RPC_READ_TIMEOUT", "5")][..]] {
        let mut cmd = Cmd::new(SERVER).args(["0"]).env(SCALE_ENV, "0.001");
        for (k, v) in env {
            cmd = cmd.env(k, v);
        }
        let out = cmd.run();
        out.expect_code(100);
        assert_eq!(
            out.stderr,
            "NETPROG_TIME_SCALE=\"0.001\" is not a factor from 0.01 to 100\n",
            "{}",
            out.describe()
        );
        assert_eq!(out.stdout, "", "{}", out.describe());
    }
}

/// Send `bytes` one at a time, `every` apart, until the peer is gone.
fn trickle(
    mut s: TcpStream,
    bytes: Vec<u8>,
    every: Duration,
) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        for b in bytes {
            if s.write_all(&[b]).is_err() {
                return;
            }
            std::thread::sleep(every);
        }
    })
}

#[test]
fn a_trickling_client_cannot_hold_a_connection_open() {
    // One byte every 25 ms: each read is quick, but the whole call
    // (44 bytes in frames, more in gob) would take over a second. The
    // deadline (the default 30 s times 0.01: 0.3 s) is for the whole
    // call, so the server gives up after 0.3 s.
    for e in BOTH {
        let srv = scaled_server("0.01", &client_flag(e));
        let mut c = Conn::new(srv.socket_addr(), e);
        let call = c.codec.call(1, ADD, &MyInts::BOOK).unwrap().to_vec();
        assert!(call.len() >= 44, "{e:?}: a call of {} bytes", call.len());
        let start = Instant::now();
        let every = Duration::from_millis(25);
        let t = trickle(c.s.try_clone().unwrap(), call, every);
        let mut first = [0u8; 4];
        let n = testkit::retry_eintr(|| c.s.read(&mut first)).unwrap_or(0);
        assert_eq!(n, 0, "{e:?}: expected a close, got bytes");
        assert!(start.elapsed() < Duration::from_secs(1));
        t.join().unwrap();
    }
}

fn client_flag(e: Encoding) -> Vec<&'static str> {
    match e {
        Encoding::Gob => vec![],
        Encoding::Frames => vec!["--frames"],
    }
}

#[test]
fn the_drain_after_an_error_reply_has_one_deadline_in_all() {
    // A frame that is not a call gets an error reply; the server then
    // drains what the client still sends. A client that keeps sending
    // a byte every 20 ms must not keep it draining: after 0.2 s in all
    // (DRAIN_TIME, 1 s, times 0.2) the server closes, and logs the
    // reason.
    let srv = scaled_server("0.2", &["--frames"]);
    let mut s = connect(srv.socket_addr());
    s.write_all(&[0, 0, 0, 1, 9]).unwrap(); // kind 9: not a call
    let start = Instant::now();
    let every = Duration::from_millis(20);
    let t = trickle(s.try_clone().unwrap(), vec![0; 100], every);
    let r = read_reply(&mut s);
    assert!(r.result.is_err());
    let logged =
        srv.wait_err_line(|l| l.ends_with("kind byte 0x09: closing"), READ);
    let took = start.elapsed();
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    assert!(took < Duration::from_millis(800), "drained for {took:?}");
    drop(s);
    t.join().unwrap();
}

#[test]
fn a_client_that_never_reads_its_replies_is_dropped_after_the_timeout() {
    // Calls go in, replies pile up: first in the client's receive
    // buffer, then in the server's send buffer, then the server's
    // write waits. One reply must be taken within the read timeout
    // (the default 30 s times 0.02: 0.6 s).
    let srv = scaled_server("0.02", &["--frames"]);
    let baseline = status(srv.pid(), "Threads");
    // Each call names a method that does not exist, with a long name:
    // its error reply repeats the name (cut to 1 KiB), so a few
    // thousand replies fill the buffers. The book's Add (a reply of 17
    // bytes) needs hundreds of thousands, seconds of work. A reply is
    // a reply: the server sends each one with the same deadline.
    let method = format!("MyInterface.{}", "x".repeat(1000));
    let call = Call::new(1, &method, &MyInts::BOOK).encode().unwrap();
    let burst: Vec<u8> = call
        .iter()
        .copied()
        .cycle()
        .take(call.len() * 1000)
        .collect();
    let s = connect(srv.socket_addr());
    let mut w = s.try_clone().unwrap();
    let start = Instant::now();
    let writer = std::thread::spawn(move || {
        for _ in 0..100 {
            if w.write_all(&burst).is_err() {
                return;
            }
        }
    });
    let logged = srv.wait_err_line(
        |l| l.ends_with("reply not taken within 0.6 s: closing"),
        Duration::from_secs(30),
    );
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    // The thread is gone too, well within the test's bound.
    wait_threads(&srv, baseline);
    assert!(start.elapsed() < Duration::from_secs(20));
    drop(s);
    writer.join().unwrap();
}

/// The MAX_CONNECTIONS of rpc-server.
const MAX_CONNECTIONS: usize = 100;

#[test]
fn past_the_connection_cap_a_client_is_refused_and_the_others_go_on() {
    let srv = frames_server();
    let addr = srv.socket_addr();
    let baseline = status(srv.pid(), "Threads");
    // Each one announces the largest frame and sends one byte of it.
    let mut held: Vec<TcpStream> = (0..MAX_CONNECTIONS)
        .map(|_| {
            let mut s = connect(addr);
            s.write_all(&(MAX_FRAME as u32).to_be_bytes()).unwrap();
            s.write_all(&[1]).unwrap();
            s
        })
        .collect();
    wait_threads(&srv, baseline + MAX_CONNECTIONS as u64);
    let mut extra = connect(addr);
    let r = read_reply(&mut extra);
    assert_eq!(
        (r.id, r.result),
        (0, Err("server busy: 100 connections open".into()))
    );
    let line = srv
        .wait_err_line(|l| l.ends_with(": refused: already serving 100"), READ);
    assert!(line.is_some(), "stderr: {:?}", srv.stderr());
    // The held ones are served once they finish their frame.
    let mut first = held.remove(0);
    let rest = Call::new(5, ADD, &MyInts::BOOK).encode().unwrap();
    let mut frame = rest[5..].to_vec(); // after the length and kind
    frame.resize(MAX_FRAME - 1, 0);
    first.write_all(&frame).unwrap();
    let r = read_reply(&mut first);
    assert_eq!(r.id, 5);
    // And when some leave, new clients are served again.
    drop(held);
    drop(first);
    wait_threads(&srv, baseline);
    let out = Cmd::new(CLIENT).args(["--frames", &srv.addr]).run();
    out.expect_code(0);
}

#[test]
fn half_sent_frames_do_not_hold_memory() {
    // 150 connections that each announce the largest frame and send
    // a byte: 100 are served, 50 refused. The bodies grow as bytes
    // arrive, so the server's memory hardly moves.
    let srv = frames_server();
    let addr = srv.socket_addr();
    let baseline = status(srv.pid(), "Threads");
    let before = status(srv.pid(), "VmRSS");
    let held: Vec<TcpStream> = (0..150)
        .map(|_| {
            let mut s = connect(addr);
            let _ = s.write_all(&(MAX_FRAME as u32).to_be_bytes());
            let _ = s.write_all(&[1]);
            s
        })
        .collect();
    wait_threads(&srv, baseline + MAX_CONNECTIONS as u64);
    let grown = status(srv.pid(), "VmRSS").saturating_sub(before);
    // Allocated up front, 100 bodies would be 6400 KiB; the threads'
    // own stacks and records take a few KiB each.
    assert!(grown < 4096, "VmRSS grew by {grown} KiB");
    drop(held);
}

#[test]
fn out_of_file_descriptors_the_server_waits_and_recovers() {
    // With at most 10 descriptors (0-2, the listener, 6 clients) the
    // 7th accept fails with EMFILE. The server must log it, keep
    // going, and serve again once descriptors are free.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        // Descriptors 3 to 9 left open by whoever started the tests
        // are closed first: each would take the place of a client.
        .arg(
            "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-\n\
             ulimit -n 10 && exec \"$0\" 0",
        )
        .arg(SERVER);
    let srv = Server::start_cmd(cmd, false);
    let held: Vec<_> = (0..10).map(|_| connect(srv.socket_addr())).collect();
    let line = srv.wait_err_line(
        |l| l == "accepting a connection: Too many open files (os error 24)",
        READ,
    );
    assert!(line.is_some(), "no EMFILE line; stderr: {:?}", srv.stderr());
    drop(held);
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, BOOK_REPLIES);
}

#[test]
fn out_of_threads_the_server_refuses_the_client_and_goes_on() {
    // RLIMIT_NPROC counts a user's threads; at 1, no thread can
    // start. Root is exempt, so as root the server runs as nobody.
    if !testkit::need_tool("prlimit", "sets RLIMIT_NPROC") {
        return;
    }
    let dir = testkit::TempDir::new("rpc-nproc");
    let exe = dir.path().join("rpc-server");
    // Where nobody may run it. Copied by cp(1), not std::fs::copy: a
    // test forking at that moment would hold our writing descriptor
    // until its exec, and exec of the copy would fail with ETXTBSY.
    Cmd::new("cp")
        .args([SERVER, exe.to_str().unwrap()])
        .run()
        .expect_code(0);
    let mut cmd;
    if testkit::is_root() {
        if !testkit::need_tool("setpriv", "runs the server as nobody") {
            return;
        }
        cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"]);
        cmd.arg("prlimit");
    } else {
        cmd = std::process::Command::new("prlimit");
    }
    cmd.arg("--nproc=1").arg(&exe).args(["--frames", "0"]);
    let mut srv = Server::start_cmd(cmd, false);
    for _ in 0..3 {
        let out = Cmd::new(CLIENT).args(["--frames", &srv.addr]).run();
        out.expect_code(100);
        assert!(
            out.stderr.contains("server busy: cannot start a thread"),
            "{}",
            out.describe()
        );
    }
    let line = srv.wait_err_line(
        |l| l.ends_with(": cannot start a thread: Resource temporarily unavailable (os error 11)"),
        READ,
    );
    assert!(line.is_some(), "stderr: {:?}", srv.stderr());
    assert!(srv.is_running(), "the server died");
}

#[test]
fn a_closed_stdout_and_stderr_do_not_stop_the_server() {
    // stdout is read by `head -1` (which then exits), stderr is
    // closed: every later log line fails to be written.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c").arg("\"$0\" 0 2>&- | head -1").arg(SERVER);
    let srv = Server::start_cmd(cmd, false);
    for _ in 0..3 {
        // Each of these makes the server log a line to stderr.
        let mut s = connect(srv.socket_addr());
        s.write_all(&[0x03, 0x04, 0x00, 0x02]).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        assert!(closed_by_server(&mut s));
    }
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, BOOK_REPLIES);
}
