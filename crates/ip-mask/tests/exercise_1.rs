//! Check for exercise 1 of docs/src/ip-mask.md: `mask ADDR BITS`
//! uses a mask of BITS ones instead of the classful default.
//! Run it with `scripts/exercise ip-mask 1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::Cmd;

const MASK: &str = env!("CARGO_BIN_EXE_mask");

fn mask(args: &[&str]) -> testkit::Out {
    Cmd::new(MASK).args(args).run()
}

/// The report line (exercise 2 may add a line below it).
fn first_line(out: &testkit::Out) -> &str {
    out.stdout.lines().next().unwrap_or_default()
}

#[test]
fn a_22_bit_network() {
    let out = mask(&["192.168.5.77", "22"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `mask 192.168.5.77 22` should succeed; it said:\n{}",
        out.describe()
    );
    assert!(
        first_line(&out).ends_with(
            "Leading ones count is 22 Mask is (hex) fffffc00 \
             Network is 192.168.4.0"
        ),
        "hint: with 22 network bits the mask is 255.255.252.0 (fffffc00) \
         and the network of 192.168.5.77 is 192.168.4.0\n{}",
        out.describe()
    );
}

#[test]
fn the_label_drops_default() {
    let out = mask(&["192.168.5.77", "22"]);
    assert!(
        first_line(&out)
            .starts_with("Address is 192.168.5.77 Mask length is 32 "),
        "hint: the mask is yours, not the default one: the first label \
         is `Mask length is 32`, without the word Default\n{}",
        out.describe()
    );
}

#[test]
fn a_23_bit_network() {
    let out = mask(&["10.0.3.200", "23"]);
    assert_eq!(
        first_line(&out),
        "Address is 10.0.3.200 Mask length is 32 Leading ones count is 23 \
         Mask is (hex) fffffe00 Network is 10.0.2.0",
        "hint: with 23 network bits the mask is 255.255.254.0 (fffffe00)\n{}",
        out.describe()
    );
}

#[test]
fn the_edges_0_and_32() {
    let out = mask(&["10.0.3.200", "0"]);
    assert_eq!(
        first_line(&out),
        "Address is 10.0.3.200 Mask length is 32 Leading ones count is 0 \
         Mask is (hex) 00000000 Network is 0.0.0.0",
        "hint: a 0-bit mask: beware, `u32::MAX << 32` is not allowed\n{}",
        out.describe()
    );
    let out = mask(&["10.0.3.200", "32"]);
    assert!(
        first_line(&out).ends_with(
            "Leading ones count is 32 Mask is (hex) ffffffff \
             Network is 10.0.3.200"
        ),
        "hint: a 32-bit mask keeps the whole address\n{}",
        out.describe()
    );
}

#[test]
fn without_a_length_nothing_changed() {
    let out = mask(&["192.168.1.10"]);
    assert_eq!(
        first_line(&out),
        "Address is 192.168.1.10 Default mask length is 32 \
         Leading ones count is 24 Mask is (hex) ffffff00 \
         Network is 192.168.1.0",
        "hint: with one argument, mask should print exactly what it \
         printed before\n{}",
        out.describe()
    );
}

#[test]
fn a_bad_length_is_refused() {
    for bad in ["33", "-1", "x", "", "4294967296"] {
        let out = mask(&["192.168.1.10", bad]);
        assert!(
            out.code == Some(1)
                && out.stdout.is_empty()
                && out.stderr.lines().count() == 1,
            "hint: `mask 192.168.1.10 {bad:?}` should print one line on \
             stderr, nothing on stdout, and exit with status 1; got\n{}",
            out.describe()
        );
    }
}

#[test]
fn three_arguments_are_a_usage_error() {
    let out = mask(&["192.168.1.10", "22", "extra"]);
    assert!(
        out.code == Some(1) && out.stderr.starts_with("Usage: mask"),
        "hint: more than two arguments: print the usage line on stderr \
         and exit 1\n{}",
        out.describe()
    );
}
