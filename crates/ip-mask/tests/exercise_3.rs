//! Check for exercise 3 of docs/src/ip-mask.md: a program `on-link`
//! that says whether a host with address ADDRESS[/BITS] sends to a
//! destination on its own link or through a router.
//! Run it with `scripts/exercise ip-mask 3`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use testkit::{Cmd, Out};

/// The program, built beside `mask` when its source exists. The
/// source is what tells: cargo builds every program of the crate
/// before the check runs, but leaves an old binary behind when its
/// source is gone.
fn on_link_exe() -> String {
    // At run time, cargo says where the crate under test is.
    let dir = std::env::var_os("CARGO_MANIFEST_DIR")
        .unwrap_or_else(|| env!("CARGO_MANIFEST_DIR").into());
    let src = Path::new(&dir).join("src/bin");
    assert!(
        src.join("on-link.rs").is_file()
            || src.join("on-link/main.rs").is_file(),
        "hint: write the program in crates/ip-mask/src/bin/on-link.rs \
         (cargo makes every file in src/bin a program of the crate)"
    );
    let mask = Path::new(env!("CARGO_BIN_EXE_mask"));
    mask.with_file_name("on-link").display().to_string()
}

fn on_link(args: &[&str]) -> Out {
    Cmd::new(&on_link_exe()).args(args).run()
}

/// `on-link HOST DEST` must print exactly `want` and exit 0.
fn answers(host: &str, dest: &str, want: &str, hint: &str) {
    let out = on_link(&[host, dest]);
    assert!(
        out.code == Some(0) && out.stdout == format!("{want}\n"),
        "hint: `on-link {host} {dest}` should print\n{want}\n{hint}\n{}",
        out.describe()
    );
}

#[test]
fn a_neighbour_on_the_same_24() {
    answers(
        "198.51.100.10/24",
        "198.51.100.20",
        "198.51.100.20: on link (198.51.100.0/24)",
        "(AND both addresses with the mask, and compare: 198.51.100.0 \
         both times)",
    );
}

#[test]
fn another_24_is_through_the_router() {
    answers(
        "198.51.100.10/24",
        "203.0.113.10",
        "203.0.113.10: via a router (198.51.100.0/24 does not hold it)",
        "(203.0.113.10 AND 255.255.255.0 is 203.0.113.0, another network)",
    );
}

#[test]
fn a_mask_too_wide_takes_carol_for_a_neighbour() {
    answers(
        "198.51.100.10/4",
        "203.0.113.10",
        "203.0.113.10: on link (192.0.0.0/4)",
        "(198 is 1100 0110 and 203 is 1100 1011: under a 4-bit mask \
         both are 192.0.0.0)",
    );
    answers(
        "198.51.100.10/5",
        "203.0.113.10",
        "203.0.113.10: via a router (192.0.0.0/5 does not hold it)",
        "(the fifth bit differs: 198.51.100.10 is in 192.0.0.0/5, \
         203.0.113.10 in 200.0.0.0/5)",
    );
}

#[test]
fn the_edges_0_and_32() {
    answers(
        "198.51.100.10/0",
        "203.0.113.10",
        "203.0.113.10: on link (0.0.0.0/0)",
        "(a 0-bit mask holds every address; beware, `u32::MAX << 32` is \
         an overflow: checked_shl)",
    );
    answers(
        "198.51.100.10/32",
        "198.51.100.11",
        "198.51.100.11: via a router (198.51.100.10/32 does not hold it)",
        "(a 32-bit mask holds the address itself only)",
    );
}

#[test]
fn without_bits_the_classful_default_mask() {
    for (host, dest, want) in [
        ("10.1.2.3", "10.200.0.1", "10.200.0.1: on link (10.0.0.0/8)"),
        (
            "172.16.5.4",
            "172.17.0.1",
            "172.17.0.1: via a router (172.16.0.0/16 does not hold it)",
        ),
        (
            "198.51.100.10",
            "203.0.113.10",
            "203.0.113.10: via a router (198.51.100.0/24 does not hold it)",
        ),
    ] {
        answers(
            host,
            dest,
            want,
            "(without /BITS, use the classful default mask, as `mask` \
             does: default_mask in src/lib.rs)",
        );
    }
}

#[test]
fn bad_input_is_one_line_and_status_1() {
    for args in [
        &["198.51.100.10/33", "203.0.113.10"][..],
        &["198.51.100.10/x", "203.0.113.10"],
        &["198.51.100.10/", "203.0.113.10"],
        &["198.51.100.10/24", "carol"],
        &["::1", "::2"],
        &["198.51.100.10/24"],
        &["198.51.100.10/24", "203.0.113.10", "extra"],
    ] {
        let out = on_link(args);
        assert!(
            out.code == Some(1)
                && out.stdout.is_empty()
                && out.stderr.lines().count() == 1,
            "hint: `on-link {}` should print one line on stderr, nothing \
             on stdout, and exit with status 1\n{}",
            args.join(" "),
            out.describe()
        );
    }
}
