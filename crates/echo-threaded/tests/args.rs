//! Every program's bad command lines: one line on stderr, exit status
//! 1, nothing on stdout, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use testkit::{Cmd, Server, WAIT};

/// The shared listen.rs words for a port out of range, and for Go's
/// ":PORT", which every server gives.
const NOT_A_PORT: &str = "invalid port or address \"70000\": give a port \
                          (0 to 65535)";
const GO_COLON_PORT: &str = "Go's \":PORT\" (every interface) is written \
                             0.0.0.0:1301 or [::]:1301 here";

#[test]
fn every_server_names_the_port_problem() {
    for exe in [SIMPLE, THREADED, IP, SMOKE_SERVER] {
        bad_input(exe, &["70000"], &["Fatal error: ", NOT_A_PORT]);
        bad_input(exe, &[":1301"], &["Fatal error: ", GO_COLON_PORT]);
        bad_input(exe, &["-h"], &["usage: "]);
        bad_input(exe, &["1201", "extra"], &["usage: "]);
        bad_input(
            exe,
            &["192.0.2.1:0"],
            &["Fatal error: binding 192.0.2.1:0: no interface of this \
               machine has that address"],
        );
        let s = start(exe, &[]);
        let taken = s.addr.clone();
        bad_input(
            exe,
            &[&taken],
            &[&format!(
                "Fatal error: binding {taken}: address already in use"
            )],
        );
    }
}

#[test]
fn an_argument_that_is_not_utf8_is_refused_in_one_line() {
    let bad = OsStr::from_bytes(b"\xff:1201");
    for exe in [SIMPLE, THREADED, IP, SMOKE_SERVER, SMOKE_CLIENT] {
        let out = Cmd::new(exe).args([bad]).timeout(WAIT).run();
        assert_eq!(out.code, Some(1), "{exe}: {}", out.describe());
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
        assert!(
            out.stderr
                .contains(r#"argument "\xff:1201" is not valid UTF-8"#),
            "{}",
            out.describe()
        );
    }
    let out = Cmd::new(THREADED)
        .args([OsStr::new("--keepalive"), OsStr::from_bytes(b"\xff")])
        .run();
    out.expect_code(1);
    assert!(out.stderr.starts_with("Fatal error: argument"), "{out:?}");
}

#[test]
fn the_threaded_server_s_options() {
    let usage = "usage: threaded-echo-server [--idle-timeout SECS] \
                 [--keepalive SECS]";
    bad_input(THREADED, &["--bogus"], &[usage]);
    bad_input(THREADED, &["--idle-timeout"], &[usage]);
    let secs = "wants a whole number of seconds from 1 to 86400";
    bad_input(
        THREADED,
        &["--idle-timeout", "0"],
        &["Fatal error: --idle-timeout", secs],
    );
    bad_input(
        THREADED,
        &["--keepalive", "soon"],
        &["Fatal error: --keepalive", secs],
    );
}

#[test]
fn servers_that_take_an_address_refuse_a_name() {
    for exe in [SIMPLE, THREADED, SMOKE_SERVER] {
        bad_input(
            exe,
            &["localhost:1201"],
            &["Fatal error: invalid port or address \"localhost:1201\""],
        );
    }
}

#[test]
fn the_smoke_test_server_is_ipv4_only() {
    bad_input(
        SMOKE_SERVER,
        &["[::1]:0"],
        &[
            "Fatal error: [::1]:0 is an IPv6 address",
            "net.Listen(\"tcp4\"",
            "threaded-ip-echo-server",
        ],
    );
}

#[test]
fn the_generic_server_wants_a_port_it_can_use() {
    bad_input(
        IP,
        &["junk"],
        &["Fatal error: invalid address \"junk\": give a port"],
    );
    bad_input(
        IP,
        &["localhost:http"],
        &["Fatal error: invalid port \"http\" in \"localhost:http\""],
    );
    bad_input(
        IP,
        &["localhost:99999"],
        &["Fatal error: invalid port \"99999\"", "0 to 65535"],
    );
    bad_input(
        IP,
        &["no.such.host.invalid:1200"],
        &[
            "Fatal error: looking up no.such.host.invalid (to listen on \
           port 1200): failed to lookup address information",
        ],
    );
    let s = Server::start(IP, &["[::1]:0"]);
    let taken = s.addr.clone();
    bad_input(IP, &[&taken], &["address already in use"]);
}

#[test]
fn the_smoke_test_client_s_arguments() {
    let usage = "usage: smoke-test-client [HOST:PORT [MESSAGE]]";
    bad_input(SMOKE_CLIENT, &["a:1", "b", "c"], &[usage]);
    bad_input(SMOKE_CLIENT, &["--help"], &[usage]);
    bad_input(
        SMOKE_CLIENT,
        &["nohostport"],
        &[
            "ResolveTCPAddr failed: nohostport (give HOST:PORT",
            "invalid socket address",
        ],
    );
    bad_input(
        SMOKE_CLIENT,
        &["localhost:99999"],
        &[
            "ResolveTCPAddr failed: localhost:99999",
            "invalid port value",
        ],
    );
    bad_input(
        SMOKE_CLIENT,
        &["no.such.host.invalid:3333"],
        &["ResolveTCPAddr failed: no.such.host.invalid:3333"],
    );
    let free = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    bad_input(
        SMOKE_CLIENT,
        &[&free.to_string()],
        &[&format!(
            "Dial failed: connecting to {free}: Connection refused"
        )],
    );
}

/// A bad NETPROG_TIME_SCALE (the factor for the time limits) is
/// refused at start by every program that has a limit: one line that
/// names the variable and its value, status 1, nothing on stdout
/// (so no server got as far as `listening on`).
#[test]
fn a_bad_time_scale_is_refused_in_one_line() {
    let programs: [(&str, &[&str]); 4] = [
        (SMOKE_CLIENT, &["127.0.0.1:9"]),
        (THREADED, &["--idle-timeout", "5", "0"]),
        (IP, &["0"]),
        (SMOKE_SERVER, &["0"]),
    ];
    for (exe, args) in programs {
        for value in ["0", "1000", "fast", ""] {
            let out = Cmd::new(exe)
                .args(args)
                .env(TIME_SCALE, value)
                .timeout(WAIT)
                .run();
            assert_eq!(
                out.code,
                Some(1),
                "{exe} {value:?}: {}",
                out.describe()
            );
            let want = format!(
                "{TIME_SCALE}=\"{value}\" is not a factor from 0.01 to 100"
            );
            assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
            assert!(out.stderr.contains(&want), "{}", out.describe());
            assert_eq!(out.stdout, "", "{}", out.describe());
        }
    }
}
