//! Check for exercise 1 of docs/src/ip-mask.md: `mask ADDR BITS`
//! uses a mask of BITS ones instead of the classful default.
//! Run it with `scripts/exercise ip-mask 1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::Cmd;

const MASK: &str = env!("CARGO_BIN_EXE_mask");

fn mask(args: &[&str]) -> testkit::Out {
    Cmd::new(MASK).args(args).run()
}

#[test]
fn a_22_bit_network() {
    let out = mask(&["192.168.5.77", "22"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `mask 192.168.5.77 22` should succeed; it said:\n{}",
        out.stderr
    );
    assert_eq!(
        out.stdout.trim_end(),
        "Address is 192.168.5.77 Mask length is 32 Leading ones count is 22 \
         Mask is (hex) fffffc00 Network is 192.168.4.0",
        "hint: with 22 network bits the mask is 255.255.252.0 (fffffc00)"
    );
}

#[test]
fn a_23_bit_network() {
    let out = mask(&["10.0.3.200", "23"]);
    assert_eq!(
        out.stdout.trim_end(),
        "Address is 10.0.3.200 Mask length is 32 Leading ones count is 23 \
         Mask is (hex) fffffe00 Network is 10.0.2.0",
        "hint: with 23 network bits the mask is 255.255.254.0 (fffffe00)"
    );
}

#[test]
fn the_edges_0_and_32() {
    let out = mask(&["10.0.3.200", "0"]);
    assert_eq!(
        out.stdout.trim_end(),
        "Address is 10.0.3.200 Mask length is 32 Leading ones count is 0 \
         Mask is (hex) 00000000 Network is 0.0.0.0",
        "hint: a 0-bit mask: beware, `u32::MAX << 32` is not allowed"
    );
    let out = mask(&["10.0.3.200", "32"]);
    assert!(
        out.stdout
            .contains("Leading ones count is 32 Mask is (hex) ffffffff Network is 10.0.3.200"),
        "hint: a 32-bit mask keeps the whole address; got {:?}",
        out.stdout
    );
}

#[test]
fn without_a_length_nothing_changed() {
    let out = mask(&["192.168.1.10"]);
    assert_eq!(
        out.stdout.trim_end(),
        "Address is 192.168.1.10 Default mask length is 32 Leading ones count is 24 \
         Mask is (hex) ffffff00 Network is 192.168.1.0",
        "hint: with one argument, mask should print exactly what it printed before"
    );
}

#[test]
fn a_bad_length_is_refused() {
    for bad in ["33", "-1", "x", ""] {
        let out = mask(&["192.168.1.10", bad]);
        assert_eq!(
            out.code,
            Some(1),
            "hint: `mask 192.168.1.10 {bad:?}` should exit with status 1"
        );
        assert!(
            out.stdout.is_empty() && out.stderr.lines().count() == 1,
            "hint: a bad length gets one line on stderr and nothing on stdout; got\n{}",
            out.describe()
        );
    }
}
