//! Black-box tests of parse-ip and mask: the real binaries, real
//! arguments, every line and exit status they print.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::Cmd;

const PARSE_IP: &str = env!("CARGO_BIN_EXE_parse-ip");
const MASK: &str = env!("CARGO_BIN_EXE_mask");

fn run(exe: &str, args: &[&str]) -> testkit::Out {
    Cmd::new(exe).args(args).run()
}

#[test]
fn parse_ip_prints_the_canonical_form() {
    for (input, shown) in [
        ("127.0.0.1", "127.0.0.1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        (
            "2002:c0e8:82e7:0:0:0:c0e8:82e7",
            "2002:c0e8:82e7::c0e8:82e7",
        ),
        ("::ffff:192.0.2.1", "192.0.2.1"),
        ("FE80::1", "fe80::1"),
    ] {
        let out = run(PARSE_IP, &[input]);
        out.expect_code(0);
        assert_eq!(out.stdout, format!("The address is {shown}\n"), "{input}");
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn mask_prints_the_five_fields_of_the_go_program() {
    for (input, ones, hex, net) in [
        ("127.0.0.1", 8, "ff000000", "127.0.0.0"),
        ("10.1.2.3", 8, "ff000000", "10.0.0.0"),
        ("172.16.5.4", 16, "ffff0000", "172.16.0.0"),
        ("191.255.1.1", 16, "ffff0000", "191.255.0.0"),
        ("192.168.1.10", 24, "ffffff00", "192.168.1.0"),
        ("224.0.0.251", 24, "ffffff00", "224.0.0.0"),
    ] {
        let out = run(MASK, &[input]);
        out.expect_code(0);
        let mut lines = out.stdout.lines();
        assert_eq!(
            lines.next().unwrap_or_default(),
            format!(
                "Address is {input} Default mask length is 32 \
                 Leading ones count is {ones} Mask is (hex) {hex} \
                 Network is {net}"
            )
        );
        // Exercise 2 adds a line: the host part. Nothing else may come.
        assert!(
            lines.all(|l| l.starts_with("Host part is ")),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn mask_of_an_ipv6_address_is_nil_as_in_go() {
    let out = run(MASK, &["::1"]);
    out.expect_code(0);
    assert_eq!(
        out.stdout,
        "Address is ::1 Default mask length is 0 Leading ones count is 0 \
         Mask is (hex) <nil> Network is <nil>\n"
    );
}

/// Each bad input: exit 1, nothing on stdout, one line on stderr
/// that names the problem.
fn assert_one_line_error(exe: &str, args: &[&str], starts: &str) {
    let out = run(exe, args);
    out.expect_code(1);
    assert_eq!(out.stdout, "", "{args:?}");
    assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
    assert!(
        out.stderr.starts_with(starts),
        "{args:?}: stderr was {:?}",
        out.stderr
    );
}

#[test]
fn bad_input_gets_one_line_and_status_1() {
    // (A second argument to mask is exercise 1's mask length: then
    // "extra" is a bad length, still one line and status 1.)
    assert_one_line_error(PARSE_IP, &["1.2.3.4", "extra"], "Usage: ");
    assert_one_line_error(MASK, &["1.2.3.4", "extra"], "");
    assert_one_line_error(MASK, &["1.2.3.4", "22", "extra"], "Usage: ");
    for exe in [PARSE_IP, MASK] {
        assert_one_line_error(exe, &[], "Usage: ");
        assert_one_line_error(
            exe,
            &["nonsense"],
            "Invalid address: \"nonsense\"",
        );
        assert_one_line_error(exe, &["300.1.1.1"], "Invalid address");
        assert_one_line_error(exe, &["1.2.3"], "Invalid address");
        assert_one_line_error(exe, &["localhost"], "Invalid address");
        assert_one_line_error(exe, &[""], "Invalid address");
        assert_one_line_error(exe, &["::1::2"], "Invalid address");
    }
}

#[test]
fn arguments_that_are_not_utf8_are_invalid_addresses() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    for exe in [PARSE_IP, MASK] {
        let out = Cmd::new(exe)
            .args([OsStr::from_bytes(b"127.0.0.\xff")])
            .run();
        out.expect_code(1);
        assert_eq!(out.stdout, "");
        assert_eq!(
            out.stderr,
            "Invalid address: argument \"127.0.0.\\xff\" is not valid UTF-8 \
             text\n"
        );
    }
}

#[test]
fn a_host_name_is_not_looked_up() {
    // parse-ip never resolves: "localhost" is text, not an address.
    // The error says so rather than printing 127.0.0.1.
    let out = run(PARSE_IP, &["localhost"]);
    assert!(out.stderr.contains("neither dotted IPv4"), "{}", out.stderr);
}
