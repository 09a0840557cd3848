//! Check for exercise 3 of docs/src/unix-socket.md: socket-client
//! sends the lines of its standard input instead of `Hello Server!`,
//! prints each reply as `-> REPLY`, and stops at the end of the input.
//! Run it with `scripts/exercise unix-socket 3`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::time::Duration;
use testkit::{Cmd, Out};

/// Enough for a few round trips on a slow machine; an unchanged client
/// (which sends for ever) is stopped after this.
const LIMIT: Duration = Duration::from_secs(8);

fn client_with_input(path: &std::path::Path, input: &str) -> Out {
    let out = Cmd::new(CLIENT)
        .args([s(path)])
        .stdin(input)
        .timeout(LIMIT)
        .run();
    assert!(
        !out.timed_out,
        "hint: socket-client was still running {LIMIT:?} after its input had ended; \
         stop when stdin.lines() runs out (after the last reply)\n{}",
        out.describe()
    );
    assert_eq!(
        out.code,
        Some(0),
        "hint: at the end of the input the client should exit with status 0\n{}",
        out.describe()
    );
    assert!(
        !out.stdout.contains("Hello Server!"),
        "hint: send the user's lines, not `Hello Server!`\n{}",
        out.describe()
    );
    out
}

#[test]
fn each_line_of_input_is_sent_and_its_reply_printed() {
    let (_dir, path) = sock("ex3-lines");
    let srv = server(&path);
    let out = client_with_input(&path, "first message\nsecond message\n");
    let first = out.stdout.find("first message");
    let second = out.stdout.find("second message");
    assert!(
        matches!((first, second), (Some(a), Some(b)) if a < b),
        "hint: print each reply as `-> REPLY`; expected the echoes of both lines, \
         in order\n{}",
        out.describe()
    );
    assert!(
        out.stdout.starts_with("-> "),
        "hint: replies start with `-> `, as before\n{}",
        out.describe()
    );
    for line in ["->: first message", "->: second message"] {
        assert!(
            srv.wait_line(|l| l == line, testkit::WAIT).is_some(),
            "hint: the server should have received `{}` (with a newline); its log: {:?}",
            &line[4..],
            srv.stdout()
        );
    }
}

#[test]
fn text_is_sent_exactly_as_typed() {
    let (_dir, path) = sock("ex3-exact");
    let _srv = server(&path);
    let tricky = "100% {done} \"quoted\" \\n";
    let out = client_with_input(&path, &format!("{tricky}\n"));
    assert!(
        out.stdout.lines().any(|l| l == format!("-> {tricky}")),
        "hint: send the line as it is and print the reply as `-> REPLY`; \
         expected the line `-> {tricky}`\n{}",
        out.describe()
    );
}

#[test]
fn no_input_sends_nothing() {
    let (_dir, path) = sock("ex3-empty");
    let srv = server(&path);
    let out = client_with_input(&path, "");
    assert!(
        replies(&out).is_empty(),
        "hint: with no input there is nothing to send and no reply to print\n{}",
        out.describe()
    );
    assert!(
        !srv.stdout().iter().any(|l| l.starts_with("->:")),
        "hint: with no input the server should receive nothing; its log: {:?}",
        srv.stdout()
    );
}
