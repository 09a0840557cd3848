//! daytime-server, driven over loopback: with its own client, with
//! raw sockets, with many clients at once, and with clients that
//! misbehave. Then its bad command lines.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::ffi::OsStrExt;
use std::process::{Command, Stdio};
use std::thread;
use std::time::Duration;
use testkit::{Cmd, Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_daytime-client");

fn start() -> Server {
    Server::start(SERVER, &["0"])
}

/// Start the server with TZ set, as a learner in that zone would.
fn start_in_zone(tz: &str) -> Server {
    let mut cmd = Command::new(SERVER);
    cmd.arg("0").env("TZ", tz);
    Server::start_cmd(cmd, false)
}

/// Connect, read to EOF, return the raw bytes.
fn ask(addr: SocketAddr) -> Vec<u8> {
    let mut s = TcpStream::connect_timeout(&addr, WAIT).expect("connect");
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut v = Vec::new();
    s.read_to_end(&mut v).expect("read to EOF");
    v
}

fn client(addr: &str) -> testkit::Out {
    Cmd::new(CLIENT).args([addr]).run()
}

/// What `date` prints in `tz` right now.
fn date_in(tz: &str) -> String {
    let out = Cmd::new("date").env("TZ", tz).env("LC_ALL", "C").run();
    out.stdout.trim_end().to_string()
}

/// The client's line must be what `date` prints in the server's zone.
/// A second may tick between the two; then the pair is asked again.
fn assert_like_date(tz: &str) {
    let server = start_in_zone(tz);
    let mut last = (String::new(), String::new());
    for _ in 0..3 {
        let before = date_in(tz);
        let out = client(&server.addr).expect_code(0).stdout.clone();
        let after = date_in(tz);
        let got = out.trim_end().to_string();
        if got == before || got == after {
            return;
        }
        last = (got, after);
    }
    panic!(
        "TZ={tz}: client printed {:?}, date printed {:?}",
        last.0, last.1
    );
}

#[test]
fn client_and_server_together_print_what_date_prints() {
    assert_like_date("UTC");
    assert_like_date("Asia/Kolkata");
    assert_like_date("America/New_York");
}

#[test]
fn the_reply_is_one_ascii_line_ending_in_cr_lf() {
    let server = start();
    let reply = ask(server.socket_addr());
    assert!(reply.ends_with(b"\r\n"), "{reply:?}");
    assert!(reply.is_ascii(), "{reply:?}");
    let text = String::from_utf8(reply).unwrap();
    assert_eq!(text.lines().count(), 1, "{text:?}");
    // "Sun Nov 22 02:17:06 UTC 2026": 24 fixed characters + zone.
    assert!(text.len() >= 28, "{text:?}");
}

#[test]
fn the_client_prints_exactly_one_line() {
    let server = start();
    let out = client(&server.addr);
    out.expect_code(0);
    assert_eq!(out.stdout.matches('\n').count(), 1, "{}", out.describe());
    assert!(!out.stdout.contains('\r'), "{}", out.describe());
    assert_eq!(out.stderr, "");
}

#[test]
fn many_clients_at_once() {
    let server = start();
    let addr = server.socket_addr();
    let raw: Vec<_> =
        (0..64).map(|_| thread::spawn(move || ask(addr))).collect();
    let procs: Vec<_> = (0..8)
        .map(|_| {
            let a = server.addr.clone();
            thread::spawn(move || client(&a))
        })
        .collect();
    for t in raw {
        let r = t.join().unwrap();
        assert!(r.ends_with(b"\r\n"), "{r:?}");
    }
    for t in procs {
        t.join().unwrap().expect_code(0);
    }
}

/// After each kind of misbehaviour: the server is alive and answers.
fn still_answers(server: &mut Server) {
    assert!(
        server.is_running(),
        "the server died: {:?}",
        server.stderr()
    );
    let reply = ask(server.socket_addr());
    assert!(reply.ends_with(b"\r\n"), "{reply:?}");
}

/// Clients one after another, as fast as they can: fewer than the
/// accept queue holds (128, std's), since the server may fall behind.
/// Past it Linux drops a SYN, and that client's kernel sends it again
/// only a second later: the test would wait, and test the queue.
const CLIENTS: usize = 100;

#[test]
fn clients_that_connect_and_leave_at_once_do_not_disturb_it() {
    let mut server = start();
    let addr = server.socket_addr();
    for _ in 0..CLIENTS {
        drop(TcpStream::connect(addr).unwrap());
    }
    still_answers(&mut server);
}

#[test]
fn clients_that_reset_do_not_disturb_it() {
    let mut server = start();
    let addr = server.socket_addr();
    for _ in 0..CLIENTS {
        let s = TcpStream::connect(addr).unwrap();
        // SO_LINGER 0: close() sends RST instead of FIN.
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s);
    }
    still_answers(&mut server);
}

#[test]
fn clients_that_send_garbage_or_never_read_do_not_disturb_it() {
    let mut server = start();
    let addr = server.socket_addr();
    for _ in 0..20 {
        let mut s = TcpStream::connect(addr).unwrap();
        let _ = s.write_all(&[0xff, 0x00, b'\n', 0x1b, b'[', b'2', b'J']);
        let _ = s.write_all(&vec![b'x'; 100_000]);
    }
    // Clients that never read: kept open until the end of the test.
    let idle: Vec<TcpStream> =
        (0..50).map(|_| TcpStream::connect(addr).unwrap()).collect();
    still_answers(&mut server);
    drop(idle);
    still_answers(&mut server);
}

#[test]
fn listens_on_loopback_port_1200_by_default() {
    // Port 1200 may be taken on this machine: then the server must
    // say so about 127.0.0.1:1200 and exit 1. Either way the default
    // address is pinned. Its first line, or its end, is awaited.
    let mut cmd = Command::new(SERVER);
    cmd.env("TZ", "UTC");
    let listening = |l: &str| l.starts_with("listening on ");
    match Server::start_until(cmd, false, listening) {
        Ok(mut server) => {
            let first = server.stdout().first().cloned();
            assert_eq!(first.as_deref(), Some("listening on 127.0.0.1:1200"));
            assert!(server.is_running(), "{:?}", server.stderr());
        }
        Err((what, mut server)) => {
            let status = server.wait_exit(WAIT);
            assert_eq!(status.and_then(|s| s.code()), Some(1), "{what}");
            let err = server.stderr();
            assert!(
                err.len() == 1 && err[0].contains("127.0.0.1:1200"),
                "{err:?}"
            );
        }
    }
}

#[test]
fn an_address_argument_is_used_as_given() {
    let server = Server::start(SERVER, &["127.0.0.1:0"]);
    assert!(server.addr.starts_with("127.0.0.1:"), "{}", server.addr);
    let v6 = TcpListener::bind("[::1]:0").is_ok();
    if v6 {
        let server = Server::start(SERVER, &["[::1]:0"]);
        assert!(server.addr.starts_with("[::1]:"), "{}", server.addr);
        let reply = ask(server.socket_addr());
        assert!(reply.ends_with(b"\r\n"));
    }
}

// ---- bad command lines: one line on stderr, exit status 1 ----

fn server_fails(args: &[&str], words: &str) {
    let out = Cmd::new(SERVER)
        .args(args)
        .timeout(Duration::from_secs(5))
        .run();
    out.expect_code(1);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(out.stderr.contains(words), "{args:?}: {}", out.describe());
}

#[test]
fn bad_server_arguments() {
    server_fails(&["1200", "1201"], "Usage: daytime-server ");
    server_fails(
        &["99999"],
        "Fatal error: invalid port or address \"99999\": give a port \
         (0 to 65535)",
    );
    server_fails(&["foo"], "Fatal error: invalid port or address \"foo\"");
    server_fails(&["localhost:1200"], "invalid port or address");
    server_fails(
        &[":1200"],
        "Go's \":PORT\" (every interface) is written 0.0.0.0:1200 or \
         [::]:1200 here",
    );
    server_fails(
        &["192.0.2.1:1200"],
        "Fatal error: binding 192.0.2.1:1200: no interface of this machine \
         has that address",
    );
    let bad = std::ffi::OsStr::from_bytes(b"\xff");
    let out = Cmd::new(SERVER).args([bad]).run();
    out.expect_code(1);
    assert_eq!(
        out.stderr,
        "Fatal error: argument \"\\xff\" is not valid UTF-8 text\n"
    );
}

#[test]
fn a_bad_time_scale_is_a_usage_error_before_any_socket() {
    // The port is taken: had the server bound first, it would say so.
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let out = Cmd::new(SERVER)
        .args([&port])
        .env("NETPROG_TIME_SCALE", "ten")
        .timeout(Duration::from_secs(5))
        .run();
    out.expect_code(1);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert_eq!(
        out.stderr,
        "Fatal error: NETPROG_TIME_SCALE=\"ten\" is not a factor from 0.01 \
         to 100\n"
    );
}

#[test]
fn a_port_in_use_is_reported() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    server_fails(
        &[&port],
        &format!(
            "Fatal error: binding 127.0.0.1:{port}: address already in use"
        ),
    );
    server_fails(&[&port], "another program has that port");
}

#[test]
fn a_low_port_needs_root() {
    // Run the server as `nobody` (setpriv, from util-linux); only
    // root can switch users, so elsewhere this is skipped.
    if !testkit::need_root("switching to an unprivileged user")
        || !testkit::need_tool("setpriv", "running as nobody")
    {
        return;
    }
    let out = Cmd::new("setpriv")
        .args([
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            SERVER,
            "13",
        ])
        .run();
    out.expect_code(1);
    assert_eq!(
        out.stderr.trim_end(),
        "Fatal error: binding 127.0.0.1:13: permission denied (ports below \
         1024 need the CAP_NET_BIND_SERVICE capability: choose a port above \
         1023)"
    );
}

/// Start the server with one output pipe closed under it: our end of
/// the pipe is dropped, so each of its writes there fails with EPIPE,
/// as after `daytime-server | head -1`. Returns the child and its
/// address; the child is killed by the caller.
fn start_with_closed(stdout: bool) -> (std::process::Child, SocketAddr) {
    use std::io::BufRead;
    let mut child = Command::new(SERVER)
        .arg("0")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let err = child.stderr.take().unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    if stdout {
        drop(out);
        // stderr stays open (and unread: the server writes little).
        std::mem::forget(err);
    } else {
        drop(err);
        std::mem::forget(out);
    }
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .and_then(|a| a.parse().ok())
        .unwrap_or_else(|| panic!("first line {first:?}"));
    (child, addr)
}

#[test]
fn a_closed_stdout_does_not_stop_it() {
    let (mut child, addr) = start_with_closed(true);
    for _ in 0..3 {
        assert!(ask(addr).ends_with(b"\r\n"));
    }
    assert!(matches!(child.try_wait(), Ok(None)), "it died");
    let _ = child.kill();
    let _ = child.wait();
}

/// With stderr closed, a client that reset before the server got to
/// it makes the write fail, and the server logs that on stderr: it
/// must carry on. The server is stopped (SIGSTOP) while the client
/// connects and resets, so that the reset comes first for certain.
#[test]
fn a_closed_stderr_does_not_stop_it() {
    let (mut child, addr) = start_with_closed(false);
    let pid = child.id().to_string();
    for _ in 0..3 {
        Cmd::new("kill").args(["-STOP", &pid]).run().expect_code(0);
        let s = TcpStream::connect_timeout(&addr, WAIT).unwrap();
        socket2::SockRef::from(&s)
            .set_linger(Some(Duration::ZERO))
            .unwrap();
        drop(s); // RST, while the connection waits in the accept queue
        Cmd::new("kill").args(["-CONT", &pid]).run().expect_code(0);
        assert!(ask(addr).ends_with(b"\r\n"), "a fresh client is served");
    }
    assert!(matches!(child.try_wait(), Ok(None)), "it died");
    let _ = child.kill();
    let _ = child.wait();
}

/// The same reset client, with stderr open: the server says what
/// happened to that client and goes on.
#[test]
fn a_client_that_reset_first_is_logged() {
    let mut server = start();
    let pid = server.pid().to_string();
    Cmd::new("kill").args(["-STOP", &pid]).run().expect_code(0);
    let s = TcpStream::connect_timeout(&server.socket_addr(), WAIT).unwrap();
    let me = s.local_addr().unwrap();
    socket2::SockRef::from(&s)
        .set_linger(Some(Duration::ZERO))
        .unwrap();
    drop(s);
    Cmd::new("kill").args(["-CONT", &pid]).run().expect_code(0);
    let want = format!("daytime-server: client {me}: writing the time: ");
    let line = server.wait_err_line(|l| l.starts_with(&want), WAIT);
    assert!(line.is_some(), "stderr {:?}", server.stderr());
    still_answers(&mut server);
}
