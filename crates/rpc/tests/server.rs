//! Black-box tests of rpc-server: the real binary on loopback, talked
//! to by rpc-client and by raw frames built with the crate's lib.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use rpc::{ADD, Call, MyInts, SUBTRACT};
use std::io::Write;
use std::net::{Shutdown, TcpListener};
use std::time::{Duration, Instant};
use testkit::{Cmd, Server};

#[test]
fn the_books_client_gets_the_books_replies() {
    let srv = server();
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Add): 1\nReply (Subtract): -35\n");
    assert_eq!(out.stderr, "");
}

#[test]
fn first_line_is_the_real_loopback_address() {
    let srv = server();
    let first = &srv.stdout()[0];
    assert!(first.starts_with("listening on 127.0.0.1:"), "{first}");
    assert_ne!(
        srv.socket_addr().port(),
        0,
        "port 0 must show the chosen port"
    );
}

#[test]
fn listens_on_ipv6_loopback_when_asked() {
    let srv = Server::start(SERVER, &["[::1]:0"]);
    assert!(srv.addr.starts_with("[::1]:"), "{}", srv.addr);
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Add): 1\nReply (Subtract): -35\n");
}

#[test]
fn other_arguments_by_hand() {
    // Expected values worked out by hand from the book's rules:
    // Add = s1*A1 + s2*A2, Subtract = s1*A1 - s2*A2.
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let cases = [
        (ints(5, 3, false, true), 2, 8),
        (ints(5, 3, true, true), -8, -2),
        (ints(0, 0, true, true), 0, 0),
        (ints(100, 1, false, false), 101, 99),
    ];
    for (i, (args, sum, diff)) in cases.iter().enumerate() {
        let id = 2 * i as u32 + 10;
        assert_eq!(call(&mut s, id, ADD, args).result, Ok(*sum), "{args:?}");
        let r = call(&mut s, id + 1, SUBTRACT, args);
        assert_eq!((r.id, r.result), (id + 1, Ok(*diff)), "{args:?}");
    }
}

#[test]
fn a_connected_client_does_not_block_the_others() {
    // The book's server runs rpc.ServeConn in its accept loop, so a
    // second client waits until the first leaves. Here it does not.
    let srv = server();
    let mut idle = connect(srv.socket_addr());
    let mut half = connect(srv.socket_addr());
    half.write_all(&[0, 0, 0, 40, 1]).unwrap(); // a call, unfinished
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Add): 1\nReply (Subtract): -35\n");
    // And the first one is still served afterwards.
    assert_eq!(call(&mut idle, 1, ADD, &MyInts::BOOK).result, Ok(1));
    drop(half);
}

#[test]
fn many_clients_at_once_all_get_right_answers() {
    let srv = server();
    let addr = srv.socket_addr();
    let workers: Vec<_> = (0..16u64)
        .map(|w| {
            std::thread::spawn(move || {
                let mut s = connect(addr);
                for i in 0..50u64 {
                    let args = ints(w * 1000 + i, i, i % 2 == 0, w % 3 == 0);
                    let x = if args.s1 {
                        -(args.a1 as i64)
                    } else {
                        args.a1 as i64
                    };
                    let y = if args.s2 {
                        -(args.a2 as i64)
                    } else {
                        args.a2 as i64
                    };
                    let id = (w * 100 + i) as u32;
                    let r = call(&mut s, id, SUBTRACT, &args);
                    assert_eq!((r.id, r.result), (id, Ok(x - y)));
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a client thread failed");
    }
}

#[test]
fn pipelined_calls_are_answered_in_order_with_their_ids() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let mut burst = Vec::new();
    for (id, m) in [(7, ADD), (8, SUBTRACT), (9, ADD)] {
        burst.extend_from_slice(
            &Call::new(id, m, &MyInts::BOOK).encode().unwrap(),
        );
    }
    s.write_all(&burst).unwrap();
    let got: Vec<_> = (0..3).map(|_| read_reply(&mut s)).collect();
    let got: Vec<_> = got.into_iter().map(|r| (r.id, r.result)).collect();
    assert_eq!(got, vec![(7, Ok(1)), (8, Ok(-35)), (9, Ok(1))]);
}

#[test]
fn unknown_method_gets_an_error_reply_and_the_connection_stays() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let r = call(&mut s, 5, "MyInterface.Nope", &MyInts::BOOK);
    assert_eq!(r.id, 5);
    assert_eq!(
        r.result,
        Err("rpc: can't find method MyInterface.Nope".to_string())
    );
    assert_eq!(call(&mut s, 6, ADD, &MyInts::BOOK).result, Ok(1));
}

#[test]
fn malformed_arguments_get_an_error_reply_and_the_connection_stays() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let short = Call {
        id: 3,
        method: ADD.into(),
        args: vec![1, 2, 3].into(),
    };
    s.write_all(&short.encode().unwrap()).unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.id, 3);
    assert_eq!(
        r.result,
        Err("bad arguments for MyInterface.Add: arguments are 3 bytes, MyInts takes 18".into())
    );
    let mut bytes = MyInts::BOOK.encode().to_vec();
    bytes[16] = 2; // S1 is neither 0 nor 1
    let bad_flag = Call {
        id: 4,
        method: SUBTRACT.into(),
        args: bytes.into(),
    };
    s.write_all(&bad_flag.encode().unwrap()).unwrap();
    assert_eq!(
        read_reply(&mut s).result,
        Err("bad arguments for MyInterface.Subtract: sign flag S1 is 2, must be 0 or 1".into())
    );
    assert_eq!(call(&mut s, 5, SUBTRACT, &MyInts::BOOK).result, Ok(-35));
}

#[test]
fn results_that_do_not_fit_an_int_are_errors_not_wrapped() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let r = call(&mut s, 1, ADD, &ints(u64::MAX, 0, false, false));
    assert_eq!(
        r.result,
        Err("result 18446744073709551615 does not fit in a 64-bit int".into())
    );
    // -2^63 does fit, exactly: the smallest i64.
    let r = call(&mut s, 2, SUBTRACT, &ints(1 << 63, 0, true, false));
    assert_eq!(r.result, Ok(-9223372036854775808));
}

#[test]
fn an_oversized_frame_is_refused_and_the_connection_closed() {
    let srv = server();
    for len in [1024 * 1024 + 1, u32::MAX] {
        let mut s = connect(srv.socket_addr());
        s.write_all(&len.to_be_bytes()).unwrap();
        let r = read_reply(&mut s);
        assert_eq!(r.id, 0);
        assert_eq!(
            r.result,
            Err(format!(
                "frame of {len} bytes is over the 1048576-byte limit"
            ))
        );
        assert!(closed_by_server(&mut s), "connection should be closed");
    }
    let logged = srv.wait_err_line(
        |l| l.contains("is over the 1048576-byte limit: closing"),
        READ,
    );
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    // The server itself goes on.
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
}

#[test]
fn a_frame_of_exactly_the_limit_is_read_and_answered() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    let call = Call {
        id: 77,
        method: ADD.into(),
        args: vec![0u8; 1024 * 1024 - 1 - 4 - 2 - ADD.len()].into(),
    };
    let frame = call.encode().unwrap();
    assert_eq!(frame.len(), 4 + 1024 * 1024);
    s.write_all(&frame).unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.id, 77);
    assert!(
        r.result
            .unwrap_err()
            .contains("arguments are 1048554 bytes")
    );
}

#[test]
fn a_frame_that_is_not_a_call_gets_an_error_and_a_close() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    // A reply frame (kind 0x02) sent to the server, call id 9.
    s.write_all(&[0, 0, 0, 13, 2, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 1])
        .unwrap();
    let r = read_reply(&mut s);
    assert_eq!(r.id, 9);
    assert_eq!(
        r.result,
        Err("malformed call: expected a call, got kind byte 0x02".into())
    );
    assert!(closed_by_server(&mut s));
    let logged = srv.wait_err_line(
        |l| l.ends_with(": malformed call: expected a call, got kind byte 0x02: closing"),
        READ,
    );
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    // An empty frame: not even a kind byte.
    let mut s = connect(srv.socket_addr());
    s.write_all(&[0, 0, 0, 0]).unwrap();
    assert_eq!(
        read_reply(&mut s).result,
        Err("malformed call: frame too short for the kind byte (needs 1 bytes, 0 left)".into())
    );
    assert!(closed_by_server(&mut s));
}

#[test]
fn a_client_leaving_mid_frame_is_logged_and_the_server_goes_on() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    s.write_all(&[0, 0, 0, 40, 1]).unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    assert!(closed_by_server(&mut s));
    let logged = srv.wait_err_line(
        |l| {
            l.ends_with(
                ": reading a call: connection closed in the middle of a frame",
            )
        },
        READ,
    );
    assert!(logged.is_some(), "stderr: {:?}", srv.stderr());
    let mut s = connect(srv.socket_addr());
    assert_eq!(call(&mut s, 1, ADD, &MyInts::BOOK).result, Ok(1));
}

#[test]
fn a_half_closed_client_still_gets_its_reply() {
    let srv = server();
    let mut s = connect(srv.socket_addr());
    s.write_all(&Call::new(1, ADD, &MyInts::BOOK).encode().unwrap())
        .unwrap();
    s.shutdown(Shutdown::Write).unwrap();
    assert_eq!(read_reply(&mut s).result, Ok(1));
    assert!(closed_by_server(&mut s));
}

fn server_with_timeout(secs: &str) -> Server {
    let mut cmd = std::process::Command::new(SERVER);
    cmd.arg("0").env("RPC_READ_TIMEOUT", secs);
    Server::start_cmd(cmd, false)
}

#[test]
fn an_idle_client_is_disconnected_after_the_read_timeout() {
    let srv = server_with_timeout("1");
    let start = Instant::now();
    let mut s = connect(srv.socket_addr());
    // A generous bound: on a loaded machine (2 cores shared by many
    // builds) a thread can wait seconds for the CPU.
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    if let Err(why) = until_closed(&mut s) {
        panic!(
            "idle connection not closed: {why}; server stderr: {:?}",
            srv.stderr()
        );
    }
    assert!(start.elapsed() >= Duration::from_millis(900));
    let line = srv.wait_err_line(
        |l| l.contains("no complete call within 1 s: closing"),
        READ,
    );
    assert!(line.is_some(), "stderr: {:?}", srv.stderr());
}

#[test]
fn a_trickling_client_cannot_hold_a_connection_open() {
    // One byte every 200 ms: each single read is quick, but the whole
    // frame would take 9 s. The deadline is per frame, so the server
    // gives up after about 1 s.
    let srv = server_with_timeout("1");
    let s = connect(srv.socket_addr());
    let mut writer = s.try_clone().unwrap();
    let frame = Call::new(1, ADD, &MyInts::BOOK).encode().unwrap();
    let trickle = std::thread::spawn(move || {
        for b in frame.iter() {
            if writer.write_all(&[*b]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    });
    let mut reader = s;
    let start = Instant::now();
    let mut first = [0u8; 4];
    let n = std::io::Read::read(&mut reader, &mut first).unwrap_or(0);
    assert_eq!(n, 0, "expected a close, got bytes");
    assert!(start.elapsed() < Duration::from_secs(5));
    trickle.join().unwrap();
}

#[test]
fn out_of_file_descriptors_the_server_waits_and_recovers() {
    // With at most 10 descriptors (0-2, the listener, 6 clients) the
    // 7th accept fails with EMFILE. The server must log it, keep
    // going, and serve again once descriptors are free.
    let mut cmd = std::process::Command::new("sh");
    cmd.arg("-c")
        .arg("ulimit -n 10 && exec \"$0\" 0")
        .arg(SERVER);
    let srv = Server::start_cmd(cmd, false);
    let held: Vec<_> = (0..10).map(|_| connect(srv.socket_addr())).collect();
    let line = srv.wait_err_line(
        |l| l == "accepting a connection: Too many open files (os error 24)",
        READ,
    );
    assert!(line.is_some(), "no EMFILE line; stderr: {:?}", srv.stderr());
    drop(held);
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Add): 1\nReply (Subtract): -35\n");
}

#[test]
fn garbage_never_kills_the_server_and_fresh_clients_are_served() {
    let srv = server();
    let addr = srv.socket_addr();
    let valid = Call::new(1, ADD, &MyInts::BOOK).encode().unwrap().to_vec();
    let mut rng = XorShift(0x2545_f491_4f6c_dd1d);
    for round in 0..300 {
        let garbage = match round % 3 {
            // Random bytes of random length.
            0 => {
                let n = rng.below(200) as usize;
                rng.bytes(n)
            }
            // A plausible length, then random bytes.
            1 => {
                let n = rng.below(64) as usize;
                let body = rng.bytes(n);
                let mut f = (body.len() as u32).to_be_bytes().to_vec();
                f.extend(body);
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
        assert!(closed_by_server(&mut s), "round {round}: no close");
    }
    let out = Cmd::new(CLIENT).args([&srv.addr]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Reply (Add): 1\nReply (Subtract): -35\n");
    let panics: Vec<_> = srv
        .stderr()
        .into_iter()
        .filter(|l| l.contains("panicked"))
        .collect();
    assert!(panics.is_empty(), "server threads panicked: {panics:?}");
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
    fails_with(&["1", "2"], None, "usage: rpc-server [PORT | ADDRESS]");
}

#[test]
fn a_port_out_of_range_is_refused() {
    fails_with(
        &["70000"],
        None,
        "invalid port or address \"70000\": give a port like 1234 or an address like 0.0.0.0:1234",
    );
}

#[test]
fn a_host_name_is_not_an_address() {
    fails_with(
        &["localhost:1234"],
        None,
        "invalid port or address \"localhost:1234\"",
    );
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    fails_with(
        &[&port],
        None,
        &format!(
            "listening on 127.0.0.1:{port}: Address already in use (os error 98)"
        ),
    );
}

#[test]
fn a_bad_read_timeout_is_refused() {
    for bad in ["0", "abc", "-1"] {
        fails_with(
            &["0"],
            Some(("RPC_READ_TIMEOUT", bad)),
            &format!(
                "RPC_READ_TIMEOUT must be a whole number of seconds above 0, got \"{bad}\""
            ),
        );
    }
}
