//! Check for exercise 4 of docs/src/daytime.md: daytime-client tries
//! each address of a name in turn, as Go's dialSerial does: on to the
//! next at once after a refusal, after its equal share of the 5 s on
//! silence, and the first address's error when all of them fail.
//! Run it with `scripts/exercise daytime 4`, as root: it builds a lab
//! (scripts/lab) in which `carol` has an IPv4 and an IPv6 address.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};
use testkit::{Cmd, Lab, Out, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_daytime-client");

/// A lab, or a failure that says why there is none: a check never
/// passes what it could not run.
fn lab(tag: char) -> Lab {
    Lab::up(tag).unwrap_or_else(|| {
        panic!(
            "NOT CHECKED: this check builds a lab of network namespaces, \
             which needs root (docs/src/setup.md, running the tests as \
             root)"
        )
    })
}

/// `daytime-server ADDRESS` on carol.
fn serve_on_carol(lab: &Lab, addr: &str) -> Server {
    Server::start_cmd(lab.exec("carol", &[SERVER, addr]), false)
}

/// The client in alice for `target`; what it did and how long it took.
fn ask(lab: &Lab, target: &str) -> (Out, f64) {
    let t = Instant::now();
    let out = Cmd::from_command(lab.exec("alice", &[CLIENT, target]))
        .timeout(Duration::from_secs(30))
        .run();
    (out, t.elapsed().as_secs_f64())
}

fn describe(target: &str, out: &Out, took: f64) -> String {
    format!(
        "`daytime-client {target}` took {took:.1} s and exited with {:?}:\n\
         {}{}",
        out.code,
        out.stdout,
        out.stderr.trim_end()
    )
}

#[test]
fn a_refused_address_is_followed_by_the_next() {
    let lab = lab('r');
    // carol's server listens on her IPv6 address only: her IPv4 one,
    // tried first, refuses.
    let _server = serve_on_carol(&lab, "[fd9a:d29d:f635:b::10]:1200");
    let (out, took) = ask(&lab, "carol:1200");
    let what = describe("carol:1200", &out, took);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `carol` has two addresses (an IPv4 and an IPv6 one), and \
         only the IPv6 one has a server. The IPv4 one refused, at once; \
         try the next address instead of giving up.\n{what}"
    );
    assert!(
        took < 2.5,
        "hint: a refusal is an answer: go on to the next address at once\n\
         {what}"
    );
}

#[test]
fn a_silent_address_gets_an_equal_share_of_the_time() {
    let lab = lab('s');
    // A firewall inside carol that drops IPv4 to port 1300, and says
    // nothing; IPv6 gets through to the server.
    let nft = lab.sh(
        "carol",
        "nft add table ip check4 && nft add chain ip check4 input \
         '{ type filter hook input priority 0; }' && nft add rule ip \
         check4 input tcp dport 1300 drop",
    );
    nft.expect_code(0);
    let _server = serve_on_carol(&lab, "[::]:1300");
    let (out, took) = ask(&lab, "carol:1300");
    let what = describe("carol:1300", &out, took);
    assert_eq!(
        out.code,
        Some(0),
        "hint: carol's IPv4 address says nothing (a firewall drops it), \
         her IPv6 one answers. When the first address's share of the time \
         runs out, try the next with what is left.\n{what}"
    );
    assert!(
        took < 4.6,
        "hint: the silent first address had (nearly) the whole 5 s. Give \
         each address an equal share of the time left: 2.5 s each for \
         two, as Go's partialDeadline does.\n{what}"
    );
    assert!(
        took >= 2.3,
        "hint: the first address was given up too soon: its equal share \
         of 5 s, with two addresses, is 2.5 s\n{what}"
    );
}

#[test]
fn when_all_are_silent_the_whole_wait_is_still_5_s() {
    let lab = lab('a');
    lab.fault(&["carol", "drop", "tcp", "1300"]);
    let (out, took) = ask(&lab, "carol:1300");
    let what = describe("carol:1300", &out, took);
    assert!(
        took < 7.5,
        "hint: both addresses are silent, and the client waited more than \
         5 s in all: the 5 s are for the whole connect, shared between \
         the addresses, not 5 s for each\n{what}"
    );
    assert!(
        took >= 4.9,
        "hint: both addresses are silent: the client should wait the whole \
         5 s (in shares) before it gives up\n{what}"
    );
    assert_eq!(out.code, Some(1), "{what}");
    assert!(
        out.stderr.starts_with(
            "Fatal error: connecting to 203.0.113.10:1300: no answer to \
             the handshake within 5 s"
        ) && out.stderr.lines().count() == 1,
        "hint: when every address fails, report the first address's \
         error, as Go's dialSerial does (the first one tried, IPv4 here, \
         is the most relevant), in one line, and the whole wait (5 s)\n\
         {what}"
    );
}

#[test]
fn when_all_refuse_the_first_address_s_error_is_reported() {
    let lab = lab('f');
    let (out, took) = ask(&lab, "carol:1400");
    let what = describe("carol:1400", &out, took);
    assert_eq!(out.code, Some(1), "{what}");
    assert!(
        out.stderr.starts_with(
            "Fatal error: connecting to 203.0.113.10:1400: Connection refused"
        ) && out.stderr.lines().count() == 1,
        "hint: when every address fails, report the first address's \
         error, as Go's dialSerial does (the first one tried, IPv4 here, \
         is the most relevant), in one line\n{what}"
    );
    assert!(took < 2.5, "hint: two refusals take no time\n{what}");
}
