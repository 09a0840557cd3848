//! Check for exercise 7 of docs/src/rpc.md (the chapter's exercise 7):
//! a `MyInterface.Quit` method that stops rpc-server, after replying,
//! in both encodings, and for a Go client too.
//! Run it with `scripts/exercise rpc 7`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rpc::codec::{CallError, ClientReply, Encoding};
use rpc::{ADD, MyInts};
use testkit::{Cmd, Server, WAIT};

const QUIT: &str = "MyInterface.Quit";

/// Call Quit and return the reply, or explain what came instead.
fn call_quit(c: &mut Conn, seq: u64) -> ClientReply {
    c.send(seq, QUIT, &MyInts::BOOK);
    match c.codec.read_reply(&mut c.s, &mut Vec::new()) {
        Ok(reply) => reply,
        Err(CallError::Eof | CallError::Closed(_)) => panic!(
            "hint: the connection closed before a reply to {QUIT} arrived. \
             Send the reply first (as for any call), and only then stop \
             the server"
        ),
        Err(e) => panic!("hint: no reply to {QUIT}: {e}"),
    }
}

/// Wait (bounded) for the server to exit, with the hints.
fn stops_with_0_and_says_so(srv: &mut Server) {
    let Some(status) = srv.wait_exit(WAIT) else {
        panic!(
            "hint: after replying to {QUIT} the server must exit; it is \
             still running"
        )
    };
    assert_eq!(
        status.code(),
        Some(0),
        "hint: stopping on request is not an error: exit with status 0 \
         (std::process::exit(0))"
    );
    let said = srv.stdout().into_iter().any(|l| {
        l.starts_with("MyInterface.Quit called by 127.0.0.1:")
            && l.ends_with(": stopping")
    });
    assert!(
        said,
        "hint: before exiting, print `MyInterface.Quit called by ADDR: \
         stopping` on stdout (ADDR is the client's address); it printed \
         {:?}",
        srv.stdout()
    );
}

#[test]
fn quit_is_a_method_and_replies_0_in_both_encodings() {
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        let reply = call_quit(&mut c, 41);
        assert_eq!(
            reply.result,
            Ok(0),
            "hint: register a method named {QUIT:?} (arguments MyInts, \
             ignored) whose result is 0 ({e:?})"
        );
        assert_eq!(reply.seq, 41, "hint: the reply must carry the call's id");
    }
}

#[test]
fn quit_stops_the_server_with_status_0_and_says_so() {
    for e in BOTH {
        let mut srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        // Other calls still work before Quit.
        assert_eq!(
            c.call(1, ADD, &MyInts::BOOK).result,
            Ok(1),
            "hint: Add must keep working"
        );
        let _ = call_quit(&mut c, 2);
        stops_with_0_and_says_so(&mut srv);
    }
}

#[test]
fn quit_stops_every_connection_not_only_its_own() {
    let mut srv = server();
    let mut other = Conn::new(srv.socket_addr(), Encoding::Gob);
    assert_eq!(other.call(0, ADD, &MyInts::BOOK).result, Ok(1));
    let mut c = Conn::new(srv.socket_addr(), Encoding::Gob);
    let _ = call_quit(&mut c, 0);
    stops_with_0_and_says_so(&mut srv);
}

#[test]
fn rpc_client_can_call_quit() {
    let mut srv = server();
    let out = Cmd::new(CLIENT).args(["--call", QUIT, &srv.addr]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "Reply (Quit): 0\n"),
        "hint: `rpc-client --call {QUIT} ADDR` should print \
         `Reply (Quit): 0`; it said:\n{}",
        out.describe()
    );
    stops_with_0_and_says_so(&mut srv);
}

#[test]
fn a_go_client_can_call_quit() {
    let bin = testkit::go_program(env!("CARGO_MANIFEST_DIR"), "netrpc-client");
    let Some(bin) = bin else { return };
    let mut srv = server();
    let out = Cmd::new(bin.to_str().unwrap())
        .args([&srv.addr, QUIT])
        .run();
    assert_eq!(
        out.stdout,
        "Reply (Quit): 0\n",
        "hint: a Go net/rpc client calling {QUIT} should get the reply 0; \
         it said:\n{}",
        out.describe()
    );
    stops_with_0_and_says_so(&mut srv);
}

#[test]
fn other_unknown_methods_are_still_errors() {
    for e in BOTH {
        let mut srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        let r = c.call(1, "MyInterface.Quit2", &MyInts::BOOK);
        assert_eq!(
            r.result,
            Err("rpc: can't find method MyInterface.Quit2".into()),
            "hint: only the exact name {QUIT:?} stops the server"
        );
        assert!(
            srv.is_running(),
            "hint: an unknown method must not stop the server"
        );
    }
}
