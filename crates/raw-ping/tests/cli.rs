//! Black-box tests of `ping`: bad input without privilege, and, as
//! root, real pings of the kernel's ICMP echo on 127.0.0.1.
//!
//! Everything that needs a quiet or a special network runs in a
//! network namespace the test creates (`ip netns add`) and deletes on
//! drop: its own loopback, its own sysctls, its own /proc/net/snmp,
//! and no traffic from other tests. Nothing leaves loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{NOBODY, Netns, copy_for_nobody, setcap_net_raw};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use testkit::{Cmd, Out, TempDir};

const PING: &str = env!("CARGO_BIN_EXE_ping");

const USAGE: &str = concat!(
    "Usage: ping [-c count] [-i interval] [-W timeout] [-v] ",
    "[--book-checksum] host"
);

fn ping(args: &[&str]) -> Out {
    Cmd::new(PING).args(args).run()
}

/// Exit 1 and exactly one line on stderr, containing `needle`.
fn fails_with(out: &Out, needle: &str) {
    out.expect_code(1);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "want one stderr line\n{}", out.describe());
    assert!(
        lines[0].contains(needle),
        "want {needle:?}\n{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------
// Bad input: checked before any socket is opened, so no root needed.

#[test]
fn no_host_prints_usage() {
    let out = ping(&[]);
    fails_with(&out, USAGE);
    assert_eq!(out.stderr.trim_end(), USAGE);
    assert!(out.stdout.is_empty());
}

#[test]
fn two_hosts_print_usage() {
    fails_with(&ping(&["127.0.0.1", "127.0.0.2"]), USAGE);
}

#[test]
fn empty_host_prints_usage() {
    fails_with(&ping(&[""]), USAGE);
}

#[test]
fn help_is_the_usage_on_stdout() {
    let out = ping(&["--help"]);
    out.expect_code(0);
    assert_eq!(out.stdout.trim_end(), USAGE);
}

#[test]
fn bad_count() {
    fails_with(
        &ping(&["-c", "0", "127.0.0.1"]),
        "ping: -c wants a whole number of requests, at least 1, not \"0\"",
    );
    fails_with(&ping(&["-c", "many", "127.0.0.1"]), "not \"many\"");
}

#[test]
fn bad_seconds() {
    fails_with(
        &ping(&["-W", "0", "127.0.0.1"]),
        "ping: -W wants a number of seconds from 0.001 to 3600, not \"0\"",
    );
    fails_with(&ping(&["-i", "soon", "127.0.0.1"]), "ping: -i wants");
}

#[test]
fn option_without_value() {
    fails_with(&ping(&["127.0.0.1", "-c"]), "ping: -c needs a value");
}

#[test]
fn unknown_option() {
    fails_with(
        &ping(&["-x", "127.0.0.1"]),
        "ping: unknown option -x (try ping --help)",
    );
    fails_with(
        &ping(&["--bogus", "127.0.0.1"]),
        "ping: unknown option --bogus (try ping --help)",
    );
    fails_with(
        &ping(&["--verbose=yes", "127.0.0.1"]),
        "ping: --verbose takes no value",
    );
}

#[test]
fn values_that_would_overflow_a_duration_are_refused() {
    for v in ["1e20", "inf", "NaN", "-1"] {
        fails_with(&ping(&["-W", v, "127.0.0.1"]), "ping: -W wants");
        fails_with(&ping(&["-i", v, "127.0.0.1"]), "ping: -i wants");
    }
    fails_with(&ping(&["-c", "99999999999", "127.0.0.1"]), "ping: -c wants");
}

#[test]
fn a_host_that_is_not_utf8_is_one_line() {
    use std::os::unix::ffi::OsStrExt;
    let out = Cmd::new(PING)
        .args([std::ffi::OsStr::from_bytes(b"\xff")])
        .run();
    fails_with(&out, "ping: argument \"\\xff\" is not valid UTF-8 text");
}

#[test]
fn unknown_host_is_a_resolution_error() {
    // .invalid never resolves (RFC 6761); no DNS server is needed to
    // learn that on these machines, and the answer comes fast.
    let out = ping(&["nosuch.invalid"]);
    fails_with(&out, "Resolution error: lookup nosuch.invalid: ");
}

#[test]
fn ipv6_address_is_refused() {
    fails_with(
        &ping(&["::1"]),
        "Resolution error: ::1 has no IPv4 address \
         (this ping speaks ICMP over IPv4)",
    );
}

// ---------------------------------------------------------------------
// Privileged: the host's loopback.

fn root() -> bool {
    testkit::need_root("raw ICMP sockets need root or CAP_NET_RAW")
}

/// `64 bytes from 127.0.0.1: icmp_seq=S ttl=T time=X ms` -> (S, T, X).
fn reply_line(line: &str) -> Option<(u16, Option<u8>, f64)> {
    let rest = line.strip_prefix("64 bytes from 127.0.0.1: icmp_seq=")?;
    let rest = rest.strip_suffix(" ms")?;
    let (seq, rest) = rest.split_once(' ')?;
    let (ttl, time) = match rest.strip_prefix("ttl=") {
        Some(r) => {
            let (ttl, time) = r.split_once(' ')?;
            (Some(ttl.parse().ok()?), time)
        }
        None => (None, rest),
    };
    Some((
        seq.parse().ok()?,
        ttl,
        time.strip_prefix("time=")?.parse().ok()?,
    ))
}

#[test]
fn pings_127_0_0_1() {
    if !root() {
        return;
    }
    let out = ping(&["-c", "3", "-i", "0.1", "127.0.0.1"]);
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], "PING 127.0.0.1 (127.0.0.1) 56(84) bytes of data.");
    let replies: Vec<_> = lines.iter().filter_map(|l| reply_line(l)).collect();
    let seqs: Vec<u16> = replies.iter().map(|r| r.0).collect();
    assert_eq!(seqs, [1, 2, 3], "{}", out.describe());
    // Linux answers with its default TTL (net.ipv4.ip_default_ttl).
    let ttl: u8 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_default_ttl")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert!(
        replies.iter().all(|r| r.1 == Some(ttl)),
        "{}",
        out.describe()
    );
    assert!(lines.contains(&"--- 127.0.0.1 ping statistics ---"));
    assert!(
        lines.contains(&"3 packets transmitted, 3 received, 0% packet loss")
    );
    // The rtt line must agree with the reply lines.
    let times: Vec<f64> = replies.iter().map(|r| r.2).collect();
    let min = times.iter().cloned().fold(f64::MAX, f64::min);
    let max = times.iter().cloned().fold(0.0, f64::max);
    let rtt = lines.last().unwrap();
    let nums = rtt.strip_prefix("rtt min/avg/max = ").unwrap();
    let nums: Vec<f64> = nums
        .trim_end_matches(" ms")
        .split('/')
        .map(|n| n.parse().unwrap())
        .collect();
    assert!(
        (nums[0] - min).abs() < 0.0011 && (nums[2] - max).abs() < 0.0011,
        "{rtt}"
    );
    assert!(nums[0] <= nums[1] && nums[1] <= nums[2], "{rtt}");
}

#[test]
fn interval_spaces_the_requests() {
    if !root() {
        return;
    }
    let start = Instant::now();
    ping(&["-c", "3", "-i", "0.3", "localhost"]).expect_code(0);
    // Two gaps of 0.3 s between three requests; replies on loopback
    // come back in well under a millisecond.
    let took = start.elapsed();
    assert!(took >= Duration::from_millis(600), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

// ---------------------------------------------------------------------
// Privileged: namespaces of our own.

/// A namespace of our own, when this machine can make one: root and
/// iproute2 (skipped with a printed reason otherwise).
fn netns() -> Option<Netns> {
    if !root() || !testkit::need_tool("ip", "network namespaces (iproute2)") {
        return None;
    }
    Some(Netns::new("ping"))
}

/// setpriv is what turns root into nobody.
fn can_be_nobody() -> bool {
    testkit::need_tool("setpriv", "running ping as nobody (util-linux)")
}

trait Ping {
    fn ping(&self, args: &[&str]) -> Out;
}

impl Ping for Netns {
    fn ping(&self, args: &[&str]) -> Out {
        self.run(PING, args)
    }
}

#[test]
fn own_request_is_read_first_and_skipped() {
    let Some(ns) = netns() else { return };
    let ns = ns.up();
    // Alone in the namespace, a raw socket reads exactly two messages
    // per ping of 127.0.0.1: our request coming in through loopback,
    // then the kernel's reply.
    let out = ns.ping(&["-v", "-c", "2", "-i", "0.05", "127.0.0.1"]);
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[1].starts_with("ping: raw ICMP socket, identifier "));
    for (i, seq) in [(2usize, 1u16), (4, 2)] {
        assert!(
            lines[i].starts_with(
                "ignored 64 bytes from 127.0.0.1 ttl=64 icmp_seq="
            ) && lines[i].ends_with(": our own echo request"),
            "{}",
            out.describe()
        );
        assert_eq!(
            reply_line(lines[i + 1]).map(|r| r.0),
            Some(seq),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn silent_target_times_out() {
    let Some(ns) = netns() else { return };
    let ns = ns.up();
    // The kernel of this namespace no longer answers echo requests.
    ns.sh("sysctl -qw net.ipv4.icmp_echo_ignore_all=1");
    let start = Instant::now();
    let out = ns.ping(&["-c", "2", "-i", "0.1", "-W", "0.3", "127.0.0.1"]);
    let took = start.elapsed();
    fails_with(
        &out,
        "Fatal error: timed out: 127.0.0.1 answered none of 2 request(s) \
         in 0.3 s each",
    );
    assert!(
        out.stdout
            .contains("no reply for icmp_seq=1 within 0.3 s\n")
    );
    assert!(
        out.stdout
            .contains("no reply for icmp_seq=2 within 0.3 s\n")
    );
    assert!(
        out.stdout
            .contains("2 packets transmitted, 0 received, 100% packet loss")
    );
    assert!(!out.stdout.contains("rtt"), "{}", out.describe());
    assert!(took >= Duration::from_millis(600), "{took:?}");
    assert!(took < Duration::from_secs(5), "{took:?}");
}

#[test]
fn partial_loss_still_exits_0() {
    let Some(ns) = netns() else { return };
    let ns = ns.up();
    // Start `ping -c 2 -i 1`, and as soon as the first reply is printed
    // make the namespace's kernel stop answering: the second request,
    // a second later, goes unanswered.
    let mut child = Command::new("ip")
        .args([
            "netns", "exec", &ns.0, PING, "-c", "2", "-i", "1", "-W", "0.5",
        ])
        .arg("127.0.0.1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let _ = tx.send(line.unwrap_or_default());
        }
    });
    let mut seen = Vec::new();
    let mut switched = false;
    // Every wait is bounded; the channel closes when ping exits.
    while let Ok(line) = rx.recv_timeout(testkit::WAIT) {
        if !switched && reply_line(&line).map(|r| r.0) == Some(1) {
            ns.sh("sysctl -qw net.ipv4.icmp_echo_ignore_all=1");
            switched = true;
        }
        seen.push(line);
    }
    let _ = child.kill();
    let status = child.wait().unwrap();
    let all = seen.join("\n");
    assert!(switched, "no reply to icmp_seq=1:\n{all}");
    assert!(
        all.contains("no reply for icmp_seq=2 within 0.5 s"),
        "{all}"
    );
    assert!(
        all.contains("2 packets transmitted, 1 received, 50% packet loss"),
        "{all}"
    );
    assert!(all.contains("rtt min/avg/max = "), "{all}");
    // ping(8)'s rule: some reply came back, so the exit status is 0.
    assert_eq!(status.code(), Some(0), "{all}");
}

#[test]
fn unreachable_network_is_fatal() {
    let Some(ns) = netns() else { return };
    // Loopback is still down: no route at all.
    let out = ns.ping(&["127.0.0.1"]);
    fails_with(
        &out,
        "Fatal error: connecting to 127.0.0.1: Network is unreachable",
    );
    let ns = ns.up();
    ns.sh("ip route add unreachable 192.0.2.0/24");
    fails_with(
        &ns.ping(&["192.0.2.1"]),
        "Fatal error: connecting to 192.0.2.1: No route to host",
    );
    // Permission denied, as root: not a privilege problem.
    ns.sh("ip route add prohibit 198.51.100.0/24");
    for target in ["198.51.100.1", "127.255.255.255"] {
        fails_with(
            &ns.ping(&[target]),
            &format!(
                "Fatal error: connecting to {target} (a broadcast \
                 address, or a prohibit route): Permission denied"
            ),
        );
    }
}

#[test]
fn book_checksum_is_dropped_and_counted() {
    let Some(ns) = netns() else { return };
    let ns = ns.up();
    let before = ns.icmp_counter("InCsumErrors");
    let out = ns.ping(&["-v", "--book-checksum", "-W", "0.3", "127.0.0.1"]);
    fails_with(&out, "Fatal error: timed out");
    // Our raw socket still sees the request (raw sockets get it before
    // the ICMP code checks it), and flags it.
    assert!(
        out.stdout.contains(": bad ICMP checksum\n"),
        "{}",
        out.describe()
    );
    assert_eq!(ns.icmp_counter("InCsumErrors"), before + 1);
    // With the right checksum the counter stays put.
    ns.ping(&["127.0.0.1"]).expect_code(0);
    assert_eq!(ns.icmp_counter("InCsumErrors"), before + 1);
}

#[test]
fn unprivileged_without_ping_group_range_explains_the_fixes() {
    let Some(ns) = netns() else { return };
    let ns = ns.up();
    if !can_be_nobody() {
        return;
    }
    // "1 0" (an empty range) is the kernel's default; set it anyway,
    // since some distributions widen it at boot.
    ns.sh("sysctl -qw net.ipv4.ping_group_range='1 0'");
    let dir = TempDir::new("ping-nobody");
    let exe = copy_for_nobody(Path::new(PING), &dir);
    let out = ns.run_as_nobody(&exe, &["127.0.0.1"]);
    fails_with(&out, "Fatal error: opening an ICMP socket: ");
    for needle in [
        "CAP_NET_RAW",
        "Operation not permitted",
        "none of your groups (effective group 65534) is in \
         net.ipv4.ping_group_range (1 0)",
        &format!("sudo setcap cap_net_raw+ep {exe}"),
        "sudo sysctl -w net.ipv4.ping_group_range=\"65534 65534\"",
    ] {
        assert!(out.stderr.contains(needle), "{needle}\n{}", out.describe());
    }
    assert!(out.stdout.is_empty(), "{}", out.describe());
}

#[test]
fn unprivileged_datagram_socket_when_the_group_is_allowed() {
    let Some(ns) = netns() else { return };
    let ns = ns.up();
    if !can_be_nobody() {
        return;
    }
    ns.sh("sysctl -qw net.ipv4.ping_group_range='65534 65534'");
    let dir = TempDir::new("ping-dgram");
    let exe = copy_for_nobody(Path::new(PING), &dir);
    let out =
        ns.run_as_nobody(&exe, &["-v", "-c", "2", "-i", "0.05", "127.0.0.1"]);
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    // No IP header on a datagram socket, so no ttl; and the kernel
    // delivers only our replies, so -v has nothing to report.
    assert_eq!(reply_line(lines[2]).map(|r| (r.0, r.1)), Some((1, None)));
    assert_eq!(reply_line(lines[3]).map(|r| (r.0, r.1)), Some((2, None)));
    // The kernel chose the identifier: it is the socket's "port".
    let id = lines[1].strip_prefix("ping: datagram ICMP socket, identifier ");
    assert!(
        id.is_some_and(|id| id.parse::<u16>().is_ok()),
        "{}",
        out.describe()
    );
    assert!(!out.stdout.contains("ignored"), "{}", out.describe());
    // --book-checksum cannot hurt here: the kernel checksums.
    let out = ns.run_as_nobody(&exe, &["--book-checksum", "127.0.0.1"]);
    out.expect_code(0);
    assert!(out.stderr.contains("--book-checksum does nothing here"));
}

#[test]
fn setcap_fix_from_the_message_works() {
    if !root()
        || !testkit::need_tool("setcap", "file capabilities (libcap2-bin)")
    {
        return;
    }
    if !can_be_nobody() {
        return;
    }
    // The first fix the privilege message offers: give a copy of the
    // binary CAP_NET_RAW, then run it as nobody. It gets a raw socket
    // (the reply line has a ttl, which a datagram socket cannot give).
    let dir = TempDir::new("ping-setcap");
    let copy = copy_for_nobody(Path::new(PING), &dir);
    setcap_net_raw(&copy);
    let out = Cmd::new(NOBODY[0])
        .args(&NOBODY[1..])
        .args([&copy])
        .args(["-c", "1", "127.0.0.1"])
        .run();
    out.expect_code(0);
    let reply = out.stdout.lines().find_map(reply_line);
    assert!(matches!(reply, Some((1, Some(_), _))), "{}", out.describe());
}

#[test]
fn identifier_is_the_process_id() {
    if !root() {
        return;
    }
    // As ping(8): the identifier is the pid cut to 16 bits, so that two
    // pings at once tell their replies apart. ping ends by itself
    // (one request, one-second timeout), so waiting for it is bounded.
    let child = Command::new(PING)
        .args(["-v", "127.0.0.1"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let want = format!("ping: raw ICMP socket, identifier {}", pid as u16);
    assert!(stdout.lines().any(|l| l == want), "want {want}\n{stdout}");
}

/// Run ping with its stdout a pipe whose reader is already gone, as in
/// `ping ... | head -1` after head has exited.
fn ping_into_closed_pipe(args: &[&str]) -> std::process::Output {
    let writer = common::closed_pipe();
    Command::new(PING)
        .args(args)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::piped())
        .output()
        .unwrap()
}

#[test]
fn a_closed_stdout_ends_ping_quietly_with_141() {
    let out = ping_into_closed_pipe(&["--help"]);
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
    if !root() {
        return;
    }
    // The first line (PING ...) cannot be written: ping stops there,
    // without a panic and without a word on stderr.
    let out = ping_into_closed_pipe(&["-c", "3", "127.0.0.1"]);
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}
