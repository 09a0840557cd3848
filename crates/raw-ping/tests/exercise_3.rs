//! Check of exercise 3 on docs/src/raw-ping.md: `--show-ip`.
//!
//! Run it with `scripts/exercise raw-ping 3`. The header lines need a
//! raw socket (root, or CAP_NET_RAW on the binary); the datagram case
//! needs a datagram socket: as root the check makes a network namespace
//! where nobody may open one, otherwise it runs a copy of the binary
//! (a copy has no capability) and needs your group inside
//! net.ipv4.ping_group_range. It says what is missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{Netns, Socket};
use std::path::Path;
use testkit::{Cmd, Out, TempDir};

const PING: &str = env!("CARGO_BIN_EXE_ping");

fn ping(args: &[&str]) -> Out {
    Cmd::new(PING).args(args).run()
}

/// What is wrong with `line` as the header of a default-size echo
/// reply from 127.0.0.1, if anything:
/// `IP header: length 20, tos 0x00, total length 84, id N, ttl 64,
/// protocol 1, from 127.0.0.1 to 127.0.0.1`.
fn header_line_problem(line: &str, ttl: u8) -> Option<String> {
    let Some(rest) = line.strip_prefix("IP header: ") else {
        return Some(format!(
            "after each reply line, print `IP header: ...` as the page \
             shows; got {line:?}"
        ));
    };
    let fields: Vec<&str> = rest.split(", ").collect();
    let want = [
        (
            "length ",
            "20",
            "length is the header's, in bytes (IHL x 4)",
        ),
        (
            "tos ",
            "0x00",
            "tos is the old type-of-service byte, in hex",
        ),
        (
            "total length ",
            "84",
            "total length is the whole datagram, header included (84)",
        ),
        ("id ", "", "id is the IP identification, a number"),
        ("ttl ", "", "ttl is the reply's time to live"),
        (
            "protocol ",
            "1",
            "protocol is the IP protocol number (1, ICMP)",
        ),
        (
            "from ",
            "127.0.0.1 to 127.0.0.1",
            "end with the source and the destination",
        ),
    ];
    if fields.len() != want.len() {
        return Some(format!(
            "the header line has {} comma-separated fields, the page's \
             has {}; got {line:?}",
            fields.len(),
            want.len()
        ));
    }
    for (got, (name, value, why)) in fields.iter().zip(want) {
        let Some(v) = got.strip_prefix(name) else {
            return Some(format!("{why}: want `{name}...`, got {got:?}"));
        };
        let ok = match name {
            "id " => v.parse::<u16>().is_ok(),
            "ttl " => v == ttl.to_string(),
            _ => v == value,
        };
        if !ok {
            return Some(format!("{why}; got {got:?} in {line:?}"));
        }
    }
    None
}

/// The kernel's default TTL, which its echo replies carry.
fn default_ttl() -> u8 {
    std::fs::read_to_string("/proc/sys/net/ipv4/ip_default_ttl")
        .unwrap()
        .trim()
        .parse()
        .unwrap()
}

#[test]
fn header_after_each_reply() {
    common::need_raw_socket(PING, "the reply's IP header");
    let out = ping(&["--show-ip", "-c", "2", "-i", "0.05", "127.0.0.1"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ping --show-ip -c 2 127.0.0.1` should work; add the option \
         to parse_args\n{}",
        out.describe()
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    let mut replies = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("64 bytes from 127.0.0.1: icmp_seq=") {
            replies += 1;
            let next = lines.get(i + 1).copied().unwrap_or("");
            if let Some(p) = header_line_problem(next, default_ttl()) {
                panic!("hint: {p}\n{}", out.describe());
            }
        }
    }
    assert_eq!(replies, 2, "{}", out.describe());
    let headers = lines.iter().filter(|l| l.starts_with("IP header")).count();
    assert_eq!(
        headers,
        2,
        "hint: one header line after each reply line, nowhere else\n{}",
        out.describe()
    );
}

#[test]
fn no_header_lines_without_the_option() {
    common::ping_socket(PING);
    // The option must exist (this fails on the unmodified crate).
    let out = ping(&["--show-ip", "--help"]);
    assert!(
        out.code == Some(0) && !out.stderr.contains("unknown option"),
        "hint: --show-ip is not an option yet\n{}",
        out.describe()
    );
    let out = ping(&["-c", "1", "127.0.0.1"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        !out.stdout.contains("IP header"),
        "hint: print the header only with --show-ip\n{}",
        out.describe()
    );
}

/// Run `ping --show-ip -c 1 127.0.0.1` on a datagram socket.
fn on_a_datagram_socket() -> Out {
    let args = ["--show-ip", "-c", "1", "127.0.0.1"];
    let dir = TempDir::new("ping-ex3");
    // A copy: no capability, whatever the build's binary has.
    let exe = common::copy_for_nobody(Path::new(PING), &dir);
    if testkit::is_root() {
        // A namespace where group nobody may open ICMP datagram
        // sockets, and ping run there as nobody.
        assert!(
            testkit::need_tool("ip", "network namespaces (iproute2)")
                && testkit::need_tool("setpriv", "running ping as nobody")
        );
        let ns = Netns::new("ping-ex3").up();
        ns.sh("sysctl -qw net.ipv4.ping_group_range='65534 65534'");
        return ns.run_as_nobody(&exe, &args);
    }
    match common::probe(&exe) {
        Some(Socket::Datagram) => {}
        Some(Socket::Raw) => panic!(
            "NOT CHECKED: the datagram case: even a copy of ping opens a \
             raw socket here (does this user have CAP_NET_RAW?); run the \
             check as root, or as a user without it"
        ),
        None => panic!(
            "NOT CHECKED: the datagram case needs your group inside \
             net.ipv4.ping_group_range: sudo sysctl -w \
             net.ipv4.ping_group_range=\"GID GID\" (your group id, `id -g`), \
             or run the check as root"
        ),
    }
    Cmd::new(&exe).args(args).run()
}

#[test]
fn datagram_socket_has_no_header_to_show() {
    let out = on_a_datagram_socket();
    assert_eq!(
        out.code,
        Some(0),
        "hint: --show-ip must work on the unprivileged datagram socket \
         too\n{}",
        out.describe()
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines.get(2).copied(),
        Some("IP header: not available on a datagram socket"),
        "hint: on a datagram socket (an unprivileged ping) there is no IP \
         header to read; say so after the reply line, as the page shows\n{}",
        out.describe()
    );
}
