//! The lost-datagram lesson of docs/src/udp-daytime.md ("In the lab"),
//! measured where the page can only show one run: the share of
//! exchanges that get an answer through a lossy cable is what the
//! binomial distribution says, and a lost exchange costs the client
//! its whole wait. Each test builds a lab of its own (as root;
//! skipped without, a failure under CI=true).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::UdpSocket;
use std::time::{Duration, Instant};
use testkit::{Cmd, Lab, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_udp-daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_udp-daytime-client");

/// The probability that one try (a request and its answer) crosses a
/// cable with `loss 30`: the fault drops 30 % of the packets each way.
const ONE_TRY: f64 = 0.7 * 0.7;

/// A word for `sh -c`.
fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// How the client behaves when nothing answers, measured over
/// loopback: how many requests it sends, and how long it takes to
/// give up. The unmodified client sends 1 and waits 3 s; after
/// exercise 1 or 2 it sends more, and this test follows it.
fn client_without_an_answer() -> (i32, Duration) {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    let t = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([addr.as_str()])
        .timeout(Duration::from_secs(60))
        .run();
    let took = t.elapsed();
    assert_eq!(out.code, Some(1), "{}", out.describe());
    silent.set_nonblocking(true).unwrap();
    let mut buf = [0u8; 64];
    let mut tries = 0;
    while silent.recv_from(&mut buf).is_ok() {
        tries += 1;
    }
    assert!(tries >= 1, "the client sent no request at all");
    (tries, took)
}

/// The lab with the daytime server running on carol.
fn lab_with_a_server(tag: char) -> Option<(Lab, Server)> {
    let lab = Lab::up(tag)?;
    let server =
        Server::start_cmd(lab.exec("carol", &[SERVER, "0.0.0.0:1200"]), false);
    Some((lab, server))
}

#[test]
fn the_share_answered_through_a_lossy_cable_is_the_binomial_one() {
    // Declared in this order, dropped in the other: the server stops
    // before the lab goes down. The lab first: without root the test
    // skips before it waits for anything.
    let Some((lab, _server)) = lab_with_a_server('u') else {
        return;
    };
    let (tries, _) = client_without_an_answer();
    lab.fault(&["carol", "loss", "30"]);
    // 100 clients at once, as on the page (a server socket's receive
    // buffer holds far more than 100 small requests), 4 times.
    let script = format!(
        "for i in $(seq 100); do {} carol:1200 & done 2>/dev/null | wc -l",
        quoted(CLIENT)
    );
    let runs = 400;
    let mut answered = 0u32;
    for _ in 0..runs / 100 {
        let out = lab.sh("alice", &script);
        answered += out
            .stdout
            .trim()
            .parse::<u32>()
            .unwrap_or_else(|_| panic!("not a count: {}", out.describe()));
    }
    // Each run gets an answer unless all its tries fail.
    let p = 1.0 - (1.0 - ONE_TRY).powi(tries);
    let n = f64::from(runs);
    let mean = n * p;
    let sd = (n * p * (1.0 - p)).sqrt();
    // Five standard deviations: outside them once in about two
    // million runs of this test, if the lab does what it says.
    assert!(
        (f64::from(answered) - mean).abs() <= 5.0 * sd,
        "{answered} of {runs} runs got an answer through a cable that \
         loses 30 % each way; with {tries} tries a run, {mean:.0} ± \
         {:.0} was expected (5 standard deviations)",
        5.0 * sd
    );
    eprintln!(
        "{answered} of {runs} answered ({tries} tries a run; expected \
         {mean:.0}, standard deviation {sd:.1})"
    );
}

#[test]
fn a_lost_exchange_costs_the_client_its_whole_wait() {
    let Some((lab, _server)) = lab_with_a_server('v') else {
        return;
    };
    let (_, over_loopback) = client_without_an_answer();
    // Every datagram to port 1200 dropped on carol's cable: what a
    // loss looks like every time. The clock runs inside alice, so
    // that the lab script's own start-up is not counted.
    lab.fault(&["carol", "drop", "udp", "1200"]);
    let script = format!(
        "s=$(date +%s%N); {} carol:1200; echo \"exit $? after \
         $(( ($(date +%s%N) - s) / 1000000 )) ms\"",
        quoted(CLIENT)
    );
    let out = lab.sh("alice", &script);
    let last = out.stdout.lines().last().unwrap_or("");
    let ms: u64 = last
        .strip_prefix("exit 1 after ")
        .and_then(|r| r.strip_suffix(" ms"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{}", out.describe()));
    assert!(
        out.stdout
            .starts_with("Fatal error: 203.0.113.10:1200: no reply"),
        "{}",
        out.describe()
    );
    // The same wait as over loopback, where nothing answered either.
    let expected = over_loopback.as_millis() as u64;
    assert!(
        ms + 300 >= expected && ms <= expected + 1500,
        "the client gave up after {ms} ms in the lab, {expected} ms \
         over loopback"
    );
}
