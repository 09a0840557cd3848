//! Check of exercise 2: an idle timeout with `tokio::time::timeout`.
//!
//! Run it with `scripts/exercise conc-tcp-async 2`. What is expected
//! (docs/src/conc-tcp-async.md, "Exercise 2"): with
//! `--idle-timeout SECS`, a client that sends no line for SECS seconds
//! is sent
//!
//! ```text
//! idle for SECS s: closing the connection
//! ```
//!
//! and disconnected, and the server logs `PEER: idle for SECS s;
//! disconnected` on standard error. Clients that keep talking are not
//! disturbed, and the server goes on. SECS is a whole number above 0
//! (otherwise: one line on stderr, in any words, and exit status 100).
//! Without the option there is no timeout, as before.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server, WAIT};

const ASYNC: &str = env!("CARGO_BIN_EXE_conc-tcp-async");
const BYE: &str = "idle for 1 s: closing the connection\n";

fn start_with_idle_1() -> Server {
    let mut s = Server::start(ASYNC, &["0", "--idle-timeout", "1"]);
    assert!(
        s.is_running(),
        "hint: conc-tcp-async should accept --idle-timeout 1 (a number of \
         seconds)"
    );
    s
}

struct Client {
    w: TcpStream,
    r: BufReader<TcpStream>,
}

fn connect(s: &Server) -> Client {
    let c = TcpStream::connect(s.socket_addr()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    Client {
        r: BufReader::new(c.try_clone().unwrap()),
        w: c,
    }
}

impl Client {
    fn ask(&mut self, l: &str) -> String {
        self.w.write_all(l.as_bytes()).unwrap();
        let mut back = String::new();
        self.r.read_line(&mut back).unwrap();
        back
    }
    /// Everything until the server closes; None if it did not close
    /// within the wait.
    fn rest(&mut self) -> Option<String> {
        let mut v = Vec::new();
        match self.r.read_to_end(&mut v) {
            Ok(_) => Some(String::from_utf8_lossy(&v).into_owned()),
            Err(_) => None,
        }
    }
}

#[test]
fn a_silent_client_is_told_and_disconnected() {
    let s = start_with_idle_1();
    let mut c = connect(&s);
    assert_eq!(c.ask("hello\n"), "hello\n", "hint: keep echoing lines");
    let t = Instant::now();
    let rest = c.rest().unwrap_or_else(|| {
        panic!(
            "hint: the client said nothing for {WAIT:?} and was still \
             connected. Wrap the read of a line in \
             tokio::time::timeout(idle, ...)."
        )
    });
    let waited = t.elapsed();
    assert_eq!(
        rest, BYE,
        "hint: before closing, send exactly this line to the client"
    );
    assert!(
        waited >= Duration::from_millis(900),
        "hint: the client was closed after {waited:?}, before a whole \
         second of silence"
    );
    assert!(
        waited < Duration::from_secs(3),
        "hint: the client was closed only after {waited:?}"
    );
}

#[test]
fn a_client_that_never_speaks_is_closed_too() {
    let s = start_with_idle_1();
    let mut c = connect(&s);
    assert_eq!(
        c.rest().as_deref(),
        Some(BYE),
        "hint: the timeout covers the wait for the first line as well"
    );
}

#[test]
fn talking_clients_stay_and_the_server_lives() {
    let mut s = start_with_idle_1();
    let mut quiet = connect(&s);
    let mut chatty = connect(&s);
    // A line every 300 ms for about 2 s: never 1 s of silence.
    let t = Instant::now();
    let mut k = 0;
    while t.elapsed() < Duration::from_secs(2) {
        let msg = format!("line {k}\n");
        assert_eq!(
            chatty.ask(&msg),
            msg,
            "hint: a client that sends a line at least every second must \
             not be disconnected: start the timeout afresh for every line"
        );
        k += 1;
        std::thread::sleep(Duration::from_millis(300)); // pacing, not sync
    }
    assert_eq!(quiet.rest().as_deref(), Some(BYE));
    let logged =
        s.wait_err_line(|l| l.contains("idle for 1 s; disconnected"), WAIT);
    assert!(
        logged.is_some(),
        "hint: log `PEER: idle for 1 s; disconnected` on stderr. It said: {:?}",
        s.stderr()
    );
    assert!(
        s.is_running(),
        "hint: an idle client must not stop the server"
    );
    let mut late = connect(&s);
    assert_eq!(late.ask("still serving?\n"), "still serving?\n");
}

/// The page asks for one line on standard error and status 100; the
/// words are the learner's.
#[test]
fn a_bad_timeout_is_refused() {
    for args in [
        &["0", "--idle-timeout", "0"][..],
        &["0", "--idle-timeout", "-3"][..],
        &["0", "--idle-timeout", "soon"][..],
        &["0", "--idle-timeout", "1.5"][..],
        &["0", "--idle-timeout"][..],
    ] {
        let out = Cmd::new(ASYNC).args(args).run();
        assert!(
            out.stdout.is_empty(),
            "hint: {args:?} must be refused before the server starts \
             (it printed on stdout)\n{}",
            out.describe()
        );
        assert_eq!(
            out.code,
            Some(100),
            "hint: {args:?} should be refused with exit status 100, as the \
             other options are\n{}",
            out.describe()
        );
        assert_eq!(
            out.stderr.lines().count(),
            1,
            "hint: for {args:?} say what is wrong in one line on stderr\n{}",
            out.describe()
        );
    }
}
