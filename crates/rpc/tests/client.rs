//! Black-box tests of rpc-client: against the real server, and against
//! small fake servers in this file that misbehave on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rpc::{ADD, MyInts, Reply};
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use testkit::{Cmd, Out};

fn client(args: &[&str]) -> Out {
    Cmd::new(CLIENT).args(args).run()
}

/// Exit status 100, nothing on stdout, exactly `want` on stderr.
fn fails_with(out: &Out, want: &str) {
    out.expect_code(100);
    assert_eq!(out.stderr.trim_end(), want, "{}", out.describe());
    assert_eq!(out.stdout, "", "{}", out.describe());
}

/// A one-shot fake server: accepts one connection, reads one call,
/// then does `act` with the stream and the call's id.
fn fake(act: impl FnOnce(&mut TcpStream, u32) + Send + 'static) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(READ)).unwrap();
        let body = rpc::read_frame(&mut s).unwrap().unwrap();
        let call = rpc::decode_call(&body).unwrap();
        act(&mut s, call.id);
    });
    addr
}

#[test]
fn no_argument_prints_the_books_message() {
    fails_with(&client(&[]), "Please provide a host:port string!");
}

#[test]
fn two_addresses_print_the_usage() {
    fails_with(
        &client(&["a:1", "b:2"]),
        "usage: rpc-client [--dump] [--call METHOD] [--args A1,A2,S1,S2] HOST:PORT",
    );
}

#[test]
fn an_unknown_option_is_named() {
    fails_with(
        &client(&["--verbose", "localhost:1234"]),
        "unknown option \"--verbose\": usage: rpc-client [--dump] [--call METHOD] \
         [--args A1,A2,S1,S2] HOST:PORT",
    );
}

#[test]
fn bad_arguments_option_says_the_form() {
    fails_with(
        &client(&["--args", "17,18,yes,no", "localhost:1234"]),
        "--args wants A1,A2,S1,S2 like 17,18,true,false, got \"17,18,yes,no\"",
    );
}

#[test]
fn an_address_without_a_port_is_refused() {
    fails_with(
        &client(&["localhost"]),
        "resolving localhost: invalid socket address",
    );
}

#[test]
fn no_server_means_connection_refused() {
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }; // closed again: nobody listens there now
    let addr = format!("127.0.0.1:{port}");
    fails_with(
        &client(&[&addr]),
        &format!("connecting to {addr}: Connection refused (os error 111)"),
    );
}

#[test]
fn garbage_from_the_server_is_reported_not_trusted() {
    // An HTTP server's first bytes read as a length of 1213486160.
    let addr = fake(|s, _| {
        let _ = s.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
    });
    fails_with(
        &client(&[&addr.to_string()]),
        &format!(
            "waiting for the reply to MyInterface.Add from {addr}: \
             frame of 1213486160 bytes is over the 1048576-byte limit"
        ),
    );
}

#[test]
fn a_frame_of_the_wrong_kind_is_reported() {
    let addr = fake(|s, id| {
        let mut f = vec![0, 0, 0, 5, 7];
        f.extend_from_slice(&id.to_be_bytes());
        let _ = s.write_all(&f);
    });
    fails_with(
        &client(&[&addr.to_string()]),
        &format!(
            "reading the reply to MyInterface.Add from {addr}: \
             expected a reply, got kind byte 0x07"
        ),
    );
}

#[test]
fn a_reply_to_another_call_is_reported() {
    let addr = fake(|s, id| {
        let r = Reply {
            id: id + 8,
            result: Ok(1),
        };
        let _ = s.write_all(&r.encode());
    });
    fails_with(
        &client(&[&addr.to_string()]),
        &format!(
            "reading the reply to MyInterface.Add from {addr}: \
             it answers call 9 instead of 1"
        ),
    );
}

#[test]
fn a_server_that_hangs_up_is_reported() {
    let addr = fake(|_, _| {}); // the stream is dropped: closed
    fails_with(
        &client(&[&addr.to_string()]),
        &format!(
            "waiting for the reply to MyInterface.Add from {addr}: \
             the server closed the connection"
        ),
    );
}

#[test]
fn a_silent_server_times_out_after_five_seconds() {
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let addr = fake(move |_, _| {
        // Keep the connection open, say nothing, until the test ends.
        let _ = rx.recv_timeout(READ);
    });
    let start = std::time::Instant::now();
    let out = client(&[&addr.to_string()]);
    drop(tx);
    fails_with(
        &out,
        &format!(
            "waiting for the reply to MyInterface.Add from {addr}: \
             no reply within 5 s"
        ),
    );
    assert!(start.elapsed() >= std::time::Duration::from_millis(4900));
}

#[test]
fn an_error_reply_is_printed_with_the_servers_words() {
    let srv = server();
    let out = client(&["--call", "MyInterface.add", &srv.addr]);
    fails_with(
        &out,
        &format!(
            "calling MyInterface.add on {}: the server says: \
             rpc: can't find method MyInterface.add",
            srv.addr
        ),
    );
}

#[test]
fn other_arguments_and_a_single_call() {
    let srv = server();
    // 5 + (-3) = 2 and 5 - (-3) = 8, worked out by hand.
    let out = client(&["--args", "5,3,false,true", &srv.addr]);
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Add): 2\nReply (Subtract): 8\n");
    let out = client(&["--call", "MyInterface.Subtract", &srv.addr]);
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Subtract): -35\n");
}

#[test]
fn dump_shows_every_frame_in_hexdump_layout() {
    let srv = server();
    let out = client(&["--dump", "--call", ADD, &srv.addr]);
    out.expect_code(0);
    // Written out by hand from the format; the page explains it.
    let want = "\
sent 44 bytes:
00000000  00 00 00 28 01 00 00 00  01 00 0f 4d 79 49 6e 74  |...(.......MyInt|
00000010  65 72 66 61 63 65 2e 41  64 64 00 00 00 00 00 00  |erface.Add......|
00000020  00 11 00 00 00 00 00 00  00 12 01 00              |............|
received 17 bytes:
00000000  00 00 00 0d 02 00 00 00  01 00 00 00 00 00 00 00  |................|
00000010  01                                                |.|
Reply (Add): 1
";
    assert_eq!(out.stdout, want);
}

#[test]
fn the_client_sends_what_the_server_expects() {
    // Our own listener in the middle: the client's bytes decode to the
    // book's call.
    let (tx, rx) = std::sync::mpsc::channel();
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(READ)).unwrap();
        let body = rpc::read_frame(&mut s).unwrap().unwrap();
        let call = rpc::decode_call(&body).unwrap();
        let _ = s.write_all(
            &Reply {
                id: call.id,
                result: Ok(0),
            }
            .encode(),
        );
        tx.send(call).unwrap();
    });
    let _ = client(&["--call", ADD, &addr.to_string()]);
    let call = rx.recv_timeout(READ).unwrap();
    assert_eq!(call.method, "MyInterface.Add");
    assert_eq!(call.id, 1);
    assert_eq!(
        MyInts::decode(&call.args).unwrap(),
        ints(17, 18, true, false)
    );
}
