//! daytime-client in the lab (scripts/lab, docs/src/lab.md): what it
//! says, and how long it takes to say it, for each way a connect can
//! fail. The page's "In the lab" transcripts show the words; the
//! times vary from run to run there, so they are checked here, with
//! bounds wide enough for a loaded machine and far apart enough to
//! tell the cases apart: an answer that came back (RST or ICMP) in
//! under 2.5 s, a missing host in about 3 s (the router's three ARP
//! requests, a second apart), a drop in the client's own 5 s.
//!
//! Needs root (network namespaces); without it the test is skipped
//! with a printed reason (a failure under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};
use testkit::{Cmd, Lab, Out};

const CLIENT: &str = env!("CARGO_BIN_EXE_daytime-client");

/// Run the client in alice against `target`; its output and how long
/// it took (the lab's exec adds a few milliseconds).
fn ask(lab: &Lab, target: &str) -> (Out, Duration) {
    let t = Instant::now();
    let out = Cmd::from_command(lab.exec("alice", &[CLIENT, target]))
        .timeout(Duration::from_secs(30))
        .run();
    (out, t.elapsed())
}

/// One failure: exit status 1, one `Fatal error:` line with `words`,
/// within `range` seconds.
fn fails_with(lab: &Lab, target: &str, words: &str, range: (f64, f64)) {
    let (out, took) = ask(lab, target);
    let what = format!("{target}: took {took:?}\n{}", out.describe());
    assert_eq!(out.code, Some(1), "{what}");
    assert!(out.stderr.starts_with("Fatal error: "), "{what}");
    assert_eq!(out.stderr.lines().count(), 1, "{what}");
    assert!(out.stderr.contains(words), "want {words:?}: {what}");
    let secs = took.as_secs_f64();
    assert!(
        range.0 <= secs && secs < range.1,
        "want {} s to {} s: {what}",
        range.0,
        range.1
    );
}

/// At once: an answer came back (allowing for the one retransmission
/// a second later when the first answer met a busy socket).
const AT_ONCE: (f64, f64) = (0.0, 2.5);

#[test]
fn refused_unreachable_and_timed_out_each_in_their_time() {
    let Some(lab) = Lab::up('f') else { return };
    lab.fault(&["carol", "reject", "tcp", "1200"]);
    lab.fault(&["carol", "reject", "tcp", "1201", "reset"]);
    lab.fault(&["carol", "reject", "tcp", "1202", "unreachable"]);
    lab.fault(&["carol", "drop", "tcp", "1300"]);
    let refused = "Connection refused (os error 111); nothing listens there";
    // Nothing listens on carol: her kernel's RST.
    fails_with(&lab, "carol:1400", refused, AT_ONCE);
    // The firewall's forged RST, and its ICMP "port unreachable":
    // the same words as a closed port.
    fails_with(&lab, "carol:1201", refused, AT_ONCE);
    fails_with(&lab, "carol:1202", refused, AT_ONCE);
    // ICMP "administratively prohibited": EHOSTUNREACH for IPv4...
    let no_route = "No route to host (os error 113); the host cannot be \
                    reached";
    fails_with(&lab, "carol:1200", no_route, AT_ONCE);
    // ...and EACCES for IPv6 (icmpv6_err_convert).
    fails_with(
        &lab,
        "[fd9a:d29d:f635:b::10]:1200",
        "Permission denied (os error 13); a firewall refused the connection",
        AT_ONCE,
    );
    // Nothing comes back: the client's own 5 s, not the kernel's
    // two minutes of SYN retries.
    fails_with(
        &lab,
        "carol:1300",
        "no answer to the handshake within 5 s",
        (5.0, 7.5),
    );
    // Outside the lab: the router has no route (and no default), and
    // says so with ICMP "net unreachable".
    fails_with(
        &lab,
        "192.0.2.1:1200",
        "Network is unreachable (os error 101); no route to that network",
        AT_ONCE,
    );
    // No such host on carol's LAN: the router's ARP gives up after
    // three tries a second apart, then ICMP "host unreachable".
    fails_with(&lab, "203.0.113.99:1200", no_route, (2.5, 5.0));
}

#[test]
fn a_server_bound_to_loopback_answers_its_own_host_only() {
    let Some(lab) = Lab::up('b') else { return };
    let server = testkit::Server::start_cmd(
        lab.exec("bob", &[env!("CARGO_BIN_EXE_daytime-server"), "1200"]),
        false,
    );
    assert_eq!(server.addr, "127.0.0.1:1200");
    let bob = Cmd::from_command(lab.exec("bob", &[CLIENT, "127.0.0.1:1200"]))
        .timeout(Duration::from_secs(30))
        .run();
    bob.expect_code(0);
    assert!(bob.stdout.ends_with('\n') && bob.stdout.len() > 20);
    fails_with(
        &lab,
        "bob:1200",
        "connecting to 198.51.100.20:1200: Connection refused",
        AT_ONCE,
    );
}
