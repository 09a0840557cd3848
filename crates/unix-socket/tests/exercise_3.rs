//! Check for exercise 3 of docs/src/unix-socket.md: `socket-client
//! --stdin` sends the lines of its standard input, each with its
//! newline, one at a time (it waits for each reply before it sends
//! the next line), prints each reply as `-> REPLY`, and stops with
//! status 0 at the end of the input. Without `--stdin` nothing
//! changes. Run it with `scripts/exercise unix-socket 3`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::{Read, Write};
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;
use testkit::{Cmd, Out};

/// Enough for a few round trips on a slow machine; a client that does
/// not stop at the end of its input is stopped after this.
const LIMIT: Duration = Duration::from_secs(8);

/// How long the test's server waits, before it answers a message, to
/// see whether the client sends more without waiting for the answer.
const HOLD: Duration = Duration::from_millis(400);

/// What the test's echo server saw on its one connection.
#[derive(Debug, Default)]
struct Seen {
    /// Every byte received, in order: exactly what the client sent.
    bytes: Vec<u8>,
    /// More came while a reply was being held back: the client sent
    /// a second message without waiting for the first reply.
    early: bool,
}

/// An echo server on `path` that records what it receives. Before it
/// echoes a chunk it holds the reply back for HOLD and notes anything
/// that arrives meanwhile.
fn recorder(path: &Path) -> (Arc<Mutex<Seen>>, JoinHandle<()>) {
    let l = UnixListener::bind(path).unwrap();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let s2 = Arc::clone(&seen);
    let h = std::thread::spawn(move || {
        let Ok((mut c, _)) = l.accept() else { return };
        let mut buf = [0u8; 4096];
        loop {
            c.set_read_timeout(Some(LIMIT)).unwrap();
            let n = match testkit::retry_eintr(|| c.read(&mut buf)) {
                Ok(0) | Err(_) => return,
                Ok(n) => n,
            };
            let mut chunk = buf[..n].to_vec();
            // A client that waits sends nothing more before our reply.
            c.set_read_timeout(Some(HOLD)).unwrap();
            if let Ok(m) = testkit::retry_eintr(|| c.read(&mut buf))
                && m > 0
            {
                chunk.extend_from_slice(&buf[..m]);
                s2.lock().unwrap().early = true;
            }
            if chunk.iter().filter(|&&b| b == b'\n').count() > 1 {
                s2.lock().unwrap().early = true;
            }
            s2.lock().unwrap().bytes.extend_from_slice(&chunk);
            if c.write_all(&chunk).is_err() {
                return;
            }
        }
    });
    (seen, h)
}

/// socket-client --stdin PATH with `input` on its standard input,
/// against the recording server; the run must end by itself, with
/// status 0.
fn run_with_input(tag: &str, input: &str) -> (Out, Seen) {
    let (_dir, path) = sock(tag);
    let (seen, server) = recorder(&path);
    let out = Cmd::new(CLIENT)
        .args(["--stdin", s(&path)])
        .stdin(input)
        .timeout(LIMIT)
        .run();
    assert!(
        !out.stderr.contains("unknown option --stdin"),
        "hint: add the option --stdin to socket-client (parse_args in \
         src/lib.rs reads the options of both programs)\n{}",
        out.describe()
    );
    assert!(
        !out.timed_out,
        "hint: socket-client --stdin was still running {LIMIT:?} after its \
         input had ended: stop when stdin.lines() runs out, once the last \
         reply has come\n{}",
        out.describe()
    );
    // Wake the server if the client never connected, then let it end.
    let _ = std::os::unix::net::UnixStream::connect(&path);
    drop(server.join());
    let seen = std::mem::take(&mut *seen.lock().unwrap());
    let sent = String::from_utf8_lossy(&seen.bytes).into_owned();
    assert!(
        !sent.contains("Hello Server!"),
        "hint: with --stdin, send the lines of the input, not \
         `Hello Server!`; the server received {sent:?}"
    );
    assert!(
        !seen.early,
        "hint: wait for the reply to each line before you send the next \
         one (wait_for_reply); the server got a line while its reply to \
         the one before was still due"
    );
    assert_eq!(
        out.code,
        Some(0),
        "hint: at the end of the input the client should exit with \
         status 0\n{}",
        out.describe()
    );
    (out, seen)
}

/// Check that the server received exactly `input`.
fn sent_exactly(seen: &Seen, input: &str) {
    let sent = String::from_utf8_lossy(&seen.bytes);
    assert!(
        sent != input.replace('\n', ""),
        "hint: send each line with its newline (lines() removes it); the \
         server received {sent:?}"
    );
    assert_eq!(
        sent, input,
        "hint: send each line as it was typed, followed by a newline; \
         the server received {sent:?}, the input was {input:?}"
    );
}

#[test]
fn each_line_is_sent_with_its_newline_and_its_reply_printed() {
    let input = "first message\nsecond message\nthird\n";
    let (out, seen) = run_with_input("ex3-lines", input);
    sent_exactly(&seen, input);
    assert_eq!(
        replies(&out),
        ["-> first message", "-> second message", "-> third"],
        "hint: print each reply as `-> REPLY`, one line each, in order\n{}",
        out.describe()
    );
}

#[test]
fn text_is_sent_exactly_as_typed() {
    let tricky = "100% {done} \"quoted\" \\n  two  spaces ";
    let input = format!("{tricky}\n");
    let (out, seen) = run_with_input("ex3-exact", &input);
    sent_exactly(&seen, &input);
    assert_eq!(
        replies(&out),
        [format!("-> {tricky}")],
        "hint: send the line as it is and print the reply as `-> REPLY`\n{}",
        out.describe()
    );
}

#[test]
fn no_input_sends_nothing() {
    let (out, seen) = run_with_input("ex3-empty", "");
    assert!(
        seen.bytes.is_empty() && replies(&out).is_empty(),
        "hint: with no input there is nothing to send and no reply to \
         print; the server received {:?}\n{}",
        String::from_utf8_lossy(&seen.bytes),
        out.describe()
    );
}

#[test]
fn without_the_option_the_client_still_sends_hello_server() {
    let (_dir, path) = sock("ex3-default");
    let _srv = server(&path);
    let out = Cmd::new(CLIENT)
        .args(["--count", "1", s(&path)])
        .stdin("not for sending\n")
        .timeout(LIMIT)
        .run();
    assert_eq!(
        (out.code, replies(&out)),
        (Some(0), vec!["-> Hello Server!"]),
        "hint: without --stdin the client should still send `Hello \
         Server!` and ignore its input, as before\n{}",
        out.describe()
    );
}
