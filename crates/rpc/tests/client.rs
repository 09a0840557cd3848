//! Black-box tests of rpc-client: against the real server, and against
//! small fake servers in this file that misbehave on purpose.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use rpc::codec::{Encoding, ServerCall, ServerCodec};
use rpc::frame::Reply;
use rpc::{ADD, MyInts};
use std::io::Write;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};
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

/// A one-shot fake server: accepts one connection, reads one call in
/// encoding `e`, then does `act` with the stream, its codec (to write
/// replies) and the call.
fn fake(
    e: Encoding,
    act: impl FnOnce(&mut TcpStream, &mut ServerCodec, ServerCall) + Send + 'static,
) -> SocketAddr {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    std::thread::spawn(move || {
        let (mut s, _) = l.accept().unwrap();
        s.set_read_timeout(Some(READ)).unwrap();
        let mut codec = ServerCodec::new(e);
        let call = codec.read_call(&mut s).unwrap().unwrap();
        act(&mut s, &mut codec, call);
    });
    addr
}

/// rpc-client's arguments for encoding `e`, then `rest`.
fn run(e: Encoding, rest: &[&str]) -> Out {
    let mut args = match e {
        Encoding::Gob => vec![],
        Encoding::Frames => vec!["--frames"],
    };
    args.extend_from_slice(rest);
    client(&args)
}

#[test]
fn no_argument_prints_the_books_message() {
    fails_with(&client(&[]), "Please provide a host:port string!");
}

const USAGE: &str = "usage: rpc-client [--frames] [--dump] \
     [--call METHOD] [--args A1,A2,S1,S2] HOST:PORT";

#[test]
fn two_addresses_print_the_usage() {
    fails_with(&client(&["a:1", "b:2"]), USAGE);
}

#[test]
fn an_unknown_option_is_named() {
    fails_with(
        &client(&["--verbose", "localhost:1234"]),
        &format!("unknown option \"--verbose\": {USAGE}"),
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
    let port = closed_port(); // nobody listens there
    let addr = format!("127.0.0.1:{port}");
    fails_with(
        &client(&[&addr]),
        &format!("connecting to {addr}: Connection refused (os error 111)"),
    );
}

#[test]
fn garbage_from_the_server_is_reported_not_trusted() {
    // An HTTP server's first bytes: as a frame's length "HTTP" is
    // 1213486160; as a gob message's length, 'H' is 72 bytes, more
    // than the server sends before it closes.
    let cases = [
        (
            Encoding::Frames,
            "MyInterface.Add: bad reply from ADDR: \
             frame of 1213486160 bytes is over the 65536-byte limit",
        ),
        (
            Encoding::Gob,
            "MyInterface.Add: reading the reply from ADDR: \
             connection closed in the middle of a gob value",
        ),
    ];
    for (e, want) in cases {
        let addr = fake(e, |s, _, _| {
            let _ = s.write_all(b"HTTP/1.0 400 Bad Request\r\n\r\n");
        });
        let want = want.replace("ADDR", &addr.to_string());
        fails_with(&run(e, &[&addr.to_string()]), &want);
    }
}

#[test]
fn a_frame_of_the_wrong_kind_is_reported() {
    let addr = fake(Encoding::Frames, |s, _, call| {
        let mut f = vec![0, 0, 0, 5, 7];
        f.extend_from_slice(&(call.seq as u32).to_be_bytes());
        let _ = s.write_all(&f);
    });
    fails_with(
        &run(Encoding::Frames, &[&addr.to_string()]),
        &format!(
            "MyInterface.Add: bad reply from {addr}: \
             expected a reply, got kind byte 0x07"
        ),
    );
}

#[test]
fn a_reply_to_another_call_is_reported() {
    for e in BOTH {
        let addr = fake(e, |s, codec, mut call| {
            call.seq += 8;
            let _ = s.write_all(&codec.reply(&call, &Ok(1)));
        });
        let first = if e == Encoding::Gob { 0 } else { 1 };
        fails_with(
            &run(e, &[&addr.to_string()]),
            &format!(
                "MyInterface.Add: bad reply from {addr}: \
                 it answers call {} instead of {first}",
                first + 8
            ),
        );
    }
}

#[test]
fn a_server_that_hangs_up_is_reported() {
    for e in BOTH {
        let addr = fake(e, |_, _, _| {}); // the stream is dropped: closed
        fails_with(
            &run(e, &[&addr.to_string()]),
            &format!(
                "MyInterface.Add: {addr} closed the connection \
                 without a reply"
            ),
        );
    }
}

/// rpc-client with its limits scaled by `SCALE`: 5 s become 0.5 s.
fn scaled_client(args: &[&str]) -> Out {
    Cmd::new(CLIENT).args(args).env(SCALE_ENV, SCALE).run()
}

#[test]
fn a_silent_server_times_out_after_five_seconds() {
    // 5 s (REPLY_TIMEOUT) times SCALE: 0.5 s, and the message says so.
    let (tx, rx) = std::sync::mpsc::channel::<()>();
    let addr = fake(Encoding::Gob, move |_, _, _| {
        // Keep the connection open, say nothing, until the test ends.
        let _ = rx.recv_timeout(READ);
    });
    let start = Instant::now();
    let out = scaled_client(&[&addr.to_string()]);
    drop(tx);
    fails_with(
        &out,
        &format!("MyInterface.Add: no reply from {addr} within 0.5 s"),
    );
    assert!(start.elapsed() >= Duration::from_millis(500));
}

#[test]
fn a_dripping_server_cannot_stretch_the_five_seconds() {
    // The whole reply, one byte every 50 ms: 84 bytes would take 4.2 s.
    // The limit (5 s times SCALE: 0.5 s) is for the whole reply, so the
    // client gives up at 0.5 s.
    let addr = fake(Encoding::Gob, |s, codec, call| {
        for b in codec.reply(&call, &Ok(1)).iter() {
            if s.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let start = Instant::now();
    let out = scaled_client(&["--call", ADD, &addr.to_string()]);
    let took = start.elapsed();
    fails_with(
        &out,
        &format!("MyInterface.Add: no reply from {addr} within 0.5 s"),
    );
    assert!(
        took >= Duration::from_millis(500) && took < Duration::from_millis(900),
        "took {took:?}"
    );
}

#[test]
fn a_bad_time_scale_is_one_line_and_status_100() {
    // Refused before anything is sent: the address is never dialled.
    for bad in ["0", "fast", "1000", ""] {
        let out = Cmd::new(CLIENT)
            .args(["127.0.0.1:9"])
            .env(SCALE_ENV, bad)
            .run();
        fails_with(
            &out,
            &format!(
                "NETPROG_TIME_SCALE=\"{bad}\" is not a factor from 0.01 \
                 to 100"
            ),
        );
    }
}

#[test]
fn control_characters_from_the_server_are_not_printed_raw() {
    for e in BOTH {
        let addr = fake(e, |s, codec, call| {
            let evil = "\u{1b}[2J\u{1b}]0;owned\u{7}all fine\r".to_string();
            let _ = s.write_all(&codec.reply(&call, &Err(evil)));
        });
        let out = run(e, &[&addr.to_string()]);
        fails_with(
            &out,
            "MyInterface.Add: the server says: \
             \\u{1b}[2J\\u{1b}]0;owned\\u{7}all fine\\r",
        );
        assert!(!out.stderr.contains('\u{1b}'));
    }
}

#[test]
fn an_error_reply_is_printed_with_the_servers_words() {
    for e in BOTH {
        let srv = server_for(e);
        let out = run(e, &["--call", "MyInterface.add", &srv.addr]);
        fails_with(
            &out,
            "MyInterface.add: the server says: \
             rpc: can't find method MyInterface.add",
        );
    }
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
    let srv = frames_server();
    let out = client(&["--frames", "--dump", "--call", ADD, &srv.addr]);
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
fn dump_explains_gob_message_by_message() {
    let srv = server();
    let out = client(&["--dump", &srv.addr]);
    out.expect_code(0);
    let lines: Vec<&str> = out.stdout.lines().collect();
    let heads: Vec<&&str> =
        lines.iter().filter(|l| l.ends_with(" bytes:")).collect();
    // Definitions go once: the first call and reply are the long ones.
    assert_eq!(
        heads,
        [
            &"sent 128 bytes:",
            &"received 84 bytes:",
            &"sent 38 bytes:",
            &"received 32 bytes:"
        ]
    );
    for want in [
        "ff 81                    type -65: defines type 65",
        "01 0f 4d 79 49 6e 74 65    +1 ServiceMethod: \"MyInterface.Add\"",
        "01 11                      +1 A1: 17",
        "00                         end of MyInts; zero, not sent: S2",
        "45                         -35",
    ] {
        assert!(lines.contains(&want), "no line {want:?} in\n{}", out.stdout);
    }
    assert!(
        lines.iter().all(|l| l.len() <= 80),
        "a line over 80 columns"
    );
}

#[test]
fn the_client_sends_what_the_server_expects() {
    for e in BOTH {
        let (tx, rx) = std::sync::mpsc::channel();
        let addr = fake(e, move |s, codec, call| {
            let _ = s.write_all(&codec.reply(&call, &Ok(0)));
            tx.send(call).unwrap();
        });
        let _ = run(e, &["--call", ADD, &addr.to_string()]);
        let call = rx.recv_timeout(READ).unwrap();
        assert_eq!(call.method, "MyInterface.Add");
        assert_eq!(call.seq, if e == Encoding::Gob { 0 } else { 1 });
        assert_eq!(call.args, Ok(ints(17, 18, true, false)));
    }
}

#[test]
fn a_closed_stdout_ends_the_client_quietly_with_status_141() {
    let srv = server();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader); // nobody will read: the first write gets EPIPE
    // (testkit's Cmd would capture stdout; the client's own 5 s
    // limits bound this wait.)
    let out = std::process::Command::new(CLIENT)
        .arg(&srv.addr)
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "stderr: {stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn frames_error_replies_to_no_call_are_shown() {
    // id 0 answers no call: the frames server's way to refuse.
    let addr = fake(Encoding::Frames, |s, _, _| {
        let _ = s.write_all(&Reply::answer(0, "server busy"));
    });
    fails_with(
        &run(Encoding::Frames, &[&addr.to_string()]),
        "MyInterface.Add: the server says: server busy",
    );
    let _ = MyInts::BOOK;
}

#[test]
fn a_call_too_large_to_send_is_refused_by_the_client() {
    let long = format!("MyInterface.{}", "x".repeat(70_000));
    let shown = &long[..60];
    let out = client(&["--call", &long, "127.0.0.1:9"]);
    // Connecting comes first: nothing listens on port 9 (discard).
    assert!(
        out.stderr.starts_with("connecting to"),
        "{}",
        out.describe()
    );
    let srv = server();
    let out = client(&["--call", &long, &srv.addr]);
    fails_with(
        &out,
        &format!(
            // The Request: type id (2 bytes), delta (1), the name's
            // length (4) and its 70012 bytes, end mark (1).
            "{shown}...: gob message of 70020 bytes is over the 65536-byte \
             limit"
        ),
    );
    let srv = frames_server();
    let out = client(&["--frames", "--call", &long, &srv.addr]);
    fails_with(
        &out,
        &format!(
            "{shown}...: method name of 70012 bytes is over the 65535-byte limit"
        ),
    );
}
