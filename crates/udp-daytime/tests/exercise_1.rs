//! Check for exercise 1 of docs/src/udp-daytime.md: udp-daytime-client
//! sends its request up to 3 times, waiting 1 s for a reply each time.
//! Run it with `scripts/exercise udp-daytime 1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::net::UdpSocket;
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_udp-daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_udp-daytime-client");

/// Does `text` say that 3 tries were made? "3 tries", "three
/// attempts", "tried 3 times", "3 requests sent", ...: a 3 (or "three")
/// next to a word about trying or sending. A bare "3", as in "within
/// 3 s", is not enough.
fn says_three_tries(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "tr", "attempt", "time", "request", "send", "sent", "datagram",
    ];
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let about = |w: &str| WORDS.iter().any(|t| w.starts_with(t));
    words.iter().enumerate().any(|(i, w)| {
        (w == "3" || w == "three")
            && (words.get(i + 1).is_some_and(|n| about(n))
                || i.checked_sub(1).is_some_and(|p| about(&words[p])))
    })
}

#[test]
fn the_words_for_three_tries() {
    for yes in [
        "Fatal error: no reply after 3 tries",
        "Fatal error: gave up after three attempts, 1 s each",
        "Fatal error: tried 3 times: no reply",
        "Fatal error: 3 requests sent, no answer",
    ] {
        assert!(says_three_tries(yes), "{yes}");
    }
    for no in [
        "Fatal error: 127.0.0.1:1200: no reply within 3 s (lost, or ...)",
        "Fatal error: no reply after 2 tries",
        "Fatal error: timed out",
    ] {
        assert!(!says_three_tries(no), "{no}");
    }
}

fn client(addr: &str) -> testkit::Out {
    Cmd::new(CLIENT)
        .args([addr])
        .timeout(Duration::from_secs(12))
        .run()
}

#[test]
fn a_lost_first_request_is_sent_again() {
    // A server that "loses" the first request and answers the second.
    let fake = UdpSocket::bind("127.0.0.1:0").unwrap();
    fake.set_read_timeout(Some(Duration::from_secs(8))).unwrap();
    let addr = fake.local_addr().unwrap().to_string();
    thread::spawn(move || {
        let mut buf = [0u8; 64];
        if testkit::retry_eintr(|| fake.recv_from(&mut buf)).is_err() {
            return;
        }
        if let Ok((_, from)) = testkit::retry_eintr(|| fake.recv_from(&mut buf))
        {
            let _ = fake.send_to(b"Sun Aug 29 17:25:19 EST 2010\r\n", from);
        }
    });
    let t = Instant::now();
    let out = client(&addr);
    assert_eq!(
        out.code,
        Some(0),
        "hint: the first request was lost; after 1 s without a reply \
         the client should send it again, and print the reply to the \
         second\n{}",
        out.describe()
    );
    assert_eq!(out.stdout, "Sun Aug 29 17:25:19 EST 2010\n");
    assert!(
        t.elapsed() < Duration::from_millis(2500),
        "hint: wait 1 s per try, not {:?}",
        t.elapsed()
    );
}

#[test]
fn a_silent_server_gets_three_tries_then_the_client_gives_up() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let t = Instant::now();
    let out = client(&addr);
    let took = t.elapsed();
    // Count the requests that arrived (they wait in the socket).
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    let mut tries = 0;
    while silent.recv_from(&mut buf).is_ok() {
        tries += 1;
    }
    assert_eq!(
        tries, 3,
        "hint: send the request 3 times in all before giving up ({tries} \
         arrived)"
    );
    assert_eq!(
        out.code,
        Some(1),
        "hint: giving up is a Fatal error, exit 1"
    );
    assert!(
        out.stderr.starts_with("Fatal error: ")
            && out.stderr.lines().count() == 1
            && says_three_tries(&out.stderr),
        "hint: give up with one `Fatal error:` line that says how many \
         tries were made, e.g. `no reply after 3 tries`; got {:?}",
        out.stderr
    );
    assert!(
        took >= Duration::from_millis(2800) && took < Duration::from_secs(5),
        "hint: 3 tries of 1 s should take about 3 s, not {took:?}"
    );
}

#[test]
fn refused_is_an_answer_not_a_loss() {
    let dead = common::dead_udp_addr();
    let t = Instant::now();
    let out = client(&dead.to_string());
    assert!(
        out.stderr.contains("Connection refused")
            && t.elapsed() < Duration::from_secs(1),
        "hint: when the kernel says `connection refused`, nobody is \
         there: stop at once instead of trying again\n{}",
        out.describe()
    );
}

#[test]
fn the_real_server_still_answers_the_first_try() {
    let server = Server::start(SERVER, &["0"]);
    let out = client(&server.addr);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.stdout.len() > 25, "{}", out.describe());
}
