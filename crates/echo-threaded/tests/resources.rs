//! Nothing leaks, nothing kills a server: bursts of clients, a client
//! that never reads, closed output pipes, no file descriptor or thread
//! to spare.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use socket2::SockRef;
use std::io::{Read, Write};
use std::thread;
use std::time::Duration;
use testkit::WAIT;

const ALL: [(&str, Speaks); 4] = [
    (SIMPLE, Speaks::Echo),
    (THREADED, Speaks::Echo),
    (IP, Speaks::Echo),
    (SMOKE_SERVER, Speaks::Smoke),
];

fn thousands_of_clients(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let baseline = fds_and_threads(s.pid());
    for i in 0..2000 {
        match i % 3 {
            0 => drop(connect(s.socket_addr())),
            _ => answers_fresh_client(&mut s, speaks),
        }
    }
    back_to(s.pid(), baseline, WAIT);
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

/// 2,000 clients (or as many as our open-files limit allows) connect
/// at the same moment and close at once. With std's accept queue of
/// 128 this left connections established on the server, each with a
/// thread, for minutes; with the system's maximum queue every server
/// is back to the descriptors and threads it started with.
#[test]
fn a_burst_of_simultaneous_clients_leaves_nothing_behind() {
    // More than the accept queue holds would overflow it on purpose;
    // since Linux 5.4 the queue (somaxconn) is 4096, so this is 2,000.
    let somaxconn: usize =
        std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    let n = fd_room().min(2000).min(somaxconn);
    for (exe, speaks) in ALL {
        let mut s = start(exe, &[]);
        let baseline = fds_and_threads(s.pid());
        let connected = burst(s.socket_addr(), n);
        assert_eq!(connected, n, "{exe}: not every client got in");
        back_to(s.pid(), baseline, Duration::from_secs(30));
        answers_fresh_client(&mut s, speaks);
    }
}

/// Send without reading until one write call has made no headway for
/// `stuck` (SO_SNDTIMEO): then both directions' buffers are full and
/// the server's echo is blocked in its write. A call that times out
/// after sending part of its chunk returns that part instead of an
/// error, so a short write is the same sign.
fn send_until_stuck(c: &std::net::TcpStream, stuck: Duration) {
    let mut w = c.try_clone().unwrap();
    w.set_write_timeout(Some(stuck)).unwrap();
    let chunk = [b'n'; 64 * 1024];
    while matches!(w.write(&chunk), Ok(n) if n == chunk.len()) {}
}

/// A client that sends and sends but never reads: the server's echo
/// fills both socket buffers and its write blocks. Only that client's
/// thread is stuck; everybody else is served. (Both servers at once,
/// each in a thread of the test.)
#[test]
fn a_client_that_never_reads_blocks_only_itself() {
    let runs = [THREADED, IP].map(|exe| {
        thread::spawn(move || {
            let mut s = start(exe, &[]);
            let c = connect(s.socket_addr());
            // Small buffers on our side, so that they fill up quickly.
            let sock = SockRef::from(&c);
            sock.set_recv_buffer_size(4096).unwrap();
            sock.set_send_buffer_size(4096).unwrap();
            send_until_stuck(&c, Duration::from_millis(500));
            answers_fresh_client(&mut s, Speaks::Echo);
            drop(c);
        })
    });
    for r in runs {
        r.join().unwrap();
    }
}

/// With --idle-timeout, a client that never reads is dropped too: the
/// server's write makes no progress for that long and fails. (1 s
/// under NETPROG_TIME_SCALE=0.5: 0.5 s.)
#[test]
fn with_an_idle_timeout_a_client_that_never_reads_is_dropped() {
    let mut s = start_scaled(THREADED, &["--idle-timeout", "1"], "0.5");
    let c = connect(s.socket_addr());
    let me = c.local_addr().unwrap().to_string();
    let mut w = c.try_clone().unwrap();
    let writer = thread::spawn(move || {
        let chunk = [b'n'; 64 * 1024];
        // Ends when the server gives up on us (reset) or after WAIT.
        while w.write_all(&chunk).is_ok() {}
    });
    let want = format!("{me}: idle for more than 0.5 s, closing");
    let line = s.wait_err_line(|l| l == want, WAIT);
    assert!(line.is_some(), "want {want:?}; stderr {:?}", s.stderr());
    drop(c);
    writer.join().unwrap();
    answers_fresh_client(&mut s, Speaks::Echo);
}

/// threaded-ip-echo-server and smoke-test-server close a client that
/// stays silent for their idle limit, once that is over and well
/// before twice it, and say so. The minute, under
/// NETPROG_TIME_SCALE=0.01, is 0.6 s; NETPROG_IDLE_TIMEOUT=1 under
/// 0.5 is 0.5 s. Both servers at once, each in a thread of the test.
#[test]
fn the_generic_and_smoke_servers_close_a_silent_client() {
    let cases = [
        (
            IP,
            Speaks::Echo,
            "export NETPROG_TIME_SCALE=0.01",
            600,
            "0.6 s",
        ),
        (
            SMOKE_SERVER,
            Speaks::Smoke,
            "export NETPROG_IDLE_TIMEOUT=1 NETPROG_TIME_SCALE=0.5",
            500,
            "0.5 s",
        ),
    ];
    let runs = cases.map(|(exe, speaks, setup, ms, shown)| {
        thread::spawn(move || {
            let limit = Duration::from_millis(ms);
            let mut s = launch(&[], setup, exe, &["0"], Shut::None);
            let began = std::time::Instant::now();
            let mut c = connect(s.addr);
            let me = c.local_addr().unwrap().to_string();
            let mut buf = [0u8; 8];
            let n = read_once(&mut c, &mut buf).expect("a close, not a reset");
            let took = began.elapsed();
            assert_eq!(n, 0, "{exe}: end of file expected");
            assert!(
                took >= limit && took < 2 * limit,
                "{exe}: closed after {took:?}"
            );
            let want = format!("{me}: idle for more than {shown}, closing");
            assert!(s.wait_err(&want).is_some(), "{exe}: {:?}", s.err_lines());
            s.answers(speaks);
        })
    });
    for r in runs {
        r.join().unwrap();
    }
    let out = testkit::Cmd::new(IP)
        .env("NETPROG_IDLE_TIMEOUT", "soon")
        .run();
    out.expect_code(1);
    assert!(out.stderr.contains("NETPROG_IDLE_TIMEOUT wants"), "{out:?}");
}

/// A closed stdout (`server | head -1` once head has gone) must not
/// stop a server: every log line after `listening on` fails with
/// EPIPE, and the server carries on. simple-echo-server and
/// smoke-test-server log every client on stdout.
#[test]
fn a_closed_stdout_does_not_stop_a_server() {
    for (exe, speaks) in ALL {
        let mut s = launch(&[], "", exe, &["0"], Shut::Stdout);
        for _ in 0..3 {
            s.answers(speaks);
        }
    }
}

/// A closed stderr must not stop a server either. Out of file
/// descriptors (`ulimit -n 5`: stdin, stdout, stderr, the listener,
/// one client), the accept loop logs `Too many open files` on stderr,
/// pauses, and tries again: the second client is served once the
/// first has gone. (The servers at once, each in a thread of the
/// test.)
#[test]
fn a_closed_stderr_and_no_descriptor_left_do_not_stop_a_server() {
    let runs = ALL
        .into_iter()
        // The simple server accepts nobody while it serves someone.
        .filter(|&(exe, _)| exe != SIMPLE)
        .map(|(exe, speaks)| thread::spawn(move || out_of_fds(exe, speaks)))
        .collect::<Vec<_>>();
    for r in runs {
        r.join().unwrap();
    }
}

fn out_of_fds(exe: &'static str, speaks: Speaks) {
    let mut s = launch(&[], "ulimit -n 5", exe, &["0"], Shut::Stderr);
    let mut first = connect(s.addr);
    if let Speaks::Echo = speaks {
        assert_eq!(echo_on(&mut first, b"1\n"), b"1\n");
    }
    // The second client waits in the accept queue while accept
    // fails with EMFILE, again and again, each failure logged.
    let mut second = connect(s.addr);
    second.write_all(b"2\n").unwrap();
    second.set_read_timeout(Some(QUIET)).unwrap();
    let mut buf = [0u8; 2];
    assert!(read_once(&mut second, &mut buf).is_err(), "{exe}");
    assert!(s.is_running(), "{exe} died with stderr closed");
    drop(first);
    second.set_read_timeout(Some(WAIT)).unwrap();
    if let Speaks::Smoke = speaks {
        second.shutdown(std::net::Shutdown::Write).unwrap();
    }
    second
        .read_exact(&mut buf)
        .expect("served once a slot is free");
    assert_eq!(&buf, b"2\n");
    drop(second);
    s.answers(speaks);
}

/// The single-threaded server logs a client's reset on stderr from its
/// only thread: with stderr closed it must carry on.
#[test]
fn a_closed_stderr_does_not_stop_the_simple_server() {
    let mut s = launch(&[], "", SIMPLE, &["0"], Shut::Stderr);
    for _ in 0..3 {
        let mut c = connect(s.addr);
        assert_eq!(echo_on(&mut c, b"then a reset\n"), b"then a reset\n");
        // SO_LINGER 0: close() sends RST; the server's read fails with
        // ECONNRESET, which it logs on the closed stderr.
        SockRef::from(&c).set_linger(Some(Duration::ZERO)).unwrap();
        drop(c);
    }
    s.answers(Speaks::Echo);
}

/// Out of threads: run as `nobody` with `prlimit --nproc=1` (RLIMIT_NPROC:
/// that user may have one task, the server itself), so every
/// `spawn` fails. The server logs it, closes that client and goes on.
/// Only root can switch users, so elsewhere this is skipped.
#[test]
fn a_failed_thread_spawn_closes_one_client_only() {
    if !testkit::need_root("running the server as nobody")
        || !testkit::need_tool("setpriv", "running as nobody")
        || !testkit::need_tool("prlimit", "limiting the threads")
    {
        return;
    }
    let nobody = [
        "setpriv",
        "--reuid=65534",
        "--regid=65534",
        "--clear-groups",
        "prlimit",
        "--nproc=1:1",
    ];
    for (exe, _) in ALL {
        if exe == SIMPLE {
            continue; // no threads to start
        }
        let mut s = launch(&nobody, "", exe, &["0"], Shut::None);
        for _ in 0..2 {
            let mut c = connect(s.addr);
            let _ = c.write_all(b"anyone?\n");
            let mut back = Vec::new();
            // Closed at once: end of file, or a reset when our bytes
            // arrived after the close. Not an echo, not a timeout.
            match c.read_to_end(&mut back) {
                Ok(0) => {}
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
                r => panic!("{exe}: want a closed client, got {r:?} {back:?}"),
            }
        }
        let line = s.wait_err("cannot start a thread: ");
        assert!(line.is_some(), "{exe}: stderr {:?}", s.err_lines());
        assert!(s.is_running(), "{exe} died: {:?}", s.err_lines());
    }
}
