//! handshake-server and handshake-client over loopback, without any
//! privilege: the echo, the logs, and every bad input.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::time::{Duration, Instant};
use tcp_handshake::cli;
use testkit::{Cmd, Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_handshake-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_handshake-client");

fn server() -> Server {
    Server::start(SERVER, &["0"])
}

#[test]
fn the_client_gets_its_words_back_and_the_server_logs_them() {
    let s = server();
    let out = Cmd::new(CLIENT).args([&s.addr]).run();
    out.expect_code(0);
    // Exactly the 14 bytes: no NUL byte after the newline.
    assert_eq!(out.stdout, "Hi, I am Coco\n");
    assert!(
        s.wait_line(|l| l == "request: Hi, I am Coco", WAIT)
            .is_some()
    );
    assert!(
        s.wait_line(
            |l| l.starts_with("connection closed by client: 127.0.0.1:"),
            WAIT
        )
        .is_some(),
        "{:?}",
        s.stdout()
    );
}

#[test]
fn the_echo_is_exactly_what_was_sent() {
    let s = server();
    let mut c = TcpStream::connect(s.socket_addr()).unwrap();
    let msg = b"a longer message than fifteen bytes, in several reads\n";
    c.write_all(msg).unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.read_to_end(&mut back).unwrap();
    assert_eq!(back, msg);
}

#[test]
fn bad_clients_do_not_stop_the_server() {
    let s = server();
    // Connect and leave at once.
    drop(TcpStream::connect(s.socket_addr()).unwrap());
    // Garbage with control characters, then leave without reading.
    let mut g = TcpStream::connect(s.socket_addr()).unwrap();
    g.write_all(&[0, 1, 2, 0x1b, b'[', b'2', b'J', 0xff, 0xfe])
        .unwrap();
    drop(g);
    // The terminal never sees the raw escape byte.
    s.wait_line(|l| l.starts_with("connection closed"), WAIT)
        .unwrap();
    assert!(s.stdout().iter().all(|l| !l.contains('\u{1b}')));
    // A fresh client is still served.
    let out = Cmd::new(CLIENT).args([&s.addr]).run();
    assert_eq!(out.stdout, "Hi, I am Coco\n", "{}", out.describe());
}

#[test]
fn a_refused_connection_is_one_line_and_status_1() {
    // A socket bound to a port and never listening: the kernel answers
    // a SYN to that port with RST. (A listener bound and dropped would
    // not do: a process that another test forks at that moment holds a
    // copy of it until its exec, and until then it still listens.)
    // std binds a TCP socket only to listen; socket2 binds without.
    use socket2::{Domain, Socket, Type};
    let bound = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    bound.bind(&any.into()).unwrap();
    let port = bound.local_addr().unwrap().as_socket().unwrap().port();
    let out = Cmd::new(CLIENT).args([format!("127.0.0.1:{port}")]).run();
    out.expect_code(1);
    assert_eq!(out.stdout, "");
    assert!(
        out.stderr.starts_with(&format!(
            "couldn't connect to the server: 127.0.0.1:{port}: "
        )) && out.stderr.contains("refused")
            && out.stderr.lines().count() == 1,
        "{}",
        out.stderr
    );
}

#[test]
fn a_silent_server_ends_in_a_read_timeout() {
    // Accepts (the kernel does it) but never answers. The client's 5 s
    // times NETPROG_TIME_SCALE=0.1: it gives up after 0.5 s.
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    let start = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([&addr])
        .env(cli::TIME_SCALE_ENV, "0.1")
        .timeout(Duration::from_secs(15))
        .run();
    let took = start.elapsed();
    out.expect_code(1);
    assert!(
        out.stderr.starts_with("couldn't read server response: ")
            && out.stderr.lines().count() == 1,
        "{}",
        out.stderr
    );
    let limit = Duration::from_millis(500);
    assert!(took >= limit && took < 2 * limit, "gave up after {took:?}");
    drop(l);
}

#[test]
fn a_silent_client_is_closed_after_the_idle_timeout() {
    // The server's default 30 s times NETPROG_TIME_SCALE=0.01: 0.3 s.
    let mut cmd = std::process::Command::new(SERVER);
    cmd.arg("0").env(cli::TIME_SCALE_ENV, "0.01");
    let s = Server::start_cmd(cmd, false);
    let start = Instant::now();
    let mut c = TcpStream::connect(s.socket_addr()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let mut buf = [0u8; 16];
    // End of file: the server closed, it did not just stay silent. (A
    // read with a timeout that a signal interrupts is not restarted:
    // EINTR, signal(7); it is simply read again.)
    let n = testkit::retry_eintr(|| c.read(&mut buf)).unwrap();
    assert_eq!(n, 0);
    let took = start.elapsed();
    let limit = Duration::from_millis(300);
    assert!(took >= limit && took < WAIT, "closed after {took:?}");
    let me = c.local_addr().unwrap();
    let want = format!("closing idle connection: {me}");
    assert!(
        s.wait_line(|l| l == want, WAIT).is_some(),
        "{:?}",
        s.stdout()
    );
}

#[test]
fn a_bad_time_scale_is_one_line_and_status_1() {
    // Refused before the address is even looked up.
    for exe in [CLIENT, SERVER] {
        let out = Cmd::new(exe)
            .args(["127.0.0.1:9"])
            .env(cli::TIME_SCALE_ENV, "slow")
            .run();
        out.expect_code(1);
        assert_eq!(out.stdout, "", "{exe}");
        let said =
            "NETPROG_TIME_SCALE=\"slow\" is not a factor from 0.01 to 100";
        let want = if exe == CLIENT {
            format!("{said}\n")
        } else {
            format!("failed to create listener, err: {said}\n")
        };
        assert_eq!(out.stderr, want, "{exe}");
    }
}

#[test]
fn bad_arguments() {
    for (args, says) in [
        (vec!["a", "b"], "usage"),
        (vec!["nonsense"], "couldn't resolve the server"),
        (vec!["127.0.0.1:99999"], "couldn't resolve the server"),
        (
            vec!["no-such-host.invalid:9000"],
            "couldn't resolve the server",
        ),
    ] {
        let out = Cmd::new(CLIENT).args(&args).run();
        out.expect_code(1);
        assert!(out.stderr.starts_with(says), "{args:?}: {}", out.stderr);
        assert_eq!(out.stderr.lines().count(), 1, "{args:?}: {}", out.stderr);
    }
    for (args, says) in [
        (vec!["1", "2"], "too many arguments"),
        (vec!["x"], "invalid port or address \"x\""),
        (vec!["70000"], "invalid port or address \"70000\""),
        (vec![":9000"], "Go's \":PORT\" (every interface)"),
        (vec!["--idle-timeout", "0", "0"], "--idle-timeout wants"),
        (vec!["--idle-timeout"], "--idle-timeout needs a value"),
    ] {
        let out = Cmd::new(SERVER).args(&args).run();
        out.expect_code(1);
        assert!(
            out.stderr.starts_with("failed to create listener, err: ")
                && out.stderr.contains(says)
                && out.stderr.lines().count() == 1,
            "{args:?}: {}",
            out.stderr
        );
    }
}

#[test]
fn arguments_that_are_not_utf8_are_one_line() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"\xff");
    for exe in [SERVER, CLIENT] {
        let out = Cmd::new(exe).args([bad]).run();
        out.expect_code(1);
        assert!(
            out.stderr.contains("is not valid UTF-8 text")
                && out.stderr.lines().count() == 1,
            "{exe}: {}",
            out.stderr
        );
    }
}

#[test]
fn the_client_shows_control_bytes_as_question_marks() {
    // A server that answers with an escape sequence (clear screen).
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let t = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut buf = [0u8; 14];
        c.read_exact(&mut buf).unwrap();
        c.write_all(b"\x1b[2Jgone\n").unwrap();
    });
    let out = Cmd::new(CLIENT).args([addr.to_string()]).run();
    t.join().unwrap();
    out.expect_code(0);
    assert_eq!(out.stdout, "?[2Jgone\n");
}

#[test]
fn a_closed_stdout_ends_the_client_with_141() {
    let s = server();
    let writer = testkit::closed_pipe();
    let out = std::process::Command::new(CLIENT)
        .arg(&s.addr)
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(141), "{out:?}");
    assert!(out.stderr.is_empty(), "{out:?}");
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Cmd::new(SERVER).args([&port]).run();
    out.expect_code(1);
    assert!(
        out.stderr.contains("address already in use"),
        "{}",
        out.stderr
    );
}
