//! threaded-ip-echo-server: bind from a string, any address family.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

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
