//! Check of exercise 4 on docs/src/raw-ping.md: ICMP errors about our
//! requests, and who sent them.
//!
//! Run it with `sudo scripts/exercise raw-ping 4`. It runs ping in the
//! lab (scripts/lab, docs/src/lab.md), which needs root: a lab of its
//! own, removed at the end. In it, alice's default TTL goes down to 1
//! (`net.ipv4.ip_default_ttl`, a setting of alice's namespace only), so
//! that the router answers every request with Time exceeded; and alice
//! pings 198.51.100.99, which nobody on her LAN holds, so that her own
//! kernel says "host unreachable" once ARP has given up (about 3 s).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};
use testkit::{Cmd, Lab, Out};

const PING: &str = env!("CARGO_BIN_EXE_ping");

/// `ping ARGS` in alice, as root (a raw socket), with how long it took.
fn ping_in_alice(lab: &Lab, args: &[&str]) -> (Out, Duration) {
    let mut a = vec![PING];
    a.extend_from_slice(args);
    let start = Instant::now();
    let out = Cmd::from_command(lab.exec("alice", &a))
        .timeout(Duration::from_secs(60))
        .run();
    (out, start.elapsed())
}

/// The lines that start with "From ".
fn from_lines(out: &Out) -> Vec<&str> {
    out.stdout
        .lines()
        .filter(|l| l.starts_with("From "))
        .collect()
}

/// Is `line` the error line for `seq`, from `from`? If not, the hint
/// that names what is wrong with it.
fn error_line_problem(
    line: &str,
    from: &str,
    target: &str,
    seq: u16,
    what: &str,
) -> Option<String> {
    let want = format!("From {from} icmp_seq={seq}: {what}");
    if line == want {
        return None;
    }
    if line.starts_with(&format!("From {target} ")) {
        return Some(format!(
            "the address after From is who sent the error: the IP source \
             of the ICMP message ({from}), not the target that the quoted \
             request was for ({target})"
        ));
    }
    if line.contains("icmp_seq=0:") {
        return Some(
            "icmp_seq=0: the sequence number is in our request, which the \
             error quotes after its own 8 bytes (the quoted IP header \
             first, then our ICMP header: RFC 792); bytes 4 to 7 of the \
             error itself are unused"
                .to_string(),
        );
    }
    Some(format!("the line should read exactly\n{want}"))
}

#[test]
fn the_router_says_time_exceeded() {
    let Some(lab) = Lab::up('4') else { return };
    lab.sh("alice", "sysctl -qw net.ipv4.ip_default_ttl=1")
        .expect_code(0);
    let (out, took) =
        ping_in_alice(&lab, &["-c", "3", "-i", "0.2", "-W", "3", "carol"]);
    let lines = from_lines(&out);
    assert!(
        !lines.is_empty(),
        "hint: with TTL 1, the router (198.51.100.1) drops each request \
         and sends alice ICMP Time exceeded, but ping printed no `From \
         198.51.100.1 icmp_seq=N: ...` line. The message comes from the \
         router, not from carol, and a raw socket that is connected to \
         carol gets only packets from carol (Linux's raw_v4_match): \
         don't connect the raw socket; send each request with send_to, \
         and check yourself that a reply comes from the target\n{}",
        out.describe()
    );
    for (i, line) in lines.iter().enumerate() {
        let seq = i as u16 + 1;
        if let Some(problem) = error_line_problem(
            line,
            "198.51.100.1",
            "203.0.113.10",
            seq,
            "time exceeded (ICMP type 11, code 0)",
        ) {
            panic!("hint: for request {seq}, {problem}\n{}", out.describe());
        }
    }
    assert_eq!(
        lines.len(),
        3,
        "hint: three requests, three Time exceeded: one `From` line for \
         each\n{}",
        out.describe()
    );
    assert!(
        !out.stdout.contains("no reply for"),
        "hint: a request that got an error has its answer: print the \
         error line instead of `no reply for ...`\n{}",
        out.describe()
    );
    assert!(
        took < Duration::from_secs(3),
        "hint: the errors come at once, yet three requests took {took:?} \
         with -W 3: go on to the next request as soon as the error about \
         this one arrives, instead of waiting out -W\n{}",
        out.describe()
    );
    assert!(
        out.stdout
            .contains("3 packets transmitted, 0 received, 100% packet loss"),
        "hint: a request answered by an error is still lost: the summary \
         counts no reply\n{}",
        out.describe()
    );
    assert_eq!(
        out.code,
        Some(1),
        "hint: no reply at all: exit status 1, as before\n{}",
        out.describe()
    );

    // Back to TTL 64: carol's replies must still count.
    lab.sh("alice", "sysctl -qw net.ipv4.ip_default_ttl=64")
        .expect_code(0);
    let (out, _) = ping_in_alice(&lab, &["-c", "2", "-i", "0.2", "carol"]);
    let replies = out
        .stdout
        .lines()
        .filter(|l| l.starts_with("64 bytes from 203.0.113.10: icmp_seq="))
        .count();
    assert!(
        replies == 2 && out.code == Some(0),
        "hint: with TTL 64, `ping -c 2 carol` in alice should get both \
         replies (ttl=63, across the router) and exit 0\n{}",
        out.describe()
    );
}

#[test]
fn nobody_there_is_host_unreachable() {
    let Some(lab) = Lab::up('5') else { return };
    let (out, _) =
        ping_in_alice(&lab, &["-c", "1", "-W", "5", "198.51.100.99"]);
    let lines = from_lines(&out);
    let problem = match lines.as_slice() {
        [] => Some(
            "ping printed no `From` line. After three ARP requests with no \
             answer, alice's own kernel sends her ICMP Destination \
             unreachable, code 1 (host unreachable), from 198.51.100.10: \
             not from the target, so a connected raw socket never gets it"
                .to_string(),
        ),
        [line] => error_line_problem(
            line,
            "198.51.100.10",
            "198.51.100.99",
            1,
            "destination unreachable (ICMP type 3, code 1)",
        ),
        _ => Some("one request, one error: one `From` line".to_string()),
    };
    if let Some(problem) = problem {
        panic!(
            "hint: `ping -c 1 -W 5 198.51.100.99` in alice: {problem}\n{}",
            out.describe()
        );
    }
    assert_eq!(
        out.code,
        Some(1),
        "hint: no reply: exit 1\n{}",
        out.describe()
    );
}
