//! tcp-client, driven through its standard input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server};

#[test]
fn talks_to_conc_tcp_through_stdin() {
    let s = Server::start(CONC, &["0"]);
    let out = Cmd::new(CLIENT)
        .args([&s.addr])
        .stdin("123\nHello server!\nSTOP\n")
        .run();
    out.expect_code(0);
    // Piped input: no ">> " prompt, one answer per line.
    assert_eq!(
        out.stdout,
        "->: 123\n->: Hello server!\n->: STOP\nTCP client exiting...\n",
        "{}",
        out.describe()
    );
    assert!(out.stderr.is_empty(), "{}", out.describe());
}

#[test]
fn prompts_only_on_a_terminal() {
    if !testkit::need_tool("script", "runs tcp-client on a pseudo-terminal") {
        return;
    }
    let s = Server::start(CONC, &["0"]);
    let cmd = format!("{CLIENT} {}", s.addr);
    let out = Cmd::new("script")
        .args(["-qec", &cmd, "/dev/null"])
        .stdin("Hi!\nSTOP\n")
        .run();
    out.expect_code(0);
    // On a terminal: the book's `>> ` prompt, once per line typed.
    // (The terminal's echo of the typed lines may come before or after
    // a prompt, depending on timing, so only the counts are checked.)
    assert_eq!(out.stdout.matches(">> ").count(), 2, "{}", out.describe());
    assert!(out.stdout.contains("->: Hi!"), "{}", out.describe());
    assert!(out.stdout.contains("->: STOP"), "{}", out.describe());
}

#[test]
fn end_of_input_without_stop_exits_0() {
    let s = Server::start(CONC, &["0"]);
    let out = Cmd::new(CLIENT).args([&s.addr]).stdin("only line").run();
    out.expect_code(0);
    assert_eq!(out.stdout, "->: only line\n", "{}", out.describe());
}

/// A fake server: accepts one client, records every byte it sends
/// until it closes, and answers each line with `answer(line)`.
fn recorder(answer: fn(&[u8]) -> Vec<u8>) -> (SocketAddr, JoinHandle<Vec<u8>>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut all = Vec::new();
        let mut pending = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let n = testkit::retry_eintr(|| c.read(&mut buf)).unwrap_or(0);
            if n == 0 {
                return all;
            }
            all.extend_from_slice(&buf[..n]);
            pending.extend_from_slice(&buf[..n]);
            while let Some(i) = pending.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = pending.drain(..=i).collect();
                let _ = c.write_all(&answer(&line));
            }
        }
    });
    (addr, h)
}

#[test]
fn sends_each_line_once_with_one_newline_and_no_formatting() {
    let (addr, h) = recorder(|l| l.to_vec());
    let out = Cmd::new(CLIENT)
        .args([addr.to_string()])
        .stdin("50% of %d %s\r\nsecond\nSTOP\n")
        .run();
    out.expect_code(0);
    // Exactly what was typed, one newline each (the Go client sends
    // two, and treats the text as a format string).
    assert_eq!(h.join().unwrap(), b"50% of %d %s\nsecond\nSTOP\n");
    assert!(
        out.stdout.starts_with("->: 50% of %d %s\n->: second\n"),
        "{}",
        out.describe()
    );
}

#[test]
fn a_server_that_closes_early_is_reported() {
    // Answers the first line, then hangs up.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let h = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut b = [0u8; 64];
        let _ = testkit::retry_eintr(|| c.read(&mut b));
        c.write_all(b"first\n").unwrap();
    });
    let out = Cmd::new(CLIENT)
        .args([addr.to_string()])
        .stdin("one\ntwo\n")
        .run();
    h.join().unwrap();
    out.expect_code(100);
    assert_eq!(out.stdout, "->: first\n");
    assert!(
        out.stderr.contains("the server closed the connection"),
        "{}",
        out.describe()
    );
}

#[test]
fn garbage_from_the_server_a_huge_answer() {
    // 100 KiB without a newline: refused, not buffered forever.
    let (addr, _h) = recorder(|_| vec![b'g'; 100 * 1024]);
    bad_with_stdin(&addr.to_string(), "hi\n", "longer than 65536 bytes");
}

/// The client runs with NETPROG_TIME_SCALE=0.1 where a test waits
/// for its limit: the 5 s for an answer are 0.5 s, and the message
/// says so.
const SCALE: &str = "0.1";
const LIMIT: Duration = Duration::from_millis(500);

/// Run the client with its limits scaled; how long it took, and what
/// it did.
fn scaled_client(target: &str, input: &str) -> (Duration, testkit::Out) {
    let began = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([target])
        .stdin(input)
        .env(TIME_SCALE, SCALE)
        .run();
    (began.elapsed(), out)
}

#[test]
fn a_silent_server_times_out() {
    let (addr, _h) = recorder(|_| Vec::new());
    let (took, out) = scaled_client(&addr.to_string(), "hello?\n");
    out.expect_code(100);
    assert_eq!(
        out.stderr,
        "no answer from the server within 0.5 s (waiting for the echo of \
         our line)\n",
        "{}",
        out.describe()
    );
    // After the limit, and well before twice it.
    assert!(took >= LIMIT && took < 2 * LIMIT, "took {took:?}");
}

fn bad_with_stdin(target: &str, input: &str, needle: &str) {
    let out = Cmd::new(CLIENT).args([target]).stdin(input).run();
    out.expect_code(100);
    assert!(
        out.stderr.contains(needle),
        "stderr should say {needle:?}\n{}",
        out.describe()
    );
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
}

#[test]
fn bad_arguments() {
    bad(CLIENT, &[], 100, "Please provide host:port.");
    bad(CLIENT, &["a:1", "b:2"], 100, "Please provide host:port.");
    bad(
        CLIENT,
        &["localhost"],
        100,
        "looking up localhost (expected host:port)",
    );
    bad(CLIENT, &["localhost:99999"], 100, "invalid port value");
    bad(
        CLIENT,
        &["nosuchhost.invalid:1234"],
        100,
        "looking up nosuchhost.invalid:1234",
    );
    let refused = format!("127.0.0.1:{}", closed_port());
    bad(
        CLIENT,
        &[&refused],
        100,
        "connection refused (is the server running",
    );
}

/// "5 s for a whole answer" is a deadline, not a timeout per read: a
/// server that drips a byte every 40 ms, never a newline, is given up
/// on at the limit (0.5 s here, scaled), though each read waits only
/// a twelfth of it (a timeout per read would wait forever).
#[test]
fn a_dripping_server_is_given_up_on_after_5_s_in_all() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut b = [0u8; 64];
        let _ = testkit::retry_eintr(|| c.read(&mut b));
        // Pacing the drip, bounded: 40 bytes over 1.6 s at most.
        for _ in 0..40 {
            if c.write_all(b"d").is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(40));
        }
    });
    let (took, out) = scaled_client(&addr.to_string(), "hello?\n");
    out.expect_code(100);
    assert!(
        out.stderr
            .contains("no answer from the server within 0.5 s"),
        "{}",
        out.describe()
    );
    assert!(took >= LIMIT && took < 2 * LIMIT, "took {took:?}");
}

/// A bad NETPROG_TIME_SCALE (the factor for the time limits) is
/// refused at start by every program: one line that names it, and
/// the program's status for a bad command line (2 for
/// greeting-server, whose flags are Go's; 100 for the others).
#[test]
fn a_bad_time_scale_is_refused_in_one_line() {
    let programs: [(&str, &[&str], i32); 6] = [
        (CLIENT, &["127.0.0.1:9"], 100),
        (TCPC, &["127.0.0.1:9"], 100),
        (TCPS, &["0"], 100),
        (CONC, &["0"], 100),
        (SERVER, &["0"], 100),
        (GREET, &["-p", "0"], 2),
    ];
    for (exe, args, code) in programs {
        for value in ["0", "1000", "fast", ""] {
            let out = Cmd::new(exe)
                .args(args)
                .env(TIME_SCALE, value)
                .stdin("")
                .run();
            out.expect_code(code);
            let want = format!(
                "{TIME_SCALE}=\"{value}\" is not a factor from 0.01 to 100"
            );
            assert_eq!(out.stderr, format!("{want}\n"), "{}", out.describe());
            assert_eq!(out.stdout, "", "{}", out.describe());
        }
    }
}
