//! resolve-ip, lookup-host, look-host and look-ip: lookups through the
//! system resolver, offline. Expected answers come from `getent`, which
//! asks the same C library (getaddrinfo / gethostbyaddr), never from
//! the code under test. RES_OPTIONS bounds any DNS wait to one second.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use testkit::{Cmd, Out};

const RESOLVE_IP: &str = env!("CARGO_BIN_EXE_resolve-ip");
const LOOKUP_HOST: &str = env!("CARGO_BIN_EXE_lookup-host");
const LOOK_HOST: &str = env!("CARGO_BIN_EXE_look-host");
const LOOK_IP: &str = env!("CARGO_BIN_EXE_look-ip");

/// A name that cannot exist anywhere (RFC 6761 reserves `.invalid`).
const NO_SUCH: &str = "nosuch.invalid";

fn run(exe: &str, args: &[&str]) -> Out {
    Cmd::new(exe)
        .args(args)
        .env("RES_OPTIONS", "timeout:1 attempts:1")
        .run()
}

fn run_os(exe: &str, arg: &OsStr) -> Out {
    Cmd::new(exe).args([arg]).run()
}

/// `getent DB KEY`: the C library's own answer, or None.
fn getent(db: &str, key: &str) -> Option<String> {
    let out = Cmd::new("getent")
        .args([db, key])
        .env("RES_OPTIONS", "timeout:1 attempts:1")
        .run();
    (out.code == Some(0)).then_some(out.stdout)
}

/// Every address getaddrinfo gives for `name`, in its order, once each
/// (`getent ahosts` prints each address once per socket type).
fn getaddrinfo_order(name: &str) -> Vec<String> {
    let text = getent("ahosts", name).expect("getent ahosts localhost works");
    let mut addrs: Vec<String> = Vec::new();
    for line in text.lines() {
        let a = line.split_whitespace().next().unwrap().to_string();
        if !addrs.contains(&a) {
            addrs.push(a);
        }
    }
    addrs
}

/// One line on stderr, nothing on stdout, the given status.
fn assert_one_error_line(out: &Out, code: i32, starts: &str) {
    out.expect_code(code);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(out.stderr.starts_with(starts), "{}", out.describe());
}

fn lines(s: &str) -> Vec<String> {
    s.lines().map(String::from).collect()
}

// ---------------------------------------------------------------- resolve-ip

#[test]
fn resolve_ip_localhost_picks_the_first_ipv4_address() {
    // Go's ResolveIPAddr("ip", ..) prefers IPv4, whatever comes first.
    let all = getaddrinfo_order("localhost");
    let first_v4 = all
        .iter()
        .find(|a| !a.contains(':'))
        .expect("localhost has IPv4");
    let out = run(RESOLVE_IP, &["localhost"]);
    out.expect_code(0);
    assert_eq!(out.stdout, format!("Resolved address is {first_v4}\n"));
}

#[test]
fn resolve_ip_literals() {
    for (arg, want) in [
        ("127.0.0.1", "127.0.0.1"),
        ("::1", "::1"),
        ("0:0:0:0:0:0:0:1", "::1"),
        ("2001:DB8::10", "2001:db8::10"),
    ] {
        let out = run(RESOLVE_IP, &[arg]);
        out.expect_code(0);
        assert_eq!(
            out.stdout,
            format!("Resolved address is {want}\n"),
            "{arg}"
        );
    }
}

#[test]
fn resolve_ip_usage_errors_exit_1() {
    // (Three arguments: exercise 1 makes a second one meaningful.)
    for args in [&[][..], &["localhost", "ip", "extra"][..]] {
        let out = run(RESOLVE_IP, args);
        assert_one_error_line(&out, 1, "Usage: resolve-ip hostname");
    }
}

#[test]
fn resolve_ip_unknown_names_exit_1() {
    for name in [NO_SUCH, "300.1.1.1", "a b", ""] {
        let out = run(RESOLVE_IP, &[name]);
        assert_one_error_line(
            &out,
            1,
            &format!("Resolution error lookup {name}: "),
        );
        // Go's words first, then getaddrinfo's own.
        assert!(out.stderr.contains("(getaddrinfo: "), "{}", out.describe());
    }
}

#[test]
fn resolve_ip_refuses_non_utf8_arguments() {
    let out = run_os(RESOLVE_IP, OsStr::from_bytes(b"local\xffhost"));
    assert_one_error_line(&out, 1, "Fatal error: argument ");
    assert!(out.stderr.contains("not valid UTF-8"), "{}", out.describe());
}

// --------------------------------------------------------------- lookup-host

#[test]
fn lookup_host_localhost_prints_what_getaddrinfo_gives() {
    let out = run(LOOKUP_HOST, &["localhost"]);
    out.expect_code(0);
    assert_eq!(lines(&out.stdout), getaddrinfo_order("localhost"));
}

#[test]
fn lookup_host_literals_come_back_unchanged() {
    for (arg, want) in [("127.0.0.1", "127.0.0.1"), ("::1", "::1")] {
        let out = run(LOOKUP_HOST, &[arg]);
        out.expect_code(0);
        assert_eq!(out.stdout, format!("{want}\n"));
    }
}

#[test]
fn lookup_host_bad_input() {
    assert_one_error_line(
        &run(LOOKUP_HOST, &[]),
        1,
        "Usage: lookup-host hostname",
    );
    assert_one_error_line(
        &run(LOOKUP_HOST, &["a", "b"]),
        1,
        "Usage: lookup-host hostname",
    );
    let out = run_os(LOOKUP_HOST, OsStr::from_bytes(b"\xff"));
    assert_one_error_line(&out, 1, "Fatal error: argument ");
    // Lookup failures exit 2, as in the book.
    for name in [NO_SUCH, "999.0.0.1", "bad name"] {
        let out = run(LOOKUP_HOST, &[name]);
        assert_one_error_line(&out, 2, &format!("Error: lookup {name}: "));
    }
}

// ----------------------------------------------------------------- look-host

#[test]
fn look_host_localhost() {
    let out = run(LOOK_HOST, &["localhost"]);
    out.expect_code(0);
    assert_eq!(lines(&out.stdout), getaddrinfo_order("localhost"));
}

#[test]
fn look_host_bad_input_exits_100() {
    assert_one_error_line(
        &run(LOOK_HOST, &[]),
        100,
        "Please provide an argument!",
    );
    assert_one_error_line(
        &run(LOOK_HOST, &["a", "b"]),
        100,
        "Too many arguments",
    );
    let out = run_os(LOOK_HOST, OsStr::from_bytes(b"\xfe"));
    assert_one_error_line(&out, 100, "argument ");
    for name in [NO_SUCH, "www.google", "-x"] {
        let out = run(LOOK_HOST, &[name]);
        assert_one_error_line(&out, 100, &format!("lookup {name}: "));
    }
}

#[test]
fn look_host_unknown_name_uses_gos_words_when_the_name_is_unknown() {
    // Where a DNS server answers, `.invalid` is NXDOMAIN: "no such
    // host", as Go says. Offline, getaddrinfo may say "temporary
    // failure" instead; both are one line naming the name.
    let out = run(LOOK_HOST, &[NO_SUCH]);
    assert!(
        out.stderr.contains(": no such host (getaddrinfo: ")
            || out.stderr.contains(": temporary failure"),
        "{}",
        out.describe()
    );
}

// ------------------------------------------------------------------- look-ip

/// The first name `getent hosts IP` gives (gethostbyaddr, same NSS
/// sources as getnameinfo), or None when it finds none.
fn reverse_by_getent(ip: &str) -> Option<String> {
    let text = getent("hosts", ip)?;
    text.split_whitespace().nth(1).map(String::from)
}

#[test]
fn look_ip_127_0_0_1_is_found_in_etc_hosts() {
    let want = reverse_by_getent("127.0.0.1")
        .expect("getent hosts 127.0.0.1 finds a name");
    let out = run(LOOK_IP, &["127.0.0.1"]);
    out.expect_code(0);
    assert_eq!(out.stdout, format!("{want}\n"));
}

#[test]
fn look_ip_agrees_with_getent_whatever_it_finds() {
    // ::1 may or may not be in /etc/hosts; 192.0.2.1 (a documentation
    // address) is in no database. Either way, we agree with getent.
    for ip in ["::1", "192.0.2.1"] {
        let out = run(LOOK_IP, &[ip]);
        match reverse_by_getent(ip) {
            Some(name) => {
                out.expect_code(0);
                assert_eq!(out.stdout, format!("{name}\n"));
            }
            None => assert_one_error_line(&out, 100, &format!("lookup {ip}: ")),
        }
    }
}

#[test]
fn look_ip_bad_input_exits_100() {
    assert_one_error_line(
        &run(LOOK_IP, &[]),
        100,
        "Please provide an IP address!",
    );
    assert_one_error_line(
        &run(LOOK_IP, &["1.2.3.4", "x"]),
        100,
        "Too many arguments",
    );
    for bad in ["288.8.8.8", "8.288.8.8", "localhost", "1.2.3", "::g", ""] {
        let out = run(LOOK_IP, &[bad]);
        assert_one_error_line(&out, 100, "Not a valid IP address!");
        assert!(
            out.stderr.contains(&format!("{bad:?}")),
            "{}",
            out.describe()
        );
    }
    let out = run_os(LOOK_IP, OsStr::from_bytes(b"127.0.0.\xff"));
    assert_one_error_line(&out, 100, "argument ");
}
