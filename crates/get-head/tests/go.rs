//! What Go does, measured: go/dial.go is built and run, and these
//! tests pin the page's claims about Go's words and ways. Without Go
//! they are skipped with a printed reason (under CI=true they fail).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use support::closed_port;
use testkit::Cmd;

const GET_HEAD_INFO: &str = env!("CARGO_BIN_EXE_get-head-info");

/// Run go/dial.go; its stdout lines.
fn go(args: &[&str]) -> Option<Vec<String>> {
    let bin = testkit::go_program(env!("CARGO_MANIFEST_DIR"), "dial")?;
    let out = Cmd::new(bin.to_str().unwrap()).args(args).run();
    out.expect_code(0);
    Some(out.stdout.lines().map(str::to_string).collect())
}

/// Every malformed `host:port` gets Go's own words from
/// split_host_port (the programs add `Fatal error: `).
#[test]
fn split_host_port_speaks_go_s_words() {
    let cases = [
        "localhost",
        "",
        "::1:80",
        "[::1:80",
        "[::1]",
        "local]host:80",
        "http://localhost:8000",
        "[::1]:80:81",
        "[::1]x:80",
        "a[b:80",
        "[a]:8]0",
        "[a[b]:80",
        "é",
    ];
    let mut args = vec!["split"];
    args.extend(cases);
    let Some(lines) = go(&args) else { return };
    for (case, line) in cases.iter().zip(&lines) {
        let ours = get_head::split_host_port(case).unwrap_err().to_string();
        assert_eq!(line, &format!("error: {ours}"), "{case:?}");
    }
}

/// Go refuses a port past 65535 with the words we use, but takes a
/// service name and an empty port (0), which we refuse (the page says
/// so).
#[test]
fn go_s_ports() {
    let Some(lines) = go(&["resolve4", "localhost:99999"]) else {
        return;
    };
    let ours = get_head::parse_port("99999", "localhost:99999").unwrap_err();
    assert_eq!(lines, [format!("error: {ours}")]);
    let Some(lines) = go(&["resolve4", "localhost:http"]) else {
        return;
    };
    assert_eq!(lines, ["ok 127.0.0.1:80"]);
    let Some(lines) = go(&["resolve4", "localhost:"]) else {
        return;
    };
    assert_eq!(lines, ["ok 127.0.0.1:0"]);
}

/// Go's words for a refused connection, for both programs' ways of
/// dialing: `dial tcp ADDR: connect: connection refused`.
#[test]
fn go_s_refused_connection() {
    let port = closed_port();
    let addr = format!("127.0.0.1:{port}");
    let want = format!("error: dial tcp {addr}: connect: connection refused");
    for mode in ["tcp4", "dial"] {
        let Some(lines) = go(&[mode, &addr]) else {
            return;
        };
        assert_eq!(lines, std::slice::from_ref(&want), "{mode}");
    }
    let out = Cmd::new(GET_HEAD_INFO).args([&addr]).run();
    assert_eq!(
        out.stderr.trim_end(),
        format!(
            "Fatal error: connecting to {addr}: Connection refused (os \
             error 111)"
        )
    );
}

/// An IPv6 literal for "tcp4": Go says there is no suitable address.
#[test]
fn go_s_tcp4_refuses_an_ipv6_address() {
    let Some(lines) = go(&["resolve4", "[::1]:8000"]) else {
        return;
    };
    assert_eq!(lines, ["error: address ::1: no suitable address found"]);
}

/// An empty host means this machine in Go: it connects to the
/// unspecified address, which Linux takes for loopback, so the peer is
/// 127.0.0.1. An empty port is port 0, which Linux refuses.
#[test]
fn go_s_empty_host_and_empty_port() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let empty_host = format!(":{port}");
    for mode in ["tcp4", "dial"] {
        let Some(lines) = go(&[mode, &empty_host]) else {
            return;
        };
        assert_eq!(lines, [format!("ok 127.0.0.1:{port}")], "{mode}");
    }
    let Some(lines) = go(&["dial", "127.0.0.1:"]) else {
        return;
    };
    assert_eq!(
        lines,
        ["error: dial tcp 127.0.0.1:0: connect: connection refused"]
    );
}
