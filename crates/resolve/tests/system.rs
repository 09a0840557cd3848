//! resolve-ip, lookup-host, look-host and look-ip: lookups through the
//! system resolver, offline. Expected answers come from `getent`, which
//! asks the same C library (getaddrinfo / gethostbyaddr), or from Go
//! (the tests' program go/lookup.go), never from the code under test.
//! RES_OPTIONS bounds any DNS wait of the C library to one second.
//!
//! The last test builds a small world of its own: a user, mount and
//! network namespace (unshare(1)) with its own /etc/hosts and
//! /etc/resolv.conf and a DNS server of the test's on 127.0.0.1:53, to
//! see what the C library and Go say when a server answers SERVFAIL
//! or REFUSED, and how each orders a Debian-style /etc/hosts.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::{go, go_lookup};
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

/// Every address getaddrinfo gives for `name`, in its order. `getent
/// ahosts` prints each address once per socket type; the programs ask
/// for stream sockets, so keep the STREAM lines.
fn getaddrinfo_order(name: &str) -> Vec<String> {
    let text = getent("ahosts", name).expect("getent ahosts works");
    text.lines()
        .filter(|l| l.split_whitespace().nth(1) == Some("STREAM"))
        .map(|l| l.split_whitespace().next().unwrap().to_string())
        .collect()
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
        // Go's words first, then the C library's own, in parentheses.
        assert!(
            out.stderr.contains(": ") && out.stderr.ends_with(")\n"),
            "{}",
            out.describe()
        );
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
        out.stderr.contains(": no such host (")
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

// ------------------------------------------------------- measured with Go

/// The names /etc/hosts gives `ip`, in file order, read here with a
/// parser of the test's own (the format is hosts(5): an address, then
/// names; `#` starts a comment).
fn hosts_names(ip: &str) -> Vec<String> {
    let text = std::fs::read_to_string("/etc/hosts").unwrap_or_default();
    let want: std::net::IpAddr = ip.parse().unwrap();
    let mut names = Vec::new();
    for line in text.lines() {
        let line = line.split('#').next().unwrap();
        let mut words = line.split_whitespace();
        if words.next().and_then(|a| a.parse().ok()) == Some(want) {
            names.extend(words.map(String::from));
        }
    }
    names
}

#[test]
fn go_lookup_addr_gives_every_name_getnameinfo_one() {
    let Some(bin) = go_lookup() else { return };
    let names = hosts_names("127.0.0.1");
    assert!(!names.is_empty(), "/etc/hosts has a name for 127.0.0.1");
    // Go: every name of the line(s), a final dot only on names that
    // contain a dot (absDomainName in net/dnsclient.go, Go 1.19).
    let want: Vec<String> = names
        .iter()
        .map(|n| match n.contains('.') && !n.ends_with('.') {
            true => format!("{n}."),
            false => n.clone(),
        })
        .collect();
    for ip in ["127.0.0.1", "::ffff:127.0.0.1"] {
        let from_go = go(&bin, &["addr", ip]);
        from_go.expect_code(0);
        assert_eq!(lines(&from_go.stdout), want, "{ip}");
        // look-ip: getnameinfo's one name, the first; the mapped form
        // is asked as the IPv4 address it carries, as Go does.
        let out = run(LOOK_IP, &[ip]);
        out.expect_code(0);
        assert_eq!(out.stdout, format!("{}\n", names[0]), "{ip}");
    }
}

#[test]
fn literals_come_back_as_go_gives_them() {
    let Some(bin) = go_lookup() else { return };
    // LookupHost: a literal exactly as written, zone and all.
    for lit in [
        "127.0.0.1",
        "0:0:0:0:0:0:0:1",
        "fe80::1%lo",
        "::FFFF:1.2.3.4",
    ] {
        let from_go = go(&bin, &["host", lit]);
        assert_eq!(from_go.stdout, format!("{lit}\n"), "{lit}");
        for exe in [LOOKUP_HOST, LOOK_HOST] {
            let out = run(exe, &[lit]);
            out.expect_code(0);
            assert_eq!(out.stdout, from_go.stdout, "{exe} {lit}");
        }
    }
    // ResolveIPAddr: the address in its short form, the zone kept as
    // text (not checked against the interfaces), a mapped address as
    // IPv4.
    for name in [
        "localhost",
        "0:0:0:0:0:0:0:1",
        "fe80::1%lo",
        "fe80:0::1%nosuchif",
        "::ffff:127.0.0.1",
    ] {
        let from_go = go(&bin, &["ip", name]);
        from_go.expect_code(0);
        let out = run(RESOLVE_IP, &[name]);
        out.expect_code(0);
        assert_eq!(
            out.stdout,
            format!("Resolved address is {}", from_go.stdout),
            "{name}"
        );
    }
}

#[test]
fn inet_aton_forms_are_addresses_to_glibc_but_names_to_go() {
    // glibc's getaddrinfo reads `127.1` and `010.0.0.1` with
    // inet_aton(3): 127.0.0.1, and 8.0.0.1 (a leading 0 means octal).
    // Go's ParseIP refuses both, so they are names to look up, which
    // its resolver does not even send (all digits: not a domain name).
    let Some(bin) = go_lookup() else { return };
    for (name, glibc) in [("127.1", "127.0.0.1"), ("010.0.0.1", "8.0.0.1")] {
        assert_eq!(getaddrinfo_order(name), [glibc], "getent ahosts {name}");
        let out = run(RESOLVE_IP, &[name]);
        assert_eq!(out.stdout, format!("Resolved address is {glibc}\n"));
        let from_go = go(&bin, &["ip", name]);
        assert_eq!(
            from_go.stdout,
            format!("error: lookup {name}: no such host\n"),
            "{}",
            from_go.describe()
        );
    }
}

#[test]
fn std_parses_addresses_as_go_parse_ip_does() {
    // look-ip's claim: `str::parse::<IpAddr>` accepts and refuses the
    // same strings as Go's net.ParseIP.
    let Some(bin) = go_lookup() else { return };
    for text in [
        "127.0.0.1",
        "288.8.8.8",
        "8.288.8.8",
        "1.2.3",
        "127.1",
        "01.2.3.4",
        "::1",
        "::g",
        "::ffff:1.2.3.4",
        "fe80::1%lo",
        "1::2::3",
        "localhost",
        "",
    ] {
        let from_go = go(&bin, &["parse", text]);
        let go_refuses = from_go.stdout == "<nil>\n";
        let std_refuses = text.parse::<std::net::IpAddr>().is_err();
        assert_eq!(go_refuses, std_refuses, "{text:?}: {}", from_go.stdout);
    }
}

// --------------------------------------------- a namespace of our own

/// Set for the copy of this test that runs inside the namespace.
const INSIDE: &str = "NETPROG_RESOLVE_INSIDE";
/// The Go program's path, handed to the copy inside.
const GO_BIN: &str = "NETPROG_RESOLVE_GO";

/// A Debian-style /etc/hosts: an IPv4 and an IPv6 line for
/// localhost, and the machine's own name with a dot in it.
const DEBIAN_HOSTS: &str = "127.0.0.1\tlocalhost
127.0.1.1\tbox.example.test\tbox

# The following lines are desirable for IPv6 capable hosts
::1     localhost ip6-localhost ip6-loopback
ff02::1 ip6-allnodes
";

/// `tool` on PATH or in the sbin folders a normal user's PATH lacks.
fn find_tool(tool: &str) -> Option<String> {
    ["/usr/sbin", "/sbin", "/usr/bin", "/bin"]
        .iter()
        .map(|d| format!("{d}/{tool}"))
        .find(|p| std::path::Path::new(p).exists())
        .or_else(|| testkit::have_tool(tool).then(|| tool.to_string()))
}

#[test]
fn the_c_library_and_go_against_a_dns_server_of_our_own() {
    if std::env::var_os(INSIDE).is_some() {
        inside_the_namespace();
        return;
    }
    let mut tools = Vec::new();
    for tool in ["unshare", "ip", "mount"] {
        match find_tool(tool) {
            Some(path) => tools.push(path),
            None => {
                testkit::need_tool(tool, "util-linux and iproute2");
                return;
            }
        }
    }
    let Some(go_bin) = go_lookup() else { return };
    let dir = testkit::TempDir::new("resolve-netns");
    let resolv_conf = dir.path().join("resolv.conf");
    let hosts = dir.path().join("hosts");
    std::fs::write(&resolv_conf, "nameserver 127.0.0.1\n").unwrap();
    std::fs::write(&hosts, DEBIAN_HOSTS).unwrap();
    // A new user namespace (-r) lets a normal user mount and own port
    // 53 there; where a system turns such namespaces off, root can do
    // without one. The namespaces end with the last process in them.
    let unshare = &tools[0];
    let flags =
        if Cmd::new(unshare).args(["-rmn", "true"]).run().code == Some(0) {
            "-rmn"
        } else if testkit::need_root("unprivileged user namespaces are off") {
            "-mn"
        } else {
            return;
        };
    let script = format!(
        "{ip} link set lo up && {mount} --bind \"$1\" /etc/resolv.conf && \
         {mount} --bind \"$2\" /etc/hosts && \
         exec \"$0\" --exact {name} --nocapture --test-threads=1",
        ip = tools[1],
        mount = tools[2],
        name =
            test_name("the_c_library_and_go_against_a_dns_server_of_our_own"),
    );
    let me = std::env::current_exe().unwrap();
    let out = Cmd::new(unshare)
        .args([flags, "--", "sh", "-c", &script])
        .args([me.as_os_str(), resolv_conf.as_os_str(), hosts.as_os_str()])
        .env(INSIDE, "1")
        .env(GO_BIN, &go_bin)
        .timeout(std::time::Duration::from_secs(60))
        .run();
    assert!(
        out.code == Some(0) && out.stdout.contains("1 passed"),
        "inside the namespace:\n{}",
        out.describe()
    );
}

/// A DNS server on 127.0.0.1:53 that answers by the first label of
/// the name asked: `servfail.*` SERVFAIL, `refused.*` REFUSED,
/// `silent.*` nothing at all, anything else NXDOMAIN. Raw bytes, so
/// that nothing here depends on the crate's codec.
fn start_dns_server() {
    let sock = std::net::UdpSocket::bind("127.0.0.1:53")
        .expect("port 53 inside our own namespace");
    std::thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) =
            testkit::retry_eintr(|| sock.recv_from(&mut buf))
        {
            let q = &buf[..n];
            let Some(&len) = q.get(12) else { continue };
            let label = q.get(13..13 + usize::from(len)).unwrap_or_default();
            let rcode = match label {
                b"silent" => continue,
                b"servfail" => 2,
                b"refused" => 5,
                _ => 3,
            };
            // Header: its id, QR + RD + RA and the code, one question
            // (copied, without what followed it), no records.
            let mut end = 12;
            while let Some(&l) = q.get(end).filter(|&&l| l != 0) {
                end += 1 + usize::from(l);
            }
            let Some(question) = q.get(12..end + 5) else {
                continue;
            };
            let mut a = vec![q[0], q[1], 0x81, 0x80 | rcode, 0, 1, 0, 0];
            a.extend_from_slice(&[0, 0, 0, 0]);
            a.extend_from_slice(question);
            let _ = sock.send_to(&a, peer);
        }
    });
}

fn inside_the_namespace() {
    start_dns_server();
    let go_bin = std::path::PathBuf::from(std::env::var_os(GO_BIN).unwrap());
    let temporary = "(Temporary failure in name resolution)";
    // What the C library answers (through look-host and getent), and
    // what Go's own resolver says, for each kind of answer.
    for (name, c_library, go_words) in [
        ("servfail.test", temporary, ": server misbehaving"),
        ("refused.test", temporary, ": server misbehaving"),
        ("silent.test", temporary, "i/o timeout"),
        (
            "nxdomain.test",
            "no such host (Name or service not known)",
            ": no such host",
        ),
    ] {
        // The three ask at once. A silent server costs each of them its
        // whole limit: 1 s for the C library (RES_OPTIONS above; glibc
        // waits at least a second), which Go is given too; one after
        // the other, they would wait three times as long.
        let go_limit = if name == "silent.test" { "1" } else { "2" };
        let (from_getent, out, from_go) = std::thread::scope(|s| {
            let getent = s.spawn(|| getent("ahosts", name));
            let look_host = s.spawn(|| run(LOOK_HOST, &[name]));
            let from_go = go(&go_bin, &["-timeout", go_limit, "host", name]);
            (getent.join().unwrap(), look_host.join().unwrap(), from_go)
        });
        assert_eq!(from_getent, None, "getent ahosts {name}");
        assert_one_error_line(&out, 100, &format!("lookup {name}: "));
        assert!(out.stderr.contains(c_library), "{}", out.describe());
        if c_library == temporary {
            assert!(
                out.stderr.contains("it said SERVFAIL or REFUSED"),
                "{}",
                out.describe()
            );
        }
        assert!(
            from_go.code == Some(1) && from_go.stdout.contains(go_words),
            "Go, {name}: {}",
            from_go.describe()
        );
    }

    // A Debian-style /etc/hosts: getaddrinfo sorts the addresses by
    // RFC 6724 (::1 first), Go's own resolver keeps the file's order,
    // and ResolveIPAddr picks the IPv4 one either way.
    let both = getaddrinfo_order("localhost");
    assert_eq!(both, ["::1", "127.0.0.1"]);
    let out = run(LOOKUP_HOST, &["localhost"]);
    assert_eq!(lines(&out.stdout), both);
    let from_go = go(&go_bin, &["host", "localhost"]);
    assert_eq!(lines(&from_go.stdout), ["127.0.0.1", "::1"]);
    let out = run(RESOLVE_IP, &["localhost"]);
    assert_eq!(out.stdout, "Resolved address is 127.0.0.1\n");
    let from_go = go(&go_bin, &["ip", "localhost"]);
    assert_eq!(from_go.stdout, "127.0.0.1\n");

    // Reverse: Go gives every name of the line, with a final dot on
    // the one that contains a dot; getnameinfo gives the first, as the
    // file spells it.
    let from_go = go(&go_bin, &["addr", "127.0.1.1"]);
    assert_eq!(lines(&from_go.stdout), ["box.example.test.", "box"]);
    let out = run(LOOK_IP, &["127.0.1.1"]);
    assert_eq!(out.stdout, "box.example.test\n");
}

#[test]
fn go_words_for_the_networks_of_exercise_1() {
    // The page's exercise 1 quotes these; here is Go saying them.
    let Some(bin) = go_lookup() else { return };
    for (args, want) in [
        (
            ["ip4", "::1"],
            "error: address ::1: no suitable address found\n",
        ),
        (
            ["ip6", "127.0.0.1"],
            "error: address 127.0.0.1: no suitable address found\n",
        ),
        (["tcp", "localhost"], "error: unknown network tcp\n"),
        (["ip4", "127.0.0.1"], "127.0.0.1\n"),
        (["ip6", "::1"], "::1\n"),
    ] {
        let from_go = go(&bin, &args);
        assert_eq!(from_go.stdout, want, "{args:?}");
    }
}

/// A test's name as libtest knows it (`--exact` wants it): its path
/// below the test binary's root, such as `system::NAME` when this file
/// is a module of tests/suite.rs.
fn test_name(name: &str) -> String {
    match module_path!().split_once("::") {
        Some((_, module)) => format!("{module}::{name}"),
        None => name.to_string(),
    }
}
