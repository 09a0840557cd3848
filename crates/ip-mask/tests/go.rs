//! What Go's net.IP and net.IPMask answer, measured with the tests' Go
//! program (go/ipmask.go), beside what parse-ip and mask print: the
//! page's claims about Go are pinned here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use testkit::Cmd;

const PARSE_IP: &str = env!("CARGO_BIN_EXE_parse-ip");
const MASK: &str = env!("CARGO_BIN_EXE_mask");

fn go_ipmask() -> Option<PathBuf> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), "ipmask")
}

fn go(bin: &Path, args: &[&str]) -> Vec<String> {
    let out = Cmd::new(bin.to_str().unwrap()).args(args).run();
    out.expect_code(0);
    out.stdout.lines().map(String::from).collect()
}

/// Inputs that look like addresses, or nearly.
const INPUTS: &[&str] = &[
    "127.0.0.1",
    "10.1.2.3",
    "172.16.5.4",
    "191.255.1.1",
    "192.168.1.10",
    "224.0.0.251",
    "255.255.255.255",
    "0.0.0.0",
    "::1",
    "0:0:0:0:0:0:0:1",
    "2002:c0e8:82e7:0:0:0:c0e8:82e7",
    "FE80::1",
    "::ffff:192.0.2.1",
    "1.2.3",
    "127.1",
    "01.2.3.4",
    "010.0.0.1",
    "300.1.2.3",
    "fe80::1%eth0",
    "::1::2",
    "localhost",
    "",
];

#[test]
fn parse_ip_prints_what_go_parse_ip_gives() {
    let Some(bin) = go_ipmask() else { return };
    let mut args = vec!["parse"];
    args.extend_from_slice(INPUTS);
    for (input, go_says) in INPUTS.iter().zip(go(&bin, &args)) {
        let out = Cmd::new(PARSE_IP).args([input]).run();
        if go_says == "<nil>" {
            assert_eq!(out.code, Some(1), "{input:?}: Go refuses it");
        } else {
            assert_eq!(out.stdout, format!("The address is {go_says}\n"));
        }
    }
}

#[test]
fn mask_prints_gos_five_fields() {
    // Go's Size, String and Mask for each address's DefaultMask, in
    // the order the book's program prints them; for IPv6 Go has no
    // default mask: 0, 0, <nil>, <nil>.
    let Some(bin) = go_ipmask() else { return };
    let mut args = vec!["mask"];
    args.extend_from_slice(INPUTS);
    for (input, go_says) in INPUTS.iter().zip(go(&bin, &args)) {
        let out = Cmd::new(MASK).args([input]).run();
        let fields: Vec<&str> = go_says.split('\t').collect();
        let [addr, bits, ones, hex, net] = fields[..] else {
            assert_eq!(out.code, Some(1), "{input:?}: Go refuses it");
            continue;
        };
        out.expect_code(0);
        assert_eq!(
            out.stdout.lines().next().unwrap(),
            format!(
                "Address is {addr} Default mask length is {bits} \
                 Leading ones count is {ones} Mask is (hex) {hex} \
                 Network is {net}"
            ),
            "{input:?}"
        );
    }
}

#[test]
fn a_mask_with_a_hole_has_no_size_in_go_either() {
    let Some(bin) = go_ipmask() else { return };
    for (mask, value) in [
        ("255.0.255.0", 0xff00_ff00u32),
        ("255.255.254.0", 0xffff_fe00),
        ("0.0.0.0", 0),
        ("255.255.255.255", u32::MAX),
        ("128.0.0.1", 0x8000_0001),
    ] {
        let (ones, bits) = ip_mask::Mask(value).size();
        assert_eq!(go(&bin, &["size", mask]), [format!("{ones} {bits}")]);
    }
}

#[test]
fn println_puts_a_space_between_operands() {
    // Why Go's programs print two spaces: "The address is " and the
    // address are two operands, and Println adds one between them.
    let Some(bin) = go_ipmask() else { return };
    assert_eq!(
        go(&bin, &["println", "The address is ", "::1"]),
        ["The address is  ::1"]
    );
}
