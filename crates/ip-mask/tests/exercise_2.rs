//! Check for exercise 2 of docs/src/ip-mask.md: `mask` prints the
//! host part (address AND NOT mask) on a second line.
//! Run it with `scripts/exercise ip-mask 2`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::Cmd;

const MASK: &str = env!("CARGO_BIN_EXE_mask");

fn lines(addr: &str) -> Vec<String> {
    let out = Cmd::new(MASK).args([addr]).run();
    assert_eq!(
        out.code,
        Some(0),
        "hint: mask {addr} failed:\n{}",
        out.describe()
    );
    out.stdout.lines().map(String::from).collect()
}

#[test]
fn host_part_of_class_a_b_and_c_addresses() {
    for (addr, host) in [
        ("192.168.1.10", "0.0.0.10"),
        ("172.16.5.4", "0.0.5.4"),
        ("127.0.0.1", "0.0.0.1"),
        ("10.20.30.40", "0.20.30.40"),
    ] {
        let l = lines(addr);
        assert_eq!(
            l.len(),
            2,
            "hint: print the host part on a second line; mask {addr} \
             printed {l:?}"
        );
        assert!(
            l[0].starts_with(&format!(
                "Address is {addr} Default mask length is 32"
            )),
            "hint: keep the first line as it was; got {:?}",
            l[0]
        );
        assert_eq!(
            l[1],
            format!("Host part is {host}"),
            "hint: host = address & !mask, with the address's own \
             default mask (class A, B or C)"
        );
    }
}

#[test]
fn no_host_line_for_ipv6() {
    let l = lines("::1");
    assert_eq!(
        l.len(),
        1,
        "hint: IPv6 has no default mask, so no host line; got {l:?}"
    );
}
