//! Check for exercise 3 of docs/src/udp-daytime.md: `udp-send --probe
//! HOST:PORT` finds the largest UDP payload that reaches HOST:PORT
//! unfragmented and prints `largest datagram: N bytes (path MTU M)`.
//! Run it with `scripts/exercise udp-daytime 3`, as root: it builds
//! labs (scripts/lab) with a small MTU on carol's cable.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::check_lab;
use std::time::Duration;
use testkit::{Cmd, Lab, Out, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_udp-daytime-server");
const SEND: &str = env!("CARGO_BIN_EXE_udp-send");

/// A lab whose cable to carol carries `mtu` bytes, with the daytime
/// server on carol (IPv4 and IPv6).
fn lab_with_mtu(tag: char, mtu: u32) -> (Lab, Server) {
    let lab = check_lab(tag);
    lab.fault(&["carol", "mtu", &mtu.to_string()]);
    let server =
        Server::start_cmd(lab.exec("carol", &[SERVER, "[::]:1200"]), false);
    (lab, server)
}

/// `udp-send --probe TARGET` on alice.
fn probe(lab: &Lab, target: &str) -> Out {
    Cmd::from_command(lab.exec("alice", &[SEND, "--probe", target]))
        .timeout(Duration::from_secs(30))
        .run()
}

/// One counter of `host` (nstat's name for it).
fn counter(lab: &Lab, host: &str, name: &str) -> u64 {
    let out = lab.sh(host, &format!("nstat -asz {name}"));
    out.stdout
        .lines()
        .find_map(|l| {
            let mut w = l.split_whitespace();
            (w.next() == Some(name)).then(|| w.next()?.parse().ok())?
        })
        .unwrap_or_else(|| panic!("no counter {name}: {}", out.describe()))
}

/// The N of `largest datagram: N bytes`, after the usual checks;
/// `also` is said when the probe failed.
fn largest(out: &Out, also: &str) -> u32 {
    assert!(
        out.code != Some(2),
        "hint: teach udp-send the option --probe, which takes HOST:PORT \
         and no SIZE\n{}",
        out.describe()
    );
    assert_eq!(
        out.code,
        Some(0),
        "hint: the probe should end with status 0 once a datagram got \
         its answer{also}\n{}",
        out.describe()
    );
    out.stdout
        .lines()
        .find_map(|l| {
            let n = l.strip_prefix("largest datagram: ")?;
            n.split_whitespace().next()?.parse().ok()
        })
        .unwrap_or_else(|| {
            panic!(
                "hint: print one line `largest datagram: N bytes (path \
                 MTU M)`\n{}",
                out.describe()
            )
        })
}

/// What the learner reads when `got` is not `expected`.
fn hint(got: u32, mtu: u32, ip_header: u32) -> String {
    let expected = mtu - ip_header - 8;
    let why = if got == mtu {
        format!(
            "{got} is the path MTU itself, the largest IP packet; the \
             largest payload is that less the IP header ({ip_header} \
             bytes) and the UDP header (8 bytes)"
        )
    } else if got == 1500 - ip_header - 8 {
        format!(
            "{got} bytes fit alice's own link (MTU 1500), not the path: a \
             send that succeeds only means the datagram left alice. Wait \
             for the reply, or for the router's \"too big\" (EMSGSIZE \
             from recv), before you decide"
        )
    } else if ip_header == 40 && got == mtu - 28 {
        "over IPv6 the IP header is 40 bytes, not IPv4's 20".to_string()
    } else {
        format!(
            "the path MTU is {mtu}: less {ip_header} bytes of IP header and \
             8 of UDP header leaves {expected}"
        )
    };
    format!("hint: expected {expected}, got {got}: {why}")
}

/// The probe over IPv4 on a `mtu` cable; nothing may be fragmented.
fn probe_ipv4(tag: char, mtu: u32) {
    let (lab, _server) = lab_with_mtu(tag, mtu);
    let out = probe(&lab, "carol:1200");
    let got = largest(&out, "");
    let cut = counter(&lab, "alice", "IpFragCreates")
        + counter(&lab, "router", "IpFragCreates");
    assert_eq!(
        cut,
        0,
        "hint: your datagrams were fragmented ({cut} fragments made, by \
         alice or the router), so a big one got through in pieces and \
         proved nothing: probe with DF set (IP_PMTUDISC_DO, as --df \
         does), so that too big is an error, not fragments\n{}",
        out.describe()
    );
    assert_eq!(got, mtu - 28, "{}\n{}", hint(got, mtu, 20), out.describe());
}

#[test]
fn over_ipv4_through_a_1280_byte_cable_1252_bytes_pass() {
    probe_ipv4('p', 1280);
}

#[test]
fn over_ipv4_through_a_1400_byte_cable_1372_bytes_pass() {
    probe_ipv4('q', 1400);
}

#[test]
fn over_ipv6_through_a_1280_byte_cable_1232_bytes_pass() {
    let (lab, _server) = lab_with_mtu('r', 1280);
    let out = probe(&lab, "[fd9a:d29d:f635:b::10]:1200");
    let got = largest(
        &out,
        " (over IPv6 the IP header is 40 bytes, not IPv4's 20: what \
         fits in the path MTU?)",
    );
    let cut = counter(&lab, "alice", "Ip6FragCreates");
    assert_eq!(
        cut,
        0,
        "hint: alice fragmented your datagrams ({cut} fragments), so a \
         big one got through in pieces and proved nothing: probe with \
         IPV6_MTU_DISCOVER set to IPV6_PMTUDISC_DO (as --df does)\n{}",
        out.describe()
    );
    assert_eq!(got, 1232, "{}\n{}", hint(got, 1280, 40), out.describe());
}

#[test]
fn sending_a_size_still_works() {
    let (lab, _server) = lab_with_mtu('s', 1280);
    let out = Cmd::from_command(
        lab.exec("alice", &[SEND, "--df", "carol:1200", "1252"]),
    )
    .timeout(Duration::from_secs(10))
    .run();
    assert_eq!(
        out.code,
        Some(0),
        "hint: `udp-send --df HOST:PORT SIZE` should still send one \
         datagram and wait for the reply\n{}",
        out.describe()
    );
}
