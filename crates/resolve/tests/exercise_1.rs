//! Exercise 1: resolve-ip takes Go's network argument (ip, ip4, ip6).
//! Run it with `scripts/exercise resolve 1`. Every assertion message
//! is a hint.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::{Cmd, Out};

const RESOLVE_IP: &str = env!("CARGO_BIN_EXE_resolve-ip");

fn resolve_ip(args: &[&str]) -> Out {
    Cmd::new(RESOLVE_IP)
        .args(args)
        .env("RES_OPTIONS", "timeout:1 attempts:1")
        .run()
}

fn assert_resolves(args: &[&str], want: &str) {
    let out = resolve_ip(args);
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), format!("Resolved address is {want}\n").as_str()),
        "hint: `resolve-ip {}` should print `Resolved address is {want}` \
         and exit 0\n{}",
        args.join(" "),
        out.describe()
    );
}

/// The first IPv4 address the C library gives for localhost.
fn first_ipv4_of_localhost() -> String {
    let out = Cmd::new("getent").args(["ahostsv4", "localhost"]).run();
    out.stdout
        .split_whitespace()
        .next()
        .expect("getent ahostsv4 localhost prints an address")
        .to_string()
}

#[test]
fn ip4_and_ip6_accept_their_own_kind_of_literal() {
    assert_resolves(&["127.0.0.1", "ip4"], "127.0.0.1");
    assert_resolves(&["::1", "ip6"], "::1");
    assert_resolves(&["127.0.0.1", "ip"], "127.0.0.1");
}

#[test]
fn ip4_on_a_name_gives_an_ipv4_address() {
    assert_resolves(&["localhost", "ip4"], &first_ipv4_of_localhost());
}

#[test]
fn without_a_network_it_works_as_before() {
    assert_resolves(&["localhost"], &first_ipv4_of_localhost());
    assert_resolves(&["::1"], "::1");
}

#[test]
fn the_wrong_kind_of_address_is_no_suitable_address() {
    for args in [["::1", "ip4"], ["127.0.0.1", "ip6"]] {
        let out = resolve_ip(&args);
        assert!(
            out.code == Some(1) && out.stderr.contains("no suitable address"),
            "hint: `resolve-ip {} {}` has no address of that kind: print \
             `Resolution error address {}: no suitable address found` \
             (Go's words) \
             on stderr and exit 1\n{}",
            args[0],
            args[1],
            args[0],
            out.describe()
        );
    }
}

#[test]
fn an_unknown_network_is_refused() {
    for net in ["tcp", "ip5", "IP4x"] {
        let out = resolve_ip(&["localhost", net]);
        assert!(
            out.code == Some(1)
                && out.stderr.contains(&format!("unknown network {net}")),
            "hint: only ip, ip4 and ip6 are networks here; for `{net}` print \
             `Resolution error unknown network {net}` on stderr and exit 1\n{}",
            out.describe()
        );
        assert_eq!(
            out.stdout,
            "",
            "hint: errors go to stderr\n{}",
            out.describe()
        );
    }
}

#[test]
fn usage_still_guards_the_argument_count() {
    for args in [&[][..], &["localhost", "ip4", "extra"][..]] {
        let out = resolve_ip(args);
        assert!(
            out.code == Some(1) && out.stderr.starts_with("Usage: resolve-ip"),
            "hint: with {} argument(s) print the usage line on stderr \
             and exit 1\n{}",
            args.len(),
            out.describe()
        );
    }
}
