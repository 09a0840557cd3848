//! What Go's `net.LookupPort` answers, measured with the tests' Go
//! program (go/port.go), beside what lookup-port answers: the page's
//! claims about Go are pinned here. Both read this machine's
//! /etc/services (or, without it, only the built-in table).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use testkit::Cmd;

const EXE: &str = env!("CARGO_BIN_EXE_lookup-port");

fn go_port() -> Option<PathBuf> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), "port")
}

/// Go's answers, one line per service. `netdns` chooses Go's own
/// resolver (`go`) or the C library's (`cgo`).
fn go(
    bin: &Path,
    netdns: &str,
    network: &str,
    services: &[&str],
) -> Vec<String> {
    let mut args = vec![network];
    args.extend_from_slice(services);
    let out = Cmd::new(bin.to_str().unwrap())
        .args(args)
        .env("GODEBUG", format!("netdns={netdns}"))
        .run();
    out.expect_code(0);
    out.stdout.lines().map(String::from).collect()
}

/// `go env NAME` of the Go that built the programs.
fn go_env(name: &str) -> String {
    let go = testkit::go_command().expect("go is there: it built port.go");
    let out = Cmd::new(go.to_str().unwrap()).args(["env", name]).run();
    out.stdout.trim().to_string()
}

/// The page quotes Go 1.19, the Go of Debian 12 and of CI. With
/// another Go the tests compare what must not change: the ports, and
/// that an error is an error.
fn is_go_1_19() -> bool {
    let v = go_env("GOVERSION");
    v == "go1.19" || v.starts_with("go1.19.")
}

/// lookup-port's answer line, reading /etc/services as Go does (a
/// NETPROG_SERVICES of the caller's is overridden).
fn ours(network: &str, service: &str) -> String {
    let out = Cmd::new(EXE)
        .args([network, service])
        .env("NETPROG_SERVICES", "/etc/services")
        .run();
    // Without the file, a `note:` line comes first: take the answer.
    let text = format!("{}{}", out.stdout, out.stderr);
    text.lines().last().unwrap_or_default().to_string()
}

#[test]
fn lookup_port_answers_as_go_does() {
    let Some(bin) = go_port() else { return };
    let services = [
        "telnet",
        "TELNET",
        "Ssh",
        "domain",
        "nosuchservice",
        " 23",
        "+-5",
        "23",
        "+80",
        "0",
        "",
        "+",
        "-",
        "-1",
        "65535",
        "65536",
        "99999999999x",
        "10737418240x",
        "1073741824x",
        "123456789012345678901234567890",
    ];
    let exact = is_go_1_19();
    for network in ["tcp", "udp", "tcp4", "udp6", "sctp", "", "TCP"] {
        let from_go = go(&bin, "go", network, &services);
        for (service, go_says) in services.iter().zip(&from_go) {
            let ours = ours(network, service);
            let same = match exact {
                true => &ours == go_says,
                false => match go_says.starts_with("Error: ") {
                    true => ours.starts_with("Error: "),
                    false => &ours == go_says,
                },
            };
            assert!(same, "{network:?} {service:?}: {ours:?}, Go {go_says:?}");
        }
    }
}

#[test]
fn go_wraps_numbers_past_2_to_the_32_round_and_we_do_not() {
    // Go 1.19's parsePort keeps the number in a uint32 and multiplies
    // it by ten unchecked (net/port.go): a product past 2^32 wraps
    // round, and Go reads on from the small number. Only adding the
    // digit is checked: when that passes 2^32, Go stops. lookup-port
    // does not wrap: a bug is not copied (golang/go#80168).
    let Some(bin) = go_port() else { return };
    let cases = [
        ("4294967300", "Service port 4"),   // 2^32 + 4
        ("8589934672", "Service port 80"),  // 2 * 2^32 + 80
        ("42949673000", "Service port 40"), // 4, then one more digit
        ("47244640260", "Service port 4"),  // wraps at digits 10 and 11
        // 429496729 * 10 fits in 32 bits; adding the 6 passes 2^32.
        ("4294967296", "Error: address 4294967296: invalid port"),
        (
            "42949673000x",
            "Error: address tcp/42949673000x: unknown port",
        ),
    ];
    let services: Vec<&str> = cases.iter().map(|c| c.0).collect();
    if is_go_1_19() {
        let from_go = go(&bin, "go", "tcp", &services);
        let expected: Vec<&str> = cases.iter().map(|c| c.1).collect();
        assert_eq!(from_go, expected, "Go 1.19 on {services:?}");
    }
    for service in services {
        assert_eq!(
            ours("tcp", service),
            format!("Error: address {service}: invalid port")
        );
    }
}

#[test]
fn with_cgo_go_asks_getaddrinfo_which_reads_differently() {
    // Go's cgo resolver calls getaddrinfo(NULL, service): the C
    // library reads the number with strtoul, which skips leading
    // spaces, and words its errors itself.
    let Some(bin) = go_port() else { return };
    if !testkit::need_tool("gcc", "Go's cgo resolver needs a C compiler") {
        return;
    }
    let from_go = go(&bin, "cgo", "tcp", &[" 23", "nosuchservice", "telnet"]);
    assert_eq!(from_go[0], "Service port 23");
    // The page quotes Go 1.19's whole line: a *net.DNSError naming
    // network/service, with glibc's gai_strerror(EAI_SERVICE) words.
    let words = "Servname not supported for ai_socktype";
    match is_go_1_19() {
        true => assert_eq!(
            from_go[1],
            format!("Error: lookup tcp/nosuchservice: {words}")
        ),
        false => assert!(from_go[1].ends_with(words), "{from_go:?}"),
    }
    assert_eq!(from_go[2], "Service port 23");
    // An empty network is "ip", which cgoLookupPort refuses before it
    // calls getaddrinfo (net/cgo_unix.go); Go's own table and the
    // file, tried next, have no "ip" entries, so that error stands.
    let ip = go(&bin, "cgo", "", &["telnet"]);
    if is_go_1_19() {
        assert_eq!(ip, ["Error: lookup ip/telnet: unknown network"]);
    }
    // Go's own resolver, and lookup-port, read " 23" as a name.
    assert_eq!(ours("tcp", " 23"), "Error: address tcp/ 23: unknown port");
}

#[test]
fn when_the_c_library_fails_go_still_tries_its_own_table() {
    // net/lookup_unix.go: if cgo's getaddrinfo fails, Go looks in its
    // own table and file before it reports the error. imap3 is in
    // Go's table; when the file lacks it (Debian 12's does), glibc
    // cannot know it and only that second try can answer.
    let Some(bin) = go_port() else { return };
    if !testkit::need_tool("gcc", "Go's cgo resolver needs a C compiler") {
        return;
    }
    let file = std::fs::read("/etc/services").unwrap_or_default();
    let file = lookup_port::parse_services(&String::from_utf8_lossy(&file));
    let listed = file.iter().any(|s| s.names.iter().any(|n| n == "imap3"));
    if listed {
        println!("note: /etc/services lists imap3: glibc answers it");
    }
    let from_go = go(&bin, "cgo", "tcp", &["imap3"]);
    assert_eq!(from_go, [ours("tcp", "imap3")]);
    if !listed {
        assert_eq!(from_go, ["Service port 220"]);
    }
}

#[test]
fn res_options_alone_makes_go_ask_the_c_library_for_ports() {
    // canUseCgo (net/conf.go) is hostLookupOrder for an empty host
    // name, and RES_OPTIONS forces cgo there. The C library reads
    // " 23" as 23; Go's own resolver takes it for a name.
    let Some(bin) = go_port() else { return };
    if !testkit::need_tool("gcc", "Go's cgo resolver needs a C compiler") {
        return;
    }
    let run = |res_options: Option<&str>, netdns: &str| {
        let mut cmd = std::process::Command::new(&bin);
        cmd.args(["tcp", " 23"]).env("GODEBUG", netdns);
        for var in ["RES_OPTIONS", "LOCALDOMAIN", "HOSTALIASES"] {
            cmd.env_remove(var);
        }
        if let Some(value) = res_options {
            cmd.env("RES_OPTIONS", value);
        }
        let out = Cmd::from_command(cmd).run();
        out.expect_code(0);
        out.stdout.trim().to_string()
    };
    // No GODEBUG setting: Go decides, and RES_OPTIONS decides it.
    assert_eq!(run(Some("ndots:1"), ""), "Service port 23");
    // netdns=go wins over RES_OPTIONS: Go's own resolver.
    let own = run(Some("ndots:1"), "netdns=go");
    match is_go_1_19() {
        true => assert_eq!(own, "Error: address tcp/ 23: unknown port"),
        false => assert!(own.starts_with("Error: "), "{own:?}"),
    }
}

#[test]
fn the_builtin_table_is_go_1_19s() {
    // Go keeps the table in the `services` map of net/lookup.go; read
    // it from the installed Go's source and compare.
    let Some(_) = go_port() else { return };
    let root = PathBuf::from(go_env("GOROOT"));
    let source = std::fs::read_to_string(root.join("src/net/lookup.go"))
        .expect("Go's source of net/lookup.go");
    let start = source
        .find("var services = map[string]map[string]int{")
        .expect("the services map");
    let body = &source[start..];
    let body = &body[..body.find("\n}\n").expect("its end")];
    let mut table = Vec::new();
    let mut network = String::new();
    for line in body.lines().skip(1) {
        let line = line.split("//").next().unwrap().trim();
        if let Some(net) = line.strip_suffix(": {") {
            network = net.trim_matches('"').to_string();
        } else if let Some((name, port)) = line.split_once(':') {
            let port = port.trim().trim_end_matches(',');
            table.push((
                network.clone(),
                name.trim().trim_matches('"').to_string(),
                port.parse::<u32>().expect("a port"),
            ));
        }
    }
    let mut ours: Vec<(String, String, u32)> = lookup_port::BUILTIN
        .iter()
        .map(|&(n, s, p)| (n.to_string(), s.to_string(), p))
        .collect();
    table.sort();
    ours.sort();
    if is_go_1_19() {
        assert_eq!(ours, table, "BUILTIN and Go 1.19's table");
    } else {
        // Later releases add entries; none of ours may be missing.
        for entry in &ours {
            assert!(table.contains(entry), "{entry:?} is not in Go's table");
        }
    }
}
