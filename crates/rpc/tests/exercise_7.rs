//! Check for exercise 7 of docs/src/rpc.md (the chapter's exercise 7):
//! a `MyInterface.Quit` method that stops rpc-server, after replying.
//! Run it with `scripts/exercise rpc 7`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rpc::{ADD, MyInts};
use std::net::TcpStream;
use testkit::{Cmd, WAIT};

const QUIT: &str = "MyInterface.Quit";

/// Call Quit and return the reply, or explain what came instead.
fn call_quit(s: &mut TcpStream, id: u32) -> rpc::Reply {
    use std::io::Write;
    s.write_all(&rpc::Call::new(id, QUIT, &MyInts::BOOK).encode().unwrap())
        .unwrap();
    let frame = rpc::read_frame(s);
    let body = match frame {
        Ok(Some(body)) => body,
        Ok(None) | Err(_) => panic!(
            "hint: the connection closed before a reply to {QUIT} arrived. \
             Send the reply first (as for any call), and only then stop the server"
        ),
    };
    rpc::decode_reply(&body).unwrap()
}

#[test]
fn quit_is_a_method_and_replies_0() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let reply = call_quit(&mut s, 41);
    assert_eq!(
        reply.result,
        Ok(0),
        "hint: register a method named {QUIT:?} (arguments MyInts, ignored) \
         whose result is 0"
    );
    assert_eq!(reply.id, 41, "hint: the reply must carry the call's id");
}

#[test]
fn quit_stops_the_server_with_status_0_and_says_so() {
    let mut srv = server();
    let mut s = connect(srv.socket_addr());
    // Other calls still work before Quit.
    assert_eq!(
        call(&mut s, 1, ADD, &MyInts::BOOK).result,
        Ok(1),
        "hint: Add must keep working"
    );
    let _ = call_quit(&mut s, 2);
    // `kill -0` sends no signal: this only waits (bounded) for the exit.
    let status = srv.signal_and_wait("-0", WAIT);
    let Some(status) = status else {
        panic!(
            "hint: after replying to {QUIT} the server must exit; it is still running"
        )
    };
    assert_eq!(
        status.code(),
        Some(0),
        "hint: stopping on request is not an error: exit with status 0 \
         (std::process::exit(0))"
    );
    let said = srv.wait_line(
        |l| {
            l.starts_with("MyInterface.Quit called by 127.0.0.1:")
                && l.ends_with(": stopping")
        },
        WAIT,
    );
    assert!(
        said.is_some(),
        "hint: before exiting, print `MyInterface.Quit called by ADDR: stopping` on stdout \
         (ADDR is the client's address); it printed {:?}",
        srv.stdout()
    );
}

#[test]
fn rpc_client_can_call_quit() {
    let mut srv = server();
    let out = Cmd::new(CLIENT).args(["--call", QUIT, &srv.addr]).run();
    assert_eq!(
        (out.code, out.stdout.as_str()),
        (Some(0), "Reply (Quit): 0\n"),
        "hint: `rpc-client --call {QUIT} ADDR` should print `Reply (Quit): 0`; it said:\n{}",
        out.describe()
    );
    assert!(
        srv.signal_and_wait("-0", WAIT).is_some(),
        "hint: the server should have stopped"
    );
}

#[test]
fn other_unknown_methods_are_still_errors() {
    let mut srv = server();
    let mut s = connect(srv.socket_addr());
    let r = call(&mut s, 1, "MyInterface.Quit2", &MyInts::BOOK);
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
