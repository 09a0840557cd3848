//! threaded-ip-echo-server: bind from a string, any address family.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use testkit::Server;

#[test]
fn listens_on_ipv6_loopback() {
    let mut s = Server::start(IP, &["[::1]:0"]);
    assert!(s.addr.starts_with("[::1]:"), "{}", s.addr);
    answers_fresh_client(&mut s, Speaks::Echo);
}

#[test]
fn listens_on_a_host_name() {
    // localhost resolves to ::1 and/or 127.0.0.1: whichever bound.
    let mut s = Server::start(IP, &["localhost:0"]);
    assert!(s.socket_addr().ip().is_loopback(), "{}", s.addr);
    answers_fresh_client(&mut s, Speaks::Echo);
}

#[test]
fn a_bare_port_means_ipv4_loopback() {
    let s = Server::start(IP, &["0"]);
    assert!(s.addr.starts_with("127.0.0.1:"), "{}", s.addr);
}

#[test]
fn bad_inputs() {
    let usage = "usage: threaded-ip-echo-server [";
    bad_input(IP, &["1200", "extra"], &[usage]);
    bad_input(IP, &["-h"], &[usage]);
    bad_input(
        IP,
        &["junk"],
        &["Fatal error: binding junk", "invalid socket address"],
    );
    bad_input(IP, &["99999"], &["Fatal error: binding 99999"]);
    bad_input(
        IP,
        &["no.such.host.invalid:1200"],
        &["Fatal error: binding no.such.host.invalid:1200", "lookup"],
    );
    bad_input(
        IP,
        &["192.0.2.1:0"],
        &[
            "Fatal error: binding 192.0.2.1:0",
            "Cannot assign requested address",
        ],
    );
    let s = Server::start(IP, &["[::1]:0"]);
    let taken = s.addr.clone();
    bad_input(IP, &[&taken], &["Address already in use"]);
}
