//! Black-box tests of rpc-server's protocol: the real binary on
//! loopback, talked to by rpc-client and by raw bytes built with the
//! crate's lib, in both encodings. (Time limits, caps and resources
//! are in limits.rs.)
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use rpc::codec::Encoding;
use rpc::frame::{self, Call, MAX_FRAME};
use rpc::gob::wire;
use rpc::{ADD, MyInts, SUBTRACT};
use std::io::Write;
use std::net::{Shutdown, TcpListener};
use testkit::{Cmd, Server};

fn client_args(e: Encoding) -> Vec<&'static str> {
    match e {
        Encoding::Gob => vec![],
        Encoding::Frames => vec!["--frames"],
    }
}

#[test]
fn the_books_client_gets_the_books_replies() {
    for e in BOTH {
        let srv = server_for(e);
        let mut args = client_args(e);
        args.push(&srv.addr);
        let out = Cmd::new(CLIENT).args(&args).run();
        out.expect_code(0);
        assert_eq!(out.stdout, BOOK_REPLIES, "{e:?}");
        assert_eq!(out.stderr, "");
    }
}

#[test]
fn first_line_is_the_real_loopback_address() {
    let srv = server();
    let first = &srv.stdout()[0];
    assert!(first.starts_with("listening on 127.0.0.1:"), "{first}");
    assert_ne!(srv.socket_addr().port(), 0, "port 0 must show the port");
}

#[test]
fn listens_on_ipv6_loopback_when_asked() {
    let srv = Server::start(SERVER, &["[::1]:0"]);
    assert!(srv.addr.starts_with("[::1]:"), "{}", srv.addr);
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, BOOK_REPLIES);
}

#[test]
fn other_arguments_by_hand() {
    // Expected values worked out by hand from the book's rules:
    // Add = s1*A1 + s2*A2, Subtract = s1*A1 - s2*A2.
    let cases = [
        (ints(5, 3, false, true), 2, 8),
        (ints(5, 3, true, true), -8, -2),
        (ints(0, 0, true, true), 0, 0),
        (ints(100, 1, false, false), 101, 99),
        (
            ints(1 << 40, 1, true, false),
            -(1 << 40) + 1,
            -(1 << 40) - 1,
        ),
    ];
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        for (i, (args, sum, diff)) in cases.iter().enumerate() {
            let seq = 2 * i as u64 + 10;
            let r = c.call(seq, ADD, args);
            assert_eq!((r.seq, r.result), (seq, Ok(*sum)), "{e:?} {args:?}");
            let r = c.call(seq + 1, SUBTRACT, args);
            assert_eq!((r.seq, r.result), (seq + 1, Ok(*diff)), "{args:?}");
        }
    }
}

#[test]
fn a_connected_client_does_not_block_the_others() {
    // The book's server runs rpc.ServeConn in its accept loop, so a
    // second client waits until the first leaves. Here it does not.
    let srv = server();
    let mut idle = Conn::new(srv.socket_addr(), Encoding::Gob);
    let mut half = connect(srv.socket_addr());
    half.write_all(&[0x2f, 0xff, 0x81]).unwrap(); // a message, unfinished
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, BOOK_REPLIES);
    // And the first one is still served afterwards.
    assert_eq!(idle.call(0, ADD, &MyInts::BOOK).result, Ok(1));
    drop(half);
}

#[test]
fn many_clients_at_once_all_get_right_answers() {
    let srv = server();
    let addr = srv.socket_addr();
    let workers: Vec<_> = (0..16u64)
        .map(|w| {
            std::thread::spawn(move || {
                let mut c = Conn::new(addr, Encoding::Gob);
                for i in 0..50u64 {
                    let args = ints(w * 1000 + i, i, i % 2 == 0, w % 3 == 0);
                    let x = args.a1 as i64 * if args.s1 { -1 } else { 1 };
                    let y = args.a2 as i64 * if args.s2 { -1 } else { 1 };
                    let r = c.call(i, SUBTRACT, &args);
                    assert_eq!((r.seq, r.result), (i, Ok(x - y)));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a client thread failed");
    }
}

#[test]
fn pipelined_calls_are_answered_in_order_with_their_seqs() {
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        let calls = [(7, ADD), (8, SUBTRACT), (9, ADD)];
        let mut burst = Vec::new();
        for (seq, m) in calls {
            burst.extend(c.codec.call(seq, m, &MyInts::BOOK).unwrap());
        }
        c.s.write_all(&burst).unwrap();
        let got: Vec<_> = (0..3).map(|_| c.read()).collect();
        let got: Vec<_> = got.into_iter().map(|r| (r.seq, r.result)).collect();
        assert_eq!(got, vec![(7, Ok(1)), (8, Ok(-35)), (9, Ok(1))], "{e:?}");
    }
}

#[test]
fn unknown_names_get_net_rpcs_error_replies_and_the_connection_stays() {
    // The words of Go's net/rpc (server.go, readRequestHeader); the
    // tests in go.rs check them against a Go server.
    let cases = [
        (
            "MyInterface.Nope",
            "rpc: can't find method MyInterface.Nope",
        ),
        ("Other.Add", "rpc: can't find service Other.Add"),
        ("Add", "rpc: service/method request ill-formed: Add"),
    ];
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        for (i, (name, want)) in cases.iter().enumerate() {
            let r = c.call(i as u64 + 5, name, &MyInts::BOOK);
            assert_eq!(r.seq, i as u64 + 5);
            assert_eq!(r.result, Err(want.to_string()), "{e:?}");
        }
        assert_eq!(c.call(9, ADD, &MyInts::BOOK).result, Ok(1));
    }
}

#[test]
fn malformed_frame_arguments_get_an_error_reply_and_the_connection_stays() {
    let srv = frames_server();
    let mut s = connect(srv.socket_addr());
    let short = Call {
        id: 3,
        method: ADD.into(),
        args: vec![1, 2, 3].into(),
    };
    s.write_all(&short.encode().unwrap()).unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.id, 3);
    let want = "bad arguments for MyInterface.Add: \
                arguments are 3 bytes, MyInts takes 18";
    assert_eq!(r.result, Err(want.into()));
    let mut bytes = frame::encode_args(&MyInts::BOOK).to_vec();
    bytes[16] = 2; // S1 is neither 0 nor 1
    let bad_flag = Call {
        id: 4,
        method: SUBTRACT.into(),
        args: bytes.into(),
    };
    s.write_all(&bad_flag.encode().unwrap()).unwrap();
    let want = "bad arguments for MyInterface.Subtract: \
                sign flag S1 is 2, must be 0 or 1";
    assert_eq!(read_reply(&mut s).result, Err(want.into()));
    assert_eq!(call(&mut s, 5, SUBTRACT, &MyInts::BOOK).result, Ok(-35));
}

/// The gob messages of `bytes`, each whole (length included).
fn messages(mut bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    while let Some((m, _)) = wire::read_message(&mut bytes).unwrap() {
        out.push(m);
    }
    out
}

#[test]
fn gob_arguments_of_another_type_get_an_error_reply_and_the_connection_stays() {
    let srv = server();
    let mut c = Conn::new(srv.socket_addr(), Encoding::Gob);
    let call = c.codec.call(0, ADD, &MyInts::BOOK).unwrap();
    let m = messages(&call);
    // The header (a Request's definition and value), then an int
    // where the arguments belong: 1, as `03 04 00 02`.
    let mut bytes = [m[0].clone(), m[1].clone()].concat();
    bytes.extend([0x03, 0x04, 0x00, 0x02]);
    c.s.write_all(&bytes).unwrap();
    let r = c.read();
    assert_eq!(
        (r.seq, r.result),
        (
            0,
            Err("bad arguments for MyInterface.Add: \
                 gob: MyInts wanted, got int"
                .into())
        )
    );
    // Then the call as it should have been: its header again, and
    // the definition and value of MyInts, not sent so far.
    c.s.write_all(&[m[1].clone(), m[2].clone(), m[3].clone()].concat())
        .unwrap();
    assert_eq!(c.read().result, Ok(1));
}

#[test]
fn results_that_do_not_fit_an_int_are_errors_not_wrapped() {
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        let r = c.call(1, ADD, &ints(u64::MAX, 0, false, false));
        let want = "18446744073709551615 does not fit in an int64";
        assert_eq!(r.result, Err(want.into()));
        // -2^63 does fit, exactly: the smallest i64.
        let r = c.call(2, SUBTRACT, &ints(1 << 63, 0, true, false));
        assert_eq!(r.result, Ok(i64::MIN));
    }
}

#[test]
fn an_oversized_frame_is_refused_and_the_connection_closed() {
    let srv = frames_server();
    for len in [MAX_FRAME as u32 + 1, u32::MAX] {
        let mut s = connect(srv.socket_addr());
        s.write_all(&len.to_be_bytes()).unwrap();
        let r = read_reply(&mut s);
        assert_eq!(r.id, 0);
        let want = format!("frame of {len} bytes is over the 65536-byte limit");
        assert_eq!(r.result, Err(want));
        assert!(closed_by_server(&mut s), "connection should be closed");
    }
    let logged = srv.wait_err_line(
        |l| l.contains("is over the 65536-byte limit: closing"),
        READ,
    );
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    Cmd::new(CLIENT)
        .args(["--frames", &srv.addr])
        .run()
        .expect_code(0);
}

#[test]
fn an_oversized_gob_message_is_refused_as_go_refuses_it_without_a_reply() {
    // The server drains what the client may still send before it
    // closes (DRAIN_TIME); scaled, that is 0.1 s, not 1 s.
    let srv = scaled_server(SCALE, &[]);
    let mut s = connect(srv.socket_addr());
    // 2^32 as a gob uint: 0xfb (5 bytes follow), then 01 00 00 00 00.
    s.write_all(&[0xfb, 1, 0, 0, 0, 0]).unwrap();
    assert!(closed_by_server(&mut s));
    let want = ": gob message of 4294967296 bytes is over the \
                65536-byte limit: closing";
    let logged = srv.wait_err_line(|l| l.ends_with(want), READ);
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
}

#[test]
fn a_frame_of_exactly_the_limit_is_read_and_answered() {
    let srv = frames_server();
    let mut s = connect(srv.socket_addr());
    let overhead = 1 + 4 + 2 + ADD.len(); // kind, id, name length, name
    let call = Call {
        id: 77,
        method: ADD.into(),
        args: vec![0u8; MAX_FRAME - overhead].into(),
    };
    let frame = call.encode().unwrap();
    assert_eq!(frame.len(), 4 + MAX_FRAME);
    s.write_all(&frame).unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.id, 77);
    let want = format!("arguments are {} bytes", MAX_FRAME - overhead);
    assert!(r.result.unwrap_err().contains(&want));
}

#[test]
fn a_frame_that_is_not_a_call_gets_an_error_and_a_close() {
    // The drain before the close, scaled: 0.1 s, not 1 s.
    let srv = scaled_server(SCALE, &["--frames"]);
    let mut s = connect(srv.socket_addr());
    // A reply frame (kind 0x02) sent to the server, call id 9.
    s.write_all(&[0, 0, 0, 13, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1])
        .unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.id, 9);
    let want = "malformed call: expected a call, got kind byte 0x02";
    assert_eq!(r.result, Err(want.into()));
    assert!(closed_by_server(&mut s));
    let logged =
        srv.wait_err_line(|l| l.ends_with(&format!(": {want}: closing")), READ);
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    // An empty frame: not even a kind byte.
    let mut s = connect(srv.socket_addr());
    s.write_all(&[0, 0, 0, 0]).unwrap();
    assert_eq!(
        read_reply(&mut s).result,
        Err("malformed call: frame too short for the kind byte \
             (needs 1 bytes, 0 left)"
            .into())
    );
    assert!(closed_by_server(&mut s));
}

#[test]
fn a_gob_header_that_is_not_a_request_ends_the_connection_as_in_go() {
    // The drain before the close, scaled: 0.1 s, not 1 s.
    let srv = scaled_server(SCALE, &[]);
    let mut s = connect(srv.socket_addr());
    s.write_all(&[0x03, 0x04, 0x00, 0x02]).unwrap(); // the int 1
    assert!(closed_by_server(&mut s));
    let want = ": cannot read a call's header: \
                gob: Request wanted, got int: closing";
    let logged = srv.wait_err_line(|l| l.ends_with(want), READ);
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
}

#[test]
fn a_client_leaving_mid_call_is_logged_and_the_server_goes_on() {
    let cases: [(Encoding, &[u8], &str); 2] = [
        (
            Encoding::Frames,
            &[0, 0, 0, 40, 1],
            "in the middle of a frame",
        ),
        (Encoding::Gob, &[0x2f, 0xff], "in the middle of a gob value"),
    ];
    for (e, bytes, words) in cases {
        let srv = server_for(e);
        let mut s = connect(srv.socket_addr());
        s.write_all(bytes).unwrap();
        s.shutdown(Shutdown::Write).unwrap();
        assert!(closed_by_server(&mut s));
        let want = format!(": reading a call: connection closed {words}");
        let logged = srv.wait_err_line(|l| l.ends_with(&want), READ);
        assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
        let mut c = Conn::new(srv.socket_addr(), e);
        assert_eq!(c.call(1, ADD, &MyInts::BOOK).result, Ok(1));
    }
}

#[test]
fn a_half_closed_client_still_gets_its_reply() {
    for e in BOTH {
        let srv = server_for(e);
        let mut c = Conn::new(srv.socket_addr(), e);
        c.send(1, ADD, &MyInts::BOOK);
        c.s.shutdown(Shutdown::Write).unwrap();
        assert_eq!(c.read().result, Ok(1));
        assert!(closed_by_server(&mut c.s));
    }
}

#[test]
fn garbage_never_kills_the_server_and_fresh_clients_are_served() {
    for e in BOTH {
        let srv = server_for(e);
        let addr = srv.socket_addr();
        let valid = Conn::new(addr, e)
            .codec
            .call(1, ADD, &MyInts::BOOK)
            .unwrap()
            .to_vec();
        let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
        for round in 0..200 {
            let garbage = match round % 3 {
                // Random bytes of random length.
                0 => {
                    let n = rng.below(200) as usize;
                    rng.bytes(n)
                }
                // A plausible length, then random bytes.
                1 => {
                    let n = rng.below(64) as usize;
                    let mut f = match e {
                        Encoding::Frames => (n as u32).to_be_bytes().to_vec(),
                        Encoding::Gob => vec![n as u8],
                    };
                    f.extend(rng.bytes(n));
                    f
                }
                // A valid call with a few bytes changed.
                _ => {
                    let mut f = valid.clone();
                    for _ in 0..=rng.below(4) {
                        let i = rng.below(f.len() as u64) as usize;
                        f[i] = rng.next() as u8;
                    }
                    f
                }
            };
            let mut s = connect(addr);
            let _ = s.write_all(&garbage);
            let _ = s.shutdown(Shutdown::Write);
            // Whatever it answers, it must end the conversation.
            assert!(closed_by_server(&mut s), "{e:?} round {round}: no close");
        }
        let mut args = client_args(e);
        args.push(&srv.addr);
        let out = Cmd::new(CLIENT).args(&args).run();
        out.expect_code(0);
        assert_eq!(out.stdout, BOOK_REPLIES);
        let panics: Vec<_> = srv
            .stderr()
            .into_iter()
            .filter(|l| l.contains("panicked"))
            .collect();
        assert!(panics.is_empty(), "server threads panicked: {panics:?}");
    }
}

/// A tiny deterministic generator, so a failure can be replayed.
struct XorShift(u64);
impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

// ---- bad command lines: one line on stderr, exit status 100 ----

fn fails_with(args: &[&str], env: Option<(&str, &str)>, want: &str) {
    let mut cmd = Cmd::new(SERVER).args(args);
    if let Some((k, v)) = env {
        cmd = cmd.env(k, v);
    }
    let out = cmd.run();
    out.expect_code(100);
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(out.stderr.contains(want), "{}", out.describe());
    assert_eq!(out.stdout, "");
}

#[test]
fn extra_arguments_print_the_usage() {
    fails_with(
        &["1", "2"],
        None,
        "usage: rpc-server [--frames] [PORT | ADDRESS]",
    );
    fails_with(&["--gob"], None, "unknown option \"--gob\": usage:");
}

#[test]
fn a_port_out_of_range_or_a_host_name_is_refused() {
    fails_with(&["70000"], None, "invalid port or address \"70000\"");
    fails_with(&[":1234"], None, "Go's \":PORT\" (every interface)");
    fails_with(&["localhost:1234"], None, "\"localhost:1234\"");
}

#[test]
fn an_argument_that_is_not_utf8_is_named_not_a_panic() {
    use std::os::unix::ffi::OsStrExt;
    let out = Cmd::from_command({
        let mut c = std::process::Command::new(SERVER);
        c.arg(std::ffi::OsStr::from_bytes(b"\xff"));
        c
    })
    .run();
    out.expect_code(100);
    assert_eq!(
        out.stderr,
        "argument \"\\xff\" is not valid UTF-8 text\n",
        "{}",
        out.describe()
    );
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    fails_with(
        &[&port],
        None,
        &format!("binding 127.0.0.1:{port}: address already in use"),
    );
}

#[test]
fn a_bad_read_timeout_is_refused() {
    for bad in ["0", "abc", "-1"] {
        fails_with(
            &["0"],
            Some(("RPC_READ_TIMEOUT", bad)),
            &format!(
                "RPC_READ_TIMEOUT must be a whole number of seconds \
                 above 0, got \"{bad}\""
            ),
        );
    }
}
