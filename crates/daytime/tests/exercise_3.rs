//! Check for exercise 3 of docs/src/daytime.md: `daytime-server --log`
//! prints, for each client, the client's address and the address the
//! client called: `PEER -> LOCAL`, where LOCAL is the accepted
//! connection's own address (getsockname), not the listener's.
//! Run it with `scripts/exercise daytime 3`, as root: it builds a lab
//! (scripts/lab) with alice and bob on one LAN.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use testkit::{Cmd, Lab, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_daytime-client");

/// A lab, or a failure that says why there is none: a check never
/// passes what it could not run.
fn lab(tag: char) -> Lab {
    Lab::up(tag).unwrap_or_else(|| {
        panic!(
            "NOT CHECKED: this check builds a lab of network namespaces, \
             which needs root (docs/src/setup.md, running the tests as \
             root)"
        )
    })
}

/// `daytime-server ARGS` in bob, started until `listening on`.
fn serve(lab: &Lab, args: &[&str]) -> Server {
    let probe = Cmd::from_command(lab.exec("bob", &[&[SERVER], args].concat()))
        .timeout(Duration::from_millis(800))
        .run();
    assert!(
        probe.timed_out,
        "hint: `daytime-server {}` should start and keep serving; it \
         exited with status {:?} saying {:?}. Teach main() the --log \
         option, before the address.",
        args.join(" "),
        probe.code,
        probe.stderr.trim_end()
    );
    Server::start_cmd(lab.exec("bob", &[&[SERVER], args].concat()), false)
}

/// Ask for the time from `host` (in the lab) at `target`.
fn ask(lab: &Lab, host: &str, target: &str) {
    let out = Cmd::from_command(lab.exec(host, &[CLIENT, target]))
        .timeout(Duration::from_secs(20))
        .run();
    assert_eq!(
        out.code,
        Some(0),
        "hint: the server should still send the time to every client \
         (from {host} to {target})\n{}",
        out.describe()
    );
}

/// Wait for the line about a client from `peer_ip` that called
/// `local`; explain what came instead.
fn expect_line(server: &Server, peer_ip: &str, local: &str, called: &str) {
    let want = |l: &str| {
        l.strip_suffix(&format!(" -> {local}"))
            .and_then(|p| p.strip_prefix(peer_ip))
            .is_some_and(|port| {
                port.strip_prefix(':')
                    .is_some_and(|p| p.parse::<u16>().is_ok())
            })
    };
    if server.wait_line(want, Duration::from_secs(5)).is_some() {
        return;
    }
    let lines = server.stdout();
    let printed = lines.join("\n");
    let wildcard = lines.iter().any(|l| {
        l.ends_with(" -> 0.0.0.0:1200") || l.ends_with(" -> [::]:1200")
    });
    assert!(
        !wildcard,
        "hint: the line names the listening socket's address (the \
         wildcard it was bound to), which is the same for every client. \
         Each accepted connection has an address of its own, the one \
         the client called: TcpStream::local_addr() (getsockname, Go's \
         conn.LocalAddr()).\nThe server printed:\n{printed}"
    );
    panic!(
        "hint: after a client from {peer_ip} called {called}, the server \
         should print `{peer_ip}:PORT -> {local}` on stdout (the client's \
         address, then the address it called).\nThe server printed:\n\
         {printed}"
    );
}

#[test]
fn each_client_is_logged_with_the_address_it_called() {
    let lab = lab('3');
    let server = serve(&lab, &["--log", "0.0.0.0:1200"]);
    ask(&lab, "alice", "198.51.100.20:1200");
    expect_line(&server, "198.51.100.10", "198.51.100.20:1200", "bob");
    // The whole of 127.0.0.0/8 is bob's loopback: 127.0.0.2 is an
    // address of his too, and Linux picks 127.0.0.1 as the source.
    ask(&lab, "bob", "127.0.0.2:1200");
    expect_line(&server, "127.0.0.1", "127.0.0.2:1200", "127.0.0.2");
    ask(&lab, "bob", "127.0.0.1:1200");
    expect_line(&server, "127.0.0.1", "127.0.0.1:1200", "127.0.0.1");
}

#[test]
fn an_ipv6_wildcard_shows_ipv4_clients_as_mapped_addresses() {
    let lab = lab('6');
    let server = serve(&lab, &["--log", "[::]:1200"]);
    ask(&lab, "alice", "[fd9a:d29d:f635:a::20]:1200");
    expect_line(
        &server,
        "[fd9a:d29d:f635:a::10]",
        "[fd9a:d29d:f635:a::20]:1200",
        "bob's IPv6 address",
    );
    // An IPv4 client of an IPv6 socket: both ends as IPv4-mapped IPv6
    // addresses (RFC 4291, 2.5.5.2), as getsockname reports them.
    ask(&lab, "alice", "198.51.100.20:1200");
    expect_line(
        &server,
        "[::ffff:198.51.100.10]",
        "[::ffff:198.51.100.20]:1200",
        "bob's IPv4 address",
    );
}

#[test]
fn without_the_option_nothing_is_logged() {
    let lab = lab('n');
    let mut server = serve(&lab, &["0.0.0.0:1200"]);
    ask(&lab, "alice", "198.51.100.20:1200");
    ask(&lab, "bob", "127.0.0.1:1200");
    // Both clients have their answer, so the server has written it
    // and moved on: stop it and read everything it printed.
    server.signal_and_wait("-TERM", Duration::from_secs(5));
    let printed = server.stdout();
    assert_eq!(
        printed,
        ["listening on 0.0.0.0:1200"],
        "hint: without --log the server prints only its `listening on` \
         line, as before"
    );
}

#[test]
fn a_bad_address_after_the_option_is_still_an_error() {
    let out = Cmd::new(SERVER).args(["--log", "99999"]).run();
    assert_eq!(
        out.code,
        Some(1),
        "hint: `--log 99999` is a bad port: Fatal error and exit 1\n{}",
        out.describe()
    );
    assert!(out.stderr.contains("99999"), "{}", out.describe());
}
