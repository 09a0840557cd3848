//! What Go does with raw IP sockets, measured with go/dialip.go (a
//! small program written for these tests, not the book's listing), so
//! that every sentence of the page about Go rests on a run. Needs Go
//! (skipped with a printed reason without it), root and network
//! namespaces of our own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{Netns, copy_for_nobody, setcap_net_raw};
use std::path::PathBuf;
use testkit::TempDir;

const PING: &str = env!("CARGO_BIN_EXE_ping");

/// The Go program, when Go, root and iproute2 are here.
fn dialip() -> Option<PathBuf> {
    let bin = testkit::go_program(env!("CARGO_MANIFEST_DIR"), "dialip")?;
    let ok = testkit::need_root("raw sockets and network namespaces")
        && testkit::need_tool("ip", "network namespaces (iproute2)")
        && testkit::need_tool("setpriv", "running Go's program as nobody");
    ok.then_some(bin)
}

#[test]
fn go_reads_the_ip_header_first_and_on_loopback_its_own_request() {
    let Some(go) = dialip() else { return };
    let ns = Netns::new("go-read").up();
    let out = ns.run(go.to_str().unwrap(), &["read", "127.0.0.1"]);
    out.expect_code(0);
    let first = out.stdout.lines().next().unwrap_or("");
    // conn.Read on an "ip4:icmp" IPConn returns the whole datagram:
    // 20 bytes of IPv4 header (0x45: version 4, 5 words), then the
    // 8-byte message, and on loopback the first one is our request.
    // msg[7] is the low byte of the fragment offset, always 0 here;
    // msg[5] the low byte of the IP identification.
    let prefix = "Read: 28 bytes, byte 0 0x45, msg[5] ";
    let suffix = ", msg[7] 0, ICMP type after the IP header 8";
    let msg5 = first
        .strip_prefix(prefix)
        .and_then(|r| r.strip_suffix(suffix));
    assert!(
        msg5.is_some_and(|m| m.parse::<u8>().is_ok()),
        "{}",
        out.describe()
    );
    // ReadFrom strips the header (net/iprawsock_posix.go, readFrom
    // calls stripIPv4Header): 8 bytes, the ICMP message alone.
    let second = out.stdout.lines().nth(1).unwrap_or("");
    assert!(
        second == "ReadFrom: 8 bytes, byte 0 0"
            || second == "ReadFrom: 8 bytes, byte 0 8",
        "{}",
        out.describe()
    );
}

#[test]
fn go_dialip_needs_cap_net_raw_even_where_a_ping_socket_is_allowed() {
    let Some(go) = dialip() else { return };
    let ns = Netns::new("go-priv").up();
    // Group nobody may open ICMP datagram sockets in this namespace.
    ns.sh("sysctl -qw net.ipv4.ping_group_range='65534 65534'");
    let dir = TempDir::new("go-dialip");
    let go = copy_for_nobody(&go, &dir);
    let out = ns.run_as_nobody(&go, &["dial", "127.0.0.1"]);
    assert_eq!(
        out.stdout.trim_end(),
        "error: dial ip4:icmp 127.0.0.1: socket: operation not permitted",
        "{}",
        out.describe()
    );
    // Our ping, as nobody in the same namespace, falls back to the
    // datagram socket and gets its reply.
    let ping = copy_for_nobody(std::path::Path::new(PING), &dir);
    let out = ns.run_as_nobody(&ping, &["-c", "1", "127.0.0.1"]);
    out.expect_code(0);
    // With the capability on the binary, Go's DialIP works as nobody.
    if testkit::need_tool("setcap", "file capabilities (libcap2-bin)") {
        setcap_net_raw(&go);
        let out = ns.run_as_nobody(&go, &["dial", "127.0.0.1"]);
        assert_eq!(out.stdout.trim_end(), "ok", "{}", out.describe());
    }
}

#[test]
fn go_dialip_with_the_target_as_local_address_binds_to_it() {
    let Some(go) = dialip() else { return };
    let go = go.to_str().unwrap();
    let ns = Netns::new("go-bind").up();
    // The book passes the target as DialIP's local address too: Go
    // binds the socket to it before connecting, and the kernel refuses
    // an address this machine does not have.
    let out = ns.run(go, &["bind", "192.0.2.1", "192.0.2.1"]);
    assert_eq!(
        out.stdout.trim_end(),
        "error: dial ip4:icmp 192.0.2.1->192.0.2.1: bind: cannot assign \
         requested address",
        "{}",
        out.describe()
    );
    // The machine's own address is fine.
    let out = ns.run(go, &["bind", "127.0.0.1", "127.0.0.1"]);
    assert_eq!(out.stdout.trim_end(), "ok", "{}", out.describe());
}
