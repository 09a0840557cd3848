//! Black-box tests of `lookup-port`: the real binary, given a services
//! file the test writes (through NETPROG_SERVICES), so that the results
//! do not depend on this machine's /etc/services.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use testkit::{Cmd, Out, TempDir};

const EXE: &str = env!("CARGO_BIN_EXE_lookup-port");

/// A services file in the style of Debian's, with a few entries of our
/// own that no real file or built-in table has.
const SERVICES: &str = "\
# Network services, Internet style (a test's own file)
tcpmux\t\t1/tcp\t\t\t\t# TCP port service multiplexer
telnet\t\t2323/tcp
http\t\t80/tcp\t\twww\t\t# WorldWideWeb HTTP
domain\t\t53/tcp\t\t\t\t# Domain Name Server
netprog-demo\t7777/tcp\tdemo-alias\tanother-alias
netprog-demo\t7778/udp
CamelCase-Service\t7779/tcp
toobig\t\t70000/tcp
this line is not an entry
\u{1}\u{2} 9/tcp
";

/// A services file in a fresh directory; keep the TempDir alive.
fn services_file(text: &[u8]) -> (TempDir, PathBuf) {
    let dir = TempDir::new("lookup-port");
    let path = dir.path().join("services");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// Run lookup-port with our services file.
fn lookup(args: &[&str]) -> Out {
    let (_dir, path) = services_file(SERVICES.as_bytes());
    Cmd::new(EXE)
        .args(args)
        .env("NETPROG_SERVICES", &path)
        .run()
}

/// Run lookup-port with a services file that does not exist.
fn lookup_without_file(args: &[&str]) -> Out {
    let dir = TempDir::new("lookup-port-none");
    let missing = dir.path().join("no-such-services-file");
    Cmd::new(EXE)
        .args(args)
        .env("NETPROG_SERVICES", &missing)
        .run()
}

fn assert_port(out: &Out, port: u32) {
    out.expect_code(0);
    assert_eq!(
        out.stdout,
        format!("Service port {port}\n"),
        "{}",
        out.describe()
    );
}

/// Exit status 2 and exactly one line on stderr, nothing on stdout.
fn assert_lookup_error(out: &Out, message: &str) {
    out.expect_code(2);
    assert_eq!(
        out.stderr,
        format!("Error: {message}\n"),
        "{}",
        out.describe()
    );
    assert_eq!(out.stdout, "", "{}", out.describe());
}

#[test]
fn a_name_from_the_file() {
    assert_port(&lookup(&["tcp", "netprog-demo"]), 7777);
    assert_port(&lookup(&["udp", "netprog-demo"]), 7778);
}

#[test]
fn aliases_are_names_too() {
    assert_port(&lookup(&["tcp", "www"]), 80);
    assert_port(&lookup(&["tcp", "demo-alias"]), 7777);
    assert_port(&lookup(&["tcp", "another-alias"]), 7777);
}

#[test]
fn case_does_not_matter() {
    assert_port(&lookup(&["tcp", "NetProg-Demo"]), 7777);
    assert_port(&lookup(&["tcp", "WWW"]), 80);
}

#[test]
fn names_written_with_capitals_in_the_file_are_found() {
    // A deliberate difference: Go lowers only the name asked for, so it
    // could never find this entry.
    assert_port(&lookup(&["tcp", "camelcase-service"]), 7779);
    assert_port(&lookup(&["tcp", "CamelCase-Service"]), 7779);
}

#[test]
fn tcp4_tcp6_udp4_udp6_search_the_tcp_and_udp_tables() {
    assert_port(&lookup(&["tcp4", "www"]), 80);
    assert_port(&lookup(&["tcp6", "www"]), 80);
    assert_port(&lookup(&["udp4", "netprog-demo"]), 7778);
    assert_port(&lookup(&["udp6", "netprog-demo"]), 7778);
}

#[test]
fn the_file_wins_over_the_builtin_table() {
    // The built-in table says telnet is 23; our file says 2323.
    assert_port(&lookup(&["tcp", "telnet"]), 2323);
}

#[test]
fn the_builtin_table_fills_in_names_the_file_lacks() {
    // Our file has no gopher, ssh or udp domain: Go's table does.
    assert_port(&lookup(&["tcp", "gopher"]), 70);
    assert_port(&lookup(&["tcp", "ssh"]), 22);
    assert_port(&lookup(&["udp", "domain"]), 53);
}

#[test]
fn without_a_file_only_the_builtin_table_is_left() {
    let out = lookup_without_file(&["tcp", "telnet"]);
    assert_port(&out, 23);
    // A file named on purpose that cannot be read gets a note.
    assert!(
        out.stderr.starts_with("note: cannot read "),
        "{}",
        out.describe()
    );
    assert!(
        out.stderr.contains("NETPROG_SERVICES"),
        "{}",
        out.describe()
    );
    assert_port(&lookup_without_file(&["tcp", "https"]), 443);
    assert_port(&lookup_without_file(&["udp", "domain"]), 53);
    // Go's table has domain for udp only, and no aliases.
    let out = lookup_without_file(&["tcp", "domain"]);
    out.expect_code(2);
    assert!(
        out.stderr
            .ends_with("Error: address tcp/domain: unknown port\n")
    );
    lookup_without_file(&["tcp", "www"]).expect_code(2);
}

#[test]
fn with_no_variable_set_the_system_file_or_table_answers() {
    // telnet is 23 in /etc/services and in Go's table alike, so this
    // holds whether or not the machine has the file.
    let out = Cmd::new(EXE).args(["tcp", "telnet"]).run();
    if std::env::var_os("NETPROG_SERVICES").is_none() {
        assert_port(&out, 23);
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn numbers_are_ports_without_a_lookup() {
    assert_port(&lookup(&["tcp", "8080"]), 8080);
    assert_port(&lookup(&["tcp", "+8080"]), 8080);
    assert_port(&lookup(&["tcp", "0"]), 0);
    assert_port(&lookup(&["tcp", "65535"]), 65535);
    // Go does not even check the network when the service is a number.
    assert_port(&lookup(&["sctp", "23"]), 23);
}

#[test]
fn unknown_service_exits_2() {
    assert_lookup_error(
        &lookup(&["tcp", "nosuchservice"]),
        "address tcp/nosuchservice: unknown port",
    );
}

#[test]
fn the_error_names_the_table_searched() {
    assert_lookup_error(
        &lookup(&["tcp4", "nosuchservice"]),
        "address tcp/nosuchservice: unknown port",
    );
    // telnet is in the tcp table only.
    assert_lookup_error(
        &lookup(&["udp", "telnet"]),
        "address udp/telnet: unknown port",
    );
}

#[test]
fn an_empty_network_is_go_s_ip_which_has_no_table() {
    assert_lookup_error(
        &lookup(&["", "telnet"]),
        "address ip/telnet: unknown port",
    );
}

#[test]
fn unknown_network_exits_2() {
    assert_lookup_error(
        &lookup(&["sctp", "telnet"]),
        "address sctp: unknown network",
    );
    assert_lookup_error(
        &lookup(&["TCP", "telnet"]),
        "address TCP: unknown network",
    );
}

#[test]
fn out_of_range_numbers_are_invalid_ports() {
    assert_lookup_error(
        &lookup(&["tcp", "65536"]),
        "address 65536: invalid port",
    );
    assert_lookup_error(&lookup(&["tcp", "-1"]), "address -1: invalid port");
    let huge = "123456789012345678901234567890";
    assert_lookup_error(
        &lookup(&["tcp", huge]),
        &format!("address {huge}: invalid port"),
    );
}

#[test]
fn a_port_over_65535_in_the_file_is_an_invalid_port() {
    assert_lookup_error(
        &lookup(&["tcp", "toobig"]),
        "address toobig: invalid port",
    );
}

#[test]
fn a_service_with_spaces_is_a_name_and_not_found() {
    assert_lookup_error(
        &lookup(&["tcp", " 23"]),
        "address tcp/ 23: unknown port",
    );
}

#[test]
fn wrong_argument_counts_print_usage_and_exit_1() {
    for args in [&[][..], &["tcp"][..], &["tcp", "telnet", "extra"][..]] {
        let out = lookup(args);
        out.expect_code(1);
        assert!(
            out.stderr
                .starts_with("Usage: lookup-port network-type service")
        );
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
        assert_eq!(out.stdout, "");
    }
}

#[test]
fn arguments_that_are_not_utf8_are_not_a_crash() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (_dir, path) = services_file(SERVICES.as_bytes());
    let out = Cmd::new(EXE)
        .args([OsStr::new("tcp"), OsStr::from_bytes(b"tel\xffnet")])
        .env("NETPROG_SERVICES", &path)
        .run();
    out.expect_code(2);
    assert!(out.stderr.contains("unknown port"), "{}", out.describe());
}

#[test]
fn a_file_with_bytes_that_are_not_utf8_still_works() {
    let mut text = b"junk \xff\xfe 12/tcp\n".to_vec();
    text.extend_from_slice(b"good 4242/tcp\n");
    let (_dir, path) = services_file(&text);
    let out = Cmd::new(EXE)
        .args(["tcp", "good"])
        .env("NETPROG_SERVICES", &path)
        .run();
    assert_port(&out, 4242);
}

#[test]
fn a_directory_instead_of_a_file_falls_back_to_the_table() {
    let dir = TempDir::new("lookup-port-dir");
    let out = Cmd::new(EXE)
        .args(["tcp", "ssh"])
        .env("NETPROG_SERVICES", dir.path())
        .run();
    assert_port(&out, 22);
    assert!(out.stderr.contains("cannot read"), "{}", out.describe());
}
