//! Check for exercise 4 of docs/src/unix-socket.md: socket-server
//! answers every message with one line holding a random whole number
//! from 1 to 100, instead of an echo.
//! Run it with `scripts/exercise unix-socket 4`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::net::UnixStream;

const ASK: &str = "a number, please";

/// Send one message and read one line back; return it without `\n`.
fn ask(c: &mut UnixStream, replies: &mut BufReader<UnixStream>) -> String {
    c.write_all(format!("{ASK}\n").as_bytes()).unwrap();
    let mut line = String::new();
    match replies.read_line(&mut line) {
        Ok(0) => panic!(
            "hint: the server closed the connection instead of answering"
        ),
        Ok(_) => {}
        Err(e) => panic!(
            "hint: no whole line came back ({e}); end each answer with a newline. \
             Got so far: {line:?}"
        ),
    }
    assert!(
        line.ends_with('\n'),
        "hint: end each answer with a newline; got {line:?}"
    );
    line.trim_end_matches('\n').to_string()
}

fn number(reply: &str) -> u32 {
    assert_ne!(
        reply.trim(),
        ASK,
        "hint: the server still echoes the message back; answer with a random number"
    );
    let n: u32 = reply.trim().parse().unwrap_or_else(|_| {
        panic!("hint: each answer should be just a whole number and a newline; got {reply:?}")
    });
    assert!(
        (1..=100).contains(&n),
        "hint: the number should be from 1 to 100; got {n}"
    );
    n
}

#[test]
fn every_message_gets_a_random_number_from_1_to_100() {
    let (_dir, path) = sock("ex4-numbers");
    let srv = server(&path);
    let mut c = connect(&path);
    let mut replies = BufReader::new(c.try_clone().unwrap());
    let got: Vec<u32> = (0..12)
        .map(|_| number(&ask(&mut c, &mut replies)))
        .collect();
    assert!(
        got.iter().any(|n| *n != got[0]),
        "hint: twelve answers were all {}: the numbers should be random, new for \
         every message",
        got[0]
    );
    assert!(
        srv.wait_line(|l| l == format!("->: {ASK}"), testkit::WAIT)
            .is_some(),
        "hint: keep logging what the server receives as `->: MESSAGE`; its log: {:?}",
        srv.stdout()
    );
}

#[test]
fn each_connection_gets_its_own_numbers() {
    let (_dir, path) = sock("ex4-clients");
    let _srv = server(&path);
    let mut all = Vec::new();
    for _ in 0..4 {
        let mut c = connect(&path);
        let mut replies = BufReader::new(c.try_clone().unwrap());
        all.push(number(&ask(&mut c, &mut replies)));
        all.push(number(&ask(&mut c, &mut replies)));
    }
    assert!(
        all.iter().any(|n| *n != all[0]),
        "hint: every new connection got the same numbers {all:?}: is the random \
         source seeded the same way each time?"
    );
}

#[test]
fn the_unchanged_client_shows_the_numbers() {
    let (_dir, path) = sock("ex4-client");
    let _srv = server(&path);
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
        number(line.trim_start_matches("->").trim());
    }
}
