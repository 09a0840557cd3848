//! Check of exercise 3 on docs/src/raw-ping.md: `--show-ip`.
//!
//! Run it with `scripts/exercise raw-ping 3` (as root: it pings, and
//! it makes a network namespace to try the datagram socket).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use testkit::{Cmd, Out, TempDir};

const PING: &str = env!("CARGO_BIN_EXE_ping");

fn ping(args: &[&str]) -> Out {
    Cmd::new(PING).args(args).run()
}

fn need_root() {
    assert!(
        testkit::is_root(),
        "hint: this check sends real pings, so it must run as root: \
         sudo env \"PATH=$PATH\" CARGO_TARGET_DIR=/tmp/netprog-root scripts/exercise raw-ping 3"
    );
}

/// Does `line` read `IP header: length 20, tos 0x00, total length
/// {total}, id N, ttl 64, protocol 1, from 127.0.0.1 to 127.0.0.1`?
fn header_line_ok(line: &str, total: usize) -> bool {
    let head =
        format!("IP header: length 20, tos 0x00, total length {total}, id ");
    let tail = ", ttl 64, protocol 1, from 127.0.0.1 to 127.0.0.1";
    line.strip_prefix(&head)
        .and_then(|r| r.strip_suffix(tail))
        .is_some_and(|id| id.parse::<u16>().is_ok())
}

#[test]
fn header_after_each_reply() {
    need_root();
    let out = ping(&["--show-ip", "-c", "2", "-i", "0.05", "127.0.0.1"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ping --show-ip -c 2 127.0.0.1` should work; add the option to parse_args\n{}",
        out.describe()
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    let mut replies = 0;
    for (i, l) in lines.iter().enumerate() {
        if l.starts_with("64 bytes from 127.0.0.1: icmp_seq=") {
            replies += 1;
            let next = lines.get(i + 1).copied().unwrap_or("");
            assert!(
                header_line_ok(next, 84),
                "hint: after each reply line, print the reply's IPv4 header as the page \
                 shows; got {next:?}\n{}",
                out.describe()
            );
        }
    }
    assert_eq!(replies, 2, "{}", out.describe());
}

#[test]
fn no_header_lines_without_the_option() {
    need_root();
    let out = ping(&["-c", "1", "127.0.0.1"]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        !out.stdout.contains("IP header"),
        "hint: print the header only with --show-ip\n{}",
        out.describe()
    );
    // And the option must exist (this fails on the unmodified crate).
    let out = ping(&["--show-ip", "--help"]);
    assert!(
        !out.stderr.contains("unknown option"),
        "hint: --show-ip is not an option yet"
    );
}

/// A network namespace for the datagram-socket case, deleted on drop.
struct Netns(String);

impl Netns {
    fn new() -> Netns {
        let name = format!("netprog-ping-ex3-{}", std::process::id());
        let _ = Cmd::new("ip").args(["netns", "del", &name]).run();
        Cmd::new("ip")
            .args(["netns", "add", &name])
            .run()
            .expect_code(0);
        let ns = Netns(name);
        // Loopback up; group 65534 may open ICMP datagram sockets.
        Cmd::new("ip")
            .args(["netns", "exec", &ns.0, "sh", "-ec"])
            .args(["ip link set lo up; sysctl -qw net.ipv4.ping_group_range='65534 65534'"])
            .run()
            .expect_code(0);
        ns
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Cmd::new("ip").args(["netns", "del", &self.0]).run();
    }
}

#[test]
fn datagram_socket_has_no_header_to_show() {
    need_root();
    assert!(
        testkit::need_tool("ip", "network namespaces")
            && testkit::need_tool("setpriv", "nobody"),
        "this check needs ip (iproute2) and setpriv (util-linux)"
    );
    let ns = Netns::new();
    // A copy of the binary that user nobody may run.
    let dir = TempDir::new("ping-ex3");
    let exe = dir.path().join("ping");
    std::fs::copy(PING, &exe).unwrap();
    std::fs::set_permissions(
        dir.path(),
        std::fs::Permissions::from_mode(0o755),
    )
    .unwrap();
    std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755))
        .unwrap();
    let out = Cmd::new("ip")
        .args(["netns", "exec", &ns.0])
        .args([
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
        ])
        .args([&exe])
        .args(["--show-ip", "-c", "1", "127.0.0.1"])
        .run();
    assert_eq!(
        out.code,
        Some(0),
        "hint: --show-ip must work on the unprivileged datagram socket too\n{}",
        out.describe()
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines.get(2).copied(),
        Some("IP header: not available on a datagram socket"),
        "hint: as an unprivileged user ping reads no IP header; say so after the \
         reply line\n{}",
        out.describe()
    );
}
