//! Black-box tests of socket-client: its output, --count, running
//! until stopped, time limits, and every way a connection can fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::Duration;
use testkit::{Cmd, WAIT};

#[test]
fn count_sends_that_many_and_stops() {
    let (_dir, path) = sock("count");
    let srv = server(&path);
    let out = client_count(&path, 3);
    out.expect_code(0);
    // One space after the arrow (Go's Println printed two).
    assert_eq!(out.stdout, "-> Hello Server!\n".repeat(3));
    assert!(out.stderr.is_empty(), "{}", out.describe());
    let logged = |l: &[String]| {
        l.iter().filter(|l| *l == "->: Hello Server!").count() == 3
    };
    assert!(srv.wait_output(logged, WAIT), "{:?}", srv.stdout());
}

#[test]
fn without_count_it_keeps_sending() {
    let (_dir, path) = sock("forever");
    let _srv = server(&path);
    // The book's client never stops by itself: we stop it.
    let out = Cmd::new(CLIENT)
        .args([s(&path)])
        .timeout(Duration::from_millis(2500))
        .run();
    assert!(
        out.timed_out,
        "still running after 2.5 s\n{}",
        out.describe()
    );
    assert!(replies(&out).len() >= 2, "{}", out.describe());
    assert!(replies(&out).iter().all(|l| *l == "-> Hello Server!"));
}

#[test]
fn each_reply_is_awaited_before_the_next_message() {
    let (_dir, path) = sock("await");
    // A slow server: it answers the first message only after checking
    // that nothing more arrives for 1.5 s (the client's pace is 1 s).
    let l = UnixListener::bind(&path).unwrap();
    let slow = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut buf = [0u8; 64];
        let n = c.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"Hello Server!");
        c.set_read_timeout(Some(Duration::from_millis(1500)))
            .unwrap();
        let early = c.read(&mut buf);
        assert!(
            early.is_err(),
            "a second message came before the reply: {early:?}"
        );
        c.set_read_timeout(Some(WAIT)).unwrap();
        c.write_all(b"one").unwrap();
        let n = c.read(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"Hello Server!");
        c.write_all(b"two").unwrap();
    });
    let out = client_count(&path, 2);
    slow.join().unwrap();
    out.expect_code(0);
    assert_eq!(out.stdout, "-> one\n-> two\n");
}

#[test]
fn the_server_going_away_is_an_error() {
    let (_dir, path) = sock("gone");
    let mut srv = server(&path);
    let p = path.clone();
    let client =
        std::thread::spawn(move || Cmd::new(CLIENT).args([s(&p)]).run());
    // Once the server has seen the first message, kill it.
    assert!(srv.wait_line(|l| l.starts_with("->:"), WAIT).is_some());
    srv.signal_and_wait("-KILL", WAIT).expect("server killed");
    let out = client.join().unwrap();
    assert_eq!(out.code, Some(100), "{}", out.describe());
    assert!(
        out.stderr.contains("closed the connection")
            || out.stderr.contains("Broken pipe"),
        "{}",
        out.describe()
    );
}

#[test]
fn no_reply_times_out() {
    let (_dir, path) = sock("silent");
    // A server that accepts and reads but never answers.
    let l = UnixListener::bind(&path).unwrap();
    let silent = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut sink = Vec::new();
        let _ = c.read_to_end(&mut sink);
        c // keep it open until the client has given up
    });
    let out = client_count(&path, 1);
    assert_one_line_error(&out, &["timed out waiting for a reply", "in 5 s"]);
    drop(silent.join());
}

#[test]
fn connect_times_out_when_the_queue_is_full() {
    let (_dir, path) = sock("full");
    // A listener with a backlog of 0 that never accepts: one connection
    // fits in its queue, the next one waits in connect().
    use socket2::{Domain, SockAddr, Socket, Type};
    let l = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    l.bind(&SockAddr::unix(&path).unwrap()).unwrap();
    l.listen(0).unwrap();
    let _first = std::os::unix::net::UnixStream::connect(&path).unwrap();
    let out = client_count(&path, 1);
    assert_one_line_error(
        &out,
        &["timed out after 5 s connecting to", "not accepting"],
    );
}

#[test]
fn garbage_from_the_server_is_printed_safely() {
    let (_dir, path) = sock("garbage");
    let l = UnixListener::bind(&path).unwrap();
    let peer = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = c.read(&mut buf).unwrap();
        c.write_all(b"\xff\xfeok\n").unwrap();
        // then end-of-file
    });
    let out = client_count(&path, 1);
    out.expect_code(0);
    assert_eq!(out.stdout, "-> \u{fffd}\u{fffd}ok\n");
    peer.join().unwrap();
}

fn run_client(path: &Path) -> testkit::Out {
    Cmd::new(CLIENT).args([s(path)]).run()
}

#[test]
fn no_such_file() {
    let (_dir, path) = sock("nofile");
    let out = run_client(&path);
    assert_one_line_error(
        &out,
        &["there is no such file", "start socket-server"],
    );
}

#[test]
fn missing_directory() {
    let (dir, _) = sock("nodir");
    let out = run_client(&dir.path().join("no-such-dir/s.sock"));
    assert_one_line_error(&out, &["no such file", "os error 2"]);
}

#[test]
fn stale_socket_file_is_refused() {
    let (_dir, path) = sock("stale");
    drop(UnixListener::bind(&path).unwrap());
    let out = run_client(&path);
    assert_one_line_error(
        &out,
        &["nobody is accepting on it", "Connection refused"],
    );
}

#[test]
fn not_a_socket() {
    let (dir, _) = sock("notsock");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "hi").unwrap();
    let out = run_client(&file);
    assert_one_line_error(&out, &["this file is not a socket"]);
    let out = run_client(&file.join("s.sock"));
    assert_one_line_error(&out, &["not a directory", "os error 20"]);
}

#[test]
fn permission_denied() {
    let (_dir, path) = sock("perm");
    let _srv = server(&path);
    // Connecting needs write permission on the socket file.
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o555))
        .unwrap();
    let Some(mut cmd) = unprivileged(CLIENT) else {
        return;
    };
    cmd.args(["--count", "1"]).arg(&path);
    let out = Cmd::from_command(cmd).run();
    assert_one_line_error(
        &out,
        &["permission denied", "write permission", "os error 13"],
    );
}

#[test]
fn bad_command_lines() {
    let long = "a".repeat(108);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[],
            &["Please provide a socket file.", "usage: socket-client"],
        ),
        (&["a.sock", "b.sock"], &["b.sock is one too many"]),
        (
            &["--count", "0", "a.sock"],
            &["--count takes a whole number of 1 or more"],
        ),
        (&["--count", "many", "a.sock"], &["not \"many\""]),
        (&["a.sock", "--count"], &["--count needs a number"]),
        (&["-x", "a.sock"], &["unknown option -x"]),
        (&["--abstract"], &["--abstract needs a NAME"]),
        (&[long.as_str()], &["108 bytes long", "at most 107"]),
    ];
    for (args, words) in cases {
        let out = Cmd::new(CLIENT).args(*args).run();
        assert_one_line_error(&out, words);
    }
}
