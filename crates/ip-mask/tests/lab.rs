//! What a mask decides in the lab (docs/src/ip-mask.md, "In the lab"):
//! alice re-addressed from 198.51.100.10/24 to a mask too wide, /4,
//! under which carol's 203.0.113.10 is on her own link. The page's
//! transcript shows the routes and the pings; this test adds what it
//! cannot show: carol's request reaches alice, who answers it, and the
//! answer waits on ARP for carol's address on LAN A.
//!
//! Needs root, iproute2, nftables and ping (iputils); without one the
//! test is skipped with a printed reason (a failure under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Lab, lines_match};

/// `sh -c SCRIPT` in HOST, as root; the lab's prefix written `np-`.
fn sh(lab: &Lab, host: &str, script: &str) -> testkit::Out {
    lab.sh(host, &script.replace("np-", lab.prefix()))
}

/// The lines `expected` (with `np-` for the lab's prefix, `[..]` for
/// what varies) must be what the command printed.
fn expect(lab: &Lab, host: &str, script: &str, expected: &str) {
    let out = sh(lab, host, script);
    let want: Vec<String> = expected
        .lines()
        .map(|l| l.replace("np-", lab.prefix()))
        .collect();
    assert!(
        lines_match(&want, &out.stdout),
        "$ {script}\n--- expected ---\n{}\n--- got ---\n{}",
        want.join("\n"),
        out.describe()
    );
}

#[test]
fn a_mask_too_wide_puts_carol_on_alices_link() {
    if !testkit::need_tool("ping", "the pings in carol (iputils-ping)") {
        return;
    }
    let Some(lab) = Lab::up('m') else { return };
    // The /4 first, then the /24 away: the default route stays.
    expect(
        &lab,
        "alice",
        "ip addr add 198.51.100.10/4 dev np-alice && \
         ip addr del 198.51.100.10/24 dev np-alice && ip route",
        "default via 198.51.100.1 dev np-alice\n\
         192.0.0.0/4 dev np-alice proto kernel scope link \
         src 198.51.100.10",
    );
    // Alice has not sent carol anything: no neighbour entry for her.
    expect(&lab, "alice", "ip neigh show 203.0.113.10", "");
    // Carol's request reaches alice, who answers, but sends her reply
    // to her link, not to the router: nothing comes back.
    let echos = icmp_counter(&lab, "alice", "InEchos");
    let replies = icmp_counter(&lab, "alice", "OutEchoReps");
    expect(
        &lab,
        "carol",
        "ping -c 1 -W 1 198.51.100.10",
        "PING 198.51.100.10 (198.51.100.10) 56(84) bytes of data.\n\
         \n\
         --- 198.51.100.10 ping statistics ---\n\
         1 packets transmitted, 0 received, 100% packet loss, time [..]ms",
    );
    assert_eq!(icmp_counter(&lab, "alice", "InEchos"), echos + 1);
    assert_eq!(icmp_counter(&lab, "alice", "OutEchoReps"), replies + 1);
    // The reply made alice ask ARP for carol's address: an entry that
    // is still being resolved (ARP tries for 3 s) or has failed.
    let out = sh(&lab, "alice", "ip neigh show 203.0.113.10");
    let entry = out.stdout.trim();
    let resolving =
        format!("203.0.113.10 dev {}alice INCOMPLETE", lab.prefix());
    let failed = format!("203.0.113.10 dev {}alice FAILED", lab.prefix());
    assert!(
        entry == resolving || entry == failed,
        "alice's neighbour entry for carol after her reply\n{}",
        out.describe()
    );
}

/// A counter of the `Icmp:` lines of HOST's /proc/net/snmp (the first
/// names the columns, the second holds the counts).
fn icmp_counter(lab: &Lab, host: &str, name: &str) -> u64 {
    let out = sh(lab, host, "grep '^Icmp:' /proc/net/snmp");
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let col = rows[0].iter().position(|c| *c == name).unwrap();
    rows[1][col].parse().unwrap()
}
