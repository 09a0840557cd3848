//! conc-tcp-async, driven over loopback: the same behaviour as the
//! threaded conc-tcp, on one thread.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::time::{Duration, Instant};
use testkit::{Server, WAIT};

fn start(args: &[&str]) -> Server {
    let mut a = vec!["0"];
    a.extend_from_slice(args);
    Server::start(ASYNC, &a)
}

#[test]
fn first_line_is_the_bound_address() {
    let s = start(&[]);
    assert!(
        s.addr.starts_with("127.0.0.1:"),
        "bare port binds loopback: {}",
        s.addr
    );
    assert_ne!(s.socket_addr().port(), 0, "port 0 shows the chosen port");
    assert_eq!(s.stdout().len(), 1, "nothing else before a client comes");
}

#[test]
fn echoes_lines_and_logs_them() {
    let s = start(&[]);
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.ask("Hi!\n"), "Hi!\n");
    assert_eq!(c.ask("Hello %d!\n"), "Hello %d!\n");
    assert_eq!(c.ask("STOP\n"), "STOP\n");
    assert!(c.rest().is_empty(), "closed after STOP");
    assert!(s.wait_line(|l| l == "-> STOP", WAIT).is_some());
    assert_eq!(
        s.stdout()[1..],
        ["-> Hi!", "-> Hello %d!", "-> STOP"],
        "one log line per line received, in order"
    );
}

#[test]
fn several_clients_at_once() {
    let s = start(&[]);
    let addr = s.socket_addr();
    // Five clients connected together, answered in an interleaved
    // order while all five are connected.
    let mut cs: Vec<Client> = (0..5).map(|_| Client::connect(addr)).collect();
    for round in 0..3 {
        for (i, c) in cs.iter_mut().enumerate().rev() {
            let msg = format!("client {i} round {round}\n");
            assert_eq!(c.ask(&msg), msg);
        }
    }
    // And from threads, truly at the same time.
    let hs: Vec<_> = (0..8)
        .map(|i| {
            std::thread::spawn(move || {
                let mut c = Client::connect(addr);
                for k in 0..50 {
                    let msg = format!("thread {i} line {k}\n");
                    assert_eq!(c.ask(&msg), msg);
                }
                assert_eq!(c.ask("STOP\n"), "STOP\n");
                assert!(c.rest().is_empty(), "closed after STOP");
            })
        })
        .collect();
    for h in hs {
        h.join().unwrap();
    }
}

#[test]
fn stop_ends_that_client_only() {
    let mut s = start(&[]);
    let mut a = Client::connect(s.socket_addr());
    let mut b = Client::connect(s.socket_addr());
    assert_eq!(a.ask("STOP\n"), "STOP\n");
    // Closed at once (the book's version waits 3 s first).
    let t = Instant::now();
    assert!(a.rest().is_empty());
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert_eq!(b.ask("still there?\n"), "still there?\n");
    // STOP in the middle of a line is just text.
    assert_eq!(b.ask("STOP now\n"), "STOP now\n");
    assert!(s.is_running());
}

#[test]
fn a_client_that_leaves_without_stop_does_not_stop_the_server() {
    let mut s = start(&[]);
    {
        let mut a = Client::connect(s.socket_addr());
        assert_eq!(a.ask("bye without STOP\n"), "bye without STOP\n");
    } // dropped: closed without STOP
    let logged =
        s.wait_err_line(|l| l.contains("left without sending STOP"), WAIT);
    assert!(logged.is_some(), "stderr: {:?}", s.stderr());
    // A client that resets the connection is survived too: closing a
    // socket with unread data in it (our echo) sends a reset (RST).
    {
        let mut a = Client::connect(s.socket_addr());
        a.send(b"one\n");
        let mut byte = [0u8; 1];
        // The echo has arrived, unread.
        testkit::retry_eintr(|| a.w.peek(&mut byte)).unwrap();
    }
    // One that connects and leaves at once, saying nothing.
    drop(TcpStream::connect(s.socket_addr()).unwrap());
    assert!(s.is_running(), "the server must go on");
    let mut b = Client::connect(s.socket_addr());
    assert_eq!(b.ask("next\n"), "next\n");
}

#[test]
fn two_lines_in_one_segment_are_both_answered() {
    let s = start(&[]);
    let mut c = Client::connect(s.socket_addr());
    // One write, so both lines leave in one TCP segment (nodelay).
    c.send(b"first\nsecond\n");
    assert_eq!(c.line(), "first\n");
    assert_eq!(c.line(), "second\n");
    // Three lines and STOP in one segment: all four answered.
    c.send(b"a\nb\nc\nSTOP\n");
    let rest = String::from_utf8(c.rest()).unwrap();
    assert_eq!(rest, "a\nb\nc\nSTOP\n");
}

#[test]
fn bytes_are_echoed_exactly_even_when_not_text() {
    let s = start(&[]);
    let mut c = Client::connect(s.socket_addr());
    let garbage = b"\x00\xff\xfe\x01 %s %n \r\n";
    c.send(garbage);
    let mut back = vec![0u8; garbage.len()];
    c.r.read_exact(&mut back).unwrap();
    assert_eq!(&back, garbage);
    // A last line without a newline, then a half-close: answered too.
    c.send(b"tail");
    c.w.shutdown(Shutdown::Write).unwrap();
    assert_eq!(c.rest(), b"tail");
}

#[test]
fn an_over_long_line_is_refused_and_the_server_lives() {
    let mut s = start(&[]);
    let mut c = Client::connect(s.socket_addr());
    // 100 KiB without a newline: more than the 64 KiB limit.
    let long = vec![b'x'; 100 * 1024];
    let w = c.w.try_clone().unwrap();
    let sender = std::thread::spawn(move || {
        let mut w = w;
        let _ = w.write_all(&long);
        let _ = w.shutdown(Shutdown::Write);
    });
    let answer = String::from_utf8(c.rest()).unwrap();
    sender.join().unwrap();
    assert_eq!(
        answer,
        "line longer than 65536 bytes: closing the connection\n"
    );
    let logged = s.wait_err_line(
        |l| l.contains("line longer than 65536 bytes; disconnected"),
        WAIT,
    );
    assert!(logged.is_some(), "stderr: {:?}", s.stderr());
    assert!(s.is_running());
    // A line just under the limit is fine, and then a short one too.
    let mut ok = Client::connect(s.socket_addr());
    let line = format!("{}\n", "y".repeat(65535));
    assert_eq!(ok.ask(&line), line);
    assert_eq!(ok.ask("short\n"), "short\n");
}

#[test]
fn past_the_connection_cap_a_client_is_refused_politely() {
    let mut s = start(&["--max-clients", "2"]);
    let addr = s.socket_addr();
    let mut a = Client::connect(addr);
    let mut b = Client::connect(addr);
    // Both answered: both have been accepted and counted.
    assert_eq!(a.ask("a\n"), "a\n");
    assert_eq!(b.ask("b\n"), "b\n");
    let mut third = Client::connect(addr);
    let refusal = String::from_utf8(third.rest()).unwrap();
    assert_eq!(
        refusal,
        "server busy: 2 clients connected, try again later\n"
    );
    let logged = s.wait_err_line(
        |l| l.contains("refused, already serving 2 clients"),
        WAIT,
    );
    assert!(logged.is_some(), "stderr: {:?}", s.stderr());
    // The two already connected are undisturbed.
    assert_eq!(a.ask("a again\n"), "a again\n");
    assert_eq!(b.ask("b again\n"), "b again\n");
    // When one leaves, its place is free again. (Its task gives the
    // place back as it ends, a moment after the close: retry, bounded.)
    assert_eq!(a.ask("STOP\n"), "STOP\n");
    assert!(a.rest().is_empty());
    let deadline = Instant::now() + WAIT;
    loop {
        let mut c = Client::connect(addr);
        c.send(b"in?\n");
        let got = c.line();
        if got == "in?\n" {
            break;
        }
        assert!(got.starts_with("server busy"), "unexpected answer {got:?}");
        assert!(Instant::now() < deadline, "the freed place never came back");
    }
    assert!(s.is_running());
}

/// 1,000 clients connected at once and idle, then every one asked a
/// line: all answer, and the server still has one thread.
#[test]
fn a_thousand_idle_clients_all_answer_on_one_thread() {
    // Each client is a file descriptor here and one in the server.
    let limit = fd_limit();
    let n = 1000.min(limit.saturating_sub(200));
    if n < 1000 {
        assert!(!testkit::in_ci(), "CI needs `ulimit -n` of 1200 or more");
        eprintln!("NOTE: ulimit -n is {limit}: testing {n} clients, not 1000");
    }
    let s = start(&[]);
    let addr = s.socket_addr();
    let mut cs: Vec<TcpStream> = (0..n)
        .map(|i| {
            TcpStream::connect_timeout(&addr, WAIT)
                .unwrap_or_else(|e| panic!("connect #{i}: {e}"))
        })
        .collect();
    // All asked first, then all read: a server that served clients one
    // at a time could not answer them all.
    for (i, c) in cs.iter_mut().enumerate() {
        c.set_read_timeout(Some(WAIT)).unwrap();
        c.write_all(format!("client {i}\n").as_bytes()).unwrap();
    }
    for (i, c) in cs.iter_mut().enumerate() {
        let want = format!("client {i}\n");
        let mut got = vec![0u8; want.len()];
        c.read_exact(&mut got)
            .unwrap_or_else(|e| panic!("client {i} got no answer: {e}"));
        assert_eq!(String::from_utf8_lossy(&got), want);
    }
    assert_eq!(threads_of(s.pid()), 1, "one thread serves them all");
}

#[test]
fn with_threads_2_the_runtime_has_two_workers() {
    let s = start(&["--threads", "2"]);
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.ask("hi\n"), "hi\n");
    // The main thread (which waits in block_on) plus two workers.
    assert_eq!(threads_of(s.pid()), 3);
}

/// std's listen backlog is 128, and so is tokio's TcpListener::bind.
/// This server asks for 4096; the kernel grants at most somaxconn. For
/// a listening socket, `ss` shows the backlog in its Send-Q column.
#[test]
fn the_listen_backlog_is_4096_or_somaxconn() {
    if !testkit::need_tool("ss", "reads the listen backlog") {
        return;
    }
    let s = start(&[]);
    let somaxconn: u32 =
        std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .unwrap()
            .trim()
            .parse()
            .unwrap();
    let port = s.socket_addr().port();
    let out = testkit::Cmd::new("ss")
        .args(["-ltnH", &format!("sport = :{port}")])
        .run();
    let cols: Vec<&str> = out.stdout.split_whitespace().collect();
    assert_eq!(cols.first(), Some(&"LISTEN"), "{}", out.describe());
    assert_eq!(
        cols[2],
        4096.min(somaxconn).to_string(),
        "{}",
        out.describe()
    );
}

#[test]
fn bad_arguments() {
    bad(&["123456"], 100, "invalid port or address \"123456\"");
    bad(&["abc"], 100, "invalid port or address \"abc\"");
    bad(&["1234", "5678"], 100, "too many arguments");
    bad(&["0", "--max-clients"], 100, "--max-clients needs a number");
    bad(&["0", "--max-clients", "0"], 100, "above 0");
    bad(&["0", "--max-clients", "lots"], 100, "not \"lots\"");
    // The rule of echo-async: 1 to 64 (tokio panics on 0, and starts
    // any number it is given).
    for n in ["0", "65", "100000", "18446744073709551615"] {
        let want =
            format!("--threads wants a whole number from 1 to 64, not \"{n}\"");
        bad(&["0", "--threads", n], 100, &want);
    }
    bad(&["--verbose"], 100, "unknown option --verbose");
    bad(
        &["192.0.2.1:1234"],
        100,
        "no interface of this machine has that address",
    );
}

#[test]
fn port_in_use() {
    let s = start(&[]);
    let port = s.socket_addr().port().to_string();
    bad(&[&port], 100, "address already in use");
}

/// Out of file descriptors (`ulimit -n` reached), `accept` fails with
/// EMFILE. The server logs it, pauses, and serves the waiting clients
/// as soon as others leave and give their descriptors back.
#[test]
fn out_of_file_descriptors_the_server_waits_and_goes_on() {
    // 16 descriptors: stdin/out/err, the runtime's own few and the
    // listener leave room for only a handful of clients.
    // Descriptors 3 to 9 left open by whoever started the tests are
    // closed first: each would take the place of a client.
    let sh = "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-\n\
              ulimit -n 16 && exec \"$0\" 0";
    let s = Server::start("sh", &["-c", sh, ASYNC]);
    let addr = s.socket_addr();
    // The kernel completes all 12 handshakes (the backlog holds them),
    // whether or not the server can accept them yet.
    let mut cs: Vec<TcpStream> = (0..12)
        .map(|_| TcpStream::connect_timeout(&addr, WAIT).unwrap())
        .collect();
    for (i, c) in cs.iter_mut().enumerate() {
        c.set_read_timeout(Some(WAIT)).unwrap();
        c.write_all(format!("n{i}\n").as_bytes()).unwrap();
    }
    let logged = s.wait_err_line(|l| l.contains("Too many open files"), WAIT);
    assert!(logged.is_some(), "stderr: {:?}", s.stderr());
    // Each client, once answered, leaves: its descriptor comes back,
    // and the next waiting client gets it.
    for (i, mut c) in cs.into_iter().enumerate() {
        let want = format!("n{i}\n");
        let mut got = vec![0u8; want.len()];
        c.read_exact(&mut got)
            .unwrap_or_else(|e| panic!("client {i} was never served: {e}"));
        assert_eq!(String::from_utf8_lossy(&got), want);
    }
}

/// An argument that is not UTF-8 gets one line and status 100 (1 for
/// echo-async, whose errors are Newmarch's "Fatal error").
#[test]
fn arguments_that_are_not_utf8_are_refused_in_one_line() {
    use std::os::unix::ffi::OsStrExt;
    let junk = std::ffi::OsStr::from_bytes(b"\xff");
    let echo = env!("CARGO_BIN_EXE_echo-async");
    for (exe, code) in [(ASYNC, 100), (echo, 1)] {
        let out = testkit::Cmd::new(exe).args([junk]).run();
        out.expect_code(code);
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
        assert!(
            out.stderr.contains("is not valid UTF-8"),
            "{}",
            out.describe()
        );
    }
}

/// `conc-tcp-async | head -1`: once head has printed the first line
/// and exited, every log line meets a closed pipe (EPIPE). The
/// server ignores that and goes on serving.
#[test]
fn with_stdout_and_stderr_closed_it_keeps_serving() {
    let script = "{ \"$0\" 0 2>&1 | head -1; } 2>&1";
    let s = Server::start("sh", &["-c", script, ASYNC]);
    // Until head has exited, the pipe still has a reader.
    let deadline = Instant::now() + WAIT;
    while head_alive(s.pid()) {
        assert!(Instant::now() < deadline, "head did not exit");
        std::thread::yield_now();
    }
    for i in 0..3 {
        let mut c = Client::connect(s.socket_addr());
        let msg = format!("line {i}\n");
        assert_eq!(c.ask(&msg), msg);
    }
    drop(Client::connect(s.socket_addr())); // logged on stderr
    let mut c = Client::connect(s.socket_addr());
    assert_eq!(c.ask("still here?\n"), "still here?\n");
}

/// Has the shell `sh` a child process named head?
fn head_alive(sh: u32) -> bool {
    std::fs::read_dir("/proc").unwrap().flatten().any(|e| {
        let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
            return false;
        };
        // PID (COMM) STATE PPID ...
        let Some((head, tail)) = stat.rsplit_once(") ") else {
            return false;
        };
        head.ends_with(" (head")
            && tail.split_whitespace().nth(1) == Some(&sh.to_string())
    })
}
