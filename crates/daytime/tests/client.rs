//! daytime-client against fake servers that the test controls, and
//! its bad command lines. Every failure: `Fatal error: ...` on one
//! line of stderr and exit status 1.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};
use testkit::Cmd;

const CLIENT: &str = env!("CARGO_BIN_EXE_daytime-client");

fn client(args: &[&str]) -> testkit::Out {
    Cmd::new(CLIENT)
        .args(args)
        .timeout(Duration::from_secs(15))
        .run()
}

/// A one-shot server: accepts one client and runs `f` on it.
fn fake(f: impl FnOnce(TcpStream) + Send + 'static) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    thread::spawn(move || {
        if let Ok((s, _)) = l.accept() {
            f(s);
        }
    });
    addr
}

fn fails(out: &testkit::Out, words: &str) {
    out.expect_code(1);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(
        out.stderr.starts_with("Fatal error: ")
            || out.stderr.starts_with("Usage")
    );
    assert!(
        out.stderr.contains(words),
        "want {words:?}\n{}",
        out.describe()
    );
}

#[test]
fn prints_what_the_server_sent_as_one_line() {
    let addr =
        fake(|mut s| s.write_all(b"Sun Aug 29 17:25:19 EST 2010\r\n").unwrap());
    let out = client(&[&addr]);
    out.expect_code(0);
    assert_eq!(out.stdout, "Sun Aug 29 17:25:19 EST 2010\n");
}

#[test]
fn a_go_server_without_a_line_end_prints_the_same() {
    // Go's DaytimeServer sends time.Now().String() with no newline.
    let go = "2026-11-22 02:17:06.984501214 +0000 UTC m=+0.012099630";
    let addr = fake(move |mut s| s.write_all(go.as_bytes()).unwrap());
    let out = client(&[&addr]);
    out.expect_code(0);
    assert_eq!(out.stdout, format!("{go}\n"));
}

#[test]
fn a_reply_in_pieces_is_read_to_the_end() {
    let addr = fake(|mut s| {
        for piece in ["Sun Aug ", "29 17:25:19 ", "EST 2010\n"] {
            s.write_all(piece.as_bytes()).unwrap();
            s.flush().unwrap();
            thread::sleep(Duration::from_millis(50)); // separate segments
        }
    });
    let out = client(&[&addr]);
    out.expect_code(0);
    assert_eq!(out.stdout, "Sun Aug 29 17:25:19 EST 2010\n");
}

#[test]
fn usage_errors() {
    fails(&client(&[]), "Usage: daytime-client host:port");
    fails(
        &client(&["localhost:1200", "x"]),
        "Usage: daytime-client host:port",
    );
}

#[test]
fn malformed_addresses() {
    fails(
        &client(&["localhost"]),
        "`localhost` has no port: give host:port",
    );
    fails(&client(&[":1200"]), "`:1200` has no host");
    fails(
        &client(&["localhost:99999"]),
        "resolving localhost:99999: invalid port value",
    );
    fails(
        &client(&["localhost:daytime"]),
        "resolving localhost:daytime",
    );
}

#[test]
fn an_unknown_host() {
    // .invalid never resolves (RFC 6761).
    fails(
        &client(&["no-such-host.invalid:1200"]),
        "resolving no-such-host.invalid:1200",
    );
}

#[test]
fn connection_refused() {
    // A socket bound to a port and never listening: the kernel answers
    // a SYN to that port with RST, "Connection refused". (A listener
    // bound and dropped would not do: a process that another test
    // forks at that moment holds a copy of it until its exec, and
    // until then it still listens.) std binds a TCP socket only to
    // listen; socket2 binds without.
    use socket2::{Domain, Socket, Type};
    let bound = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    bound.bind(&any.into()).unwrap();
    let port = bound.local_addr().unwrap().as_socket().unwrap().port();
    let out = client(&[&format!("127.0.0.1:{port}")]);
    fails(
        &out,
        &format!("connecting to 127.0.0.1:{port}: Connection refused"),
    );
    fails(&out, "nothing listens there (is the server running?)");
}

#[test]
fn a_server_that_says_nothing_times_out() {
    // Silent until the client hangs up (its FIN ends this read).
    let addr = fake(|mut s| {
        let _ = testkit::retry_eintr(|| s.read(&mut [0u8; 1]));
    });
    // NETPROG_TIME_SCALE 0.1: the 5 s for a read are 0.5 s, and the
    // message names the limit used.
    let t = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([&addr])
        .env("NETPROG_TIME_SCALE", "0.1")
        .timeout(Duration::from_secs(15))
        .run();
    let took = t.elapsed();
    fails(
        &out,
        "timed out after 0.5 s (waiting for the time, then for the server \
         to close)",
    );
    assert!(took >= Duration::from_millis(490), "took {took:?}");
    assert!(took < Duration::from_secs(1), "took {took:?}");
}

#[test]
fn a_bad_time_scale_is_a_usage_error_before_any_connect() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    for bad in ["0.001", "101", "nan", "5 s"] {
        let out = Cmd::new(CLIENT)
            .args([&addr])
            .env("NETPROG_TIME_SCALE", bad)
            .run();
        fails(
            &out,
            &format!(
                "Fatal error: NETPROG_TIME_SCALE=\"{bad}\" is not a factor \
                 from 0.01 to 100"
            ),
        );
    }
    // Read before any socket: no connection is waiting to be accepted.
    l.set_nonblocking(true).unwrap();
    let err = l.accept().unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::WouldBlock, "it connected");
}

#[test]
fn a_server_that_closes_without_a_word() {
    let addr = fake(drop);
    fails(
        &client(&[&addr]),
        "closed the connection without sending the time",
    );
}

#[test]
fn a_server_that_sends_too_much() {
    let addr = fake(|mut s| {
        let _ = s.write_all(&vec![b'x'; 1_000_000]);
    });
    fails(
        &client(&[&addr]),
        "sent more than 1024 bytes: that is not a daytime reply",
    );
}

#[test]
fn a_server_that_resets() {
    let addr = fake(|mut s| {
        s.write_all(b"half a li").unwrap();
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
    });
    fails(&client(&[&addr]), "Connection reset by peer");
}

#[test]
fn garbage_bytes_are_printed_as_they_came() {
    // Like Go's Println(string(result)): bytes, not checked text.
    let addr = fake(|mut s| s.write_all(b"\xff\xfe time?\r\n").unwrap());
    let out = client(&[&addr]);
    out.expect_code(0);
    assert_eq!(out.stdout, "\u{fffd}\u{fffd} time?\n");
}

#[test]
fn an_argument_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"host\xff:1200");
    let out = Cmd::new(CLIENT).args([bad]).run();
    fails(&out, r#"argument "host\xff:1200" is not valid UTF-8 text"#);
}

/// A closed stdout (`daytime-client ... | head -0`) ends the client
/// quietly with status 141, the status of a program SIGPIPE killed.
#[test]
fn a_closed_stdout_ends_it_with_141() {
    use std::process::{Command, Stdio};
    let addr =
        fake(|mut s| s.write_all(b"Sun Aug 29 17:25:19 EST 2010\r\n").unwrap());
    // The pipe's reading end is closed before the client starts, so
    // no timing decides the outcome.
    let writer = testkit::closed_pipe();
    // The client's own 5 s limits bound this wait.
    let out = Command::new(CLIENT)
        .arg(&addr)
        .stdin(Stdio::null())
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}
