//! Check for exercise 4 of docs/src/unix-socket.md: `socket-server
//! --random` answers every message with one line holding a random
//! whole number from 1 to 100, drawn afresh each time (not a counter,
//! not the same sequence on every connection), and still logs what it
//! received. Without `--random` it still echoes.
//! Run it with `scripts/exercise unix-socket 4`.
//!
//! Randomness is checked with 2,000 answers: a right solution fails
//! one of these checks about once in 10^8 runs (1 or 100 missing).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use testkit::{Cmd, Server};

const ASK: &str = "a number, please";
const CONNECTIONS: usize = 20;
const ASKS: usize = 100;

/// socket-server --random PATH.
fn random_server(path: &Path) -> Server {
    let out = Cmd::new(SERVER)
        .args(["--random", "--", "/nonexistent-dir/x.sock"])
        .run();
    assert!(
        !out.stderr.contains("unknown option --random"),
        "hint: add the option --random to socket-server (parse_args in \
         src/lib.rs reads the options of both programs)\n{}",
        out.describe()
    );
    Server::start(SERVER, &["--random", s(path)])
}

/// Send one message and read one line back; return it without `\n`.
fn ask(c: &mut UnixStream, answers: &mut BufReader<UnixStream>) -> String {
    c.write_all(format!("{ASK}\n").as_bytes()).unwrap();
    let mut line = String::new();
    match answers.read_line(&mut line) {
        Ok(0) => panic!(
            "hint: the server closed the connection instead of answering"
        ),
        Ok(_) => {}
        Err(e) => panic!(
            "hint: no whole line came back ({e}); end each answer with a \
             newline. Got so far: {line:?}"
        ),
    }
    assert!(
        line.ends_with('\n'),
        "hint: end each answer with a newline; got {line:?}"
    );
    line.trim_end_matches('\n').to_string()
}

/// The number in one answer, checked.
fn number(reply: &str) -> u32 {
    assert_ne!(
        reply.trim(),
        ASK,
        "hint: with --random the server should answer with a random \
         number, not echo the message"
    );
    let n: u32 = reply.parse().unwrap_or_else(|_| {
        panic!(
            "hint: each answer should be just a whole number and a \
             newline; got {reply:?}"
        )
    });
    assert!(
        (1..=100).contains(&n),
        "hint: the number should be from 1 to 100; got {n}"
    );
    n
}

/// `ASKS` answers on each of `CONNECTIONS` connections.
fn answers(path: &Path) -> Vec<Vec<u32>> {
    (0..CONNECTIONS)
        .map(|_| {
            let mut c = connect(path);
            let mut r = BufReader::new(c.try_clone().unwrap());
            (0..ASKS).map(|_| number(&ask(&mut c, &mut r))).collect()
        })
        .collect()
}

#[test]
fn every_message_gets_a_fresh_random_number_from_1_to_100() {
    let (_dir, path) = sock("ex4-numbers");
    let srv = random_server(&path);
    let all = answers(&path);
    let flat: Vec<u32> = all.iter().flatten().copied().collect();
    // Counting up (1, 2, 3, ...): about 1 in 100 neighbours of random
    // numbers follow each other so; a counter's all do.
    let steps: usize = all
        .iter()
        .map(|v| v.windows(2).filter(|w| w[1] == w[0] % 100 + 1).count())
        .sum();
    assert!(
        steps < flat.len() / 2,
        "hint: the answers count up by one ({steps} of {} steps): that is \
         a counter, not a random number",
        flat.len()
    );
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            assert!(
                a != b,
                "hint: two connections got the same {ASKS} numbers in the \
                 same order: is the random source seeded the same way for \
                 each connection (or is it a counter)?"
            );
        }
    }
    for edge in [1, 100] {
        assert!(
            flat.contains(&edge),
            "hint: the numbers should be from 1 to 100, both included; in \
             {} answers, {edge} never came",
            flat.len()
        );
    }
    assert!(
        srv.wait_line(|l| l == format!("->: {ASK}"), testkit::WAIT)
            .is_some(),
        "hint: keep logging what the server receives as `->: MESSAGE`; \
         its log: {:?}",
        &srv.stdout()[..srv.stdout().len().min(5)]
    );
}

#[test]
fn without_the_option_the_server_still_echoes() {
    let (_dir, path) = sock("ex4-echo");
    let _srv = server(&path);
    let mut c = connect(&path);
    let mut r = BufReader::new(c.try_clone().unwrap());
    let back = ask(&mut c, &mut r);
    assert_eq!(
        back, ASK,
        "hint: without --random the server should still echo every \
         message, as before"
    );
}

#[test]
fn the_unchanged_client_shows_the_numbers() {
    let (_dir, path) = sock("ex4-client");
    let _srv = random_server(&path);
    let out = client_count(&path, 2);
    assert_eq!(
        out.code,
        Some(0),
        "hint: socket-client --count 2 should get two answers\n{}",
        out.describe()
    );
    let r = replies(&out);
    assert_eq!(
        r.len(),
        2,
        "hint: one answer per message\n{}",
        out.describe()
    );
    for line in r {
        number(line.trim_start_matches("-> "));
    }
}
