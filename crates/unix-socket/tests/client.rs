//! Black-box tests of socket-client: its output, --count, running
//! until stopped, time limits, and every way a connection can fail.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::{Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::net::UnixListener;
use std::path::Path;
use std::time::Duration;
use testkit::{Cmd, WAIT};

#[test]
fn count_sends_that_many_and_stops() {
    // Two messages, one a second (the page's transcript runs three).
    let (_dir, path) = sock("count");
    let srv = server(&path);
    let out = client_count(&path, 2);
    out.expect_code(0);
    // One space after the arrow (Go's Println printed two).
    assert_eq!(out.stdout, "-> Hello Server!\n".repeat(2));
    assert!(out.stderr.is_empty(), "{}", out.describe());
    let logged = |l: &[String]| {
        l.iter().filter(|l| *l == "->: Hello Server!").count() == 2
    };
    assert!(srv.wait_output(logged, WAIT), "{:?}", srv.stdout());
}

#[test]
fn without_count_it_keeps_sending() {
    let (_dir, path) = sock("forever");
    let _srv = server(&path);
    // The book's client never stops by itself. testkit's Server runs
    // it in the background and collects its lines; dropping it stops
    // the client.
    let mut cmd = std::process::Command::new(CLIENT);
    cmd.arg(&path);
    let mut client =
        testkit::Server::start_until(cmd, false, |l| l.starts_with("->"))
            .unwrap_or_else(|(what, _)| panic!("{what}: no reply"));
    let two = |l: &[String]| l.len() >= 2;
    assert!(client.wait_output(two, WAIT), "{:?}", client.stdout());
    assert!(client.stdout().iter().all(|l| l == "-> Hello Server!"));
    // A client that stopped after two messages would end at once (our
    // server closes when it reads end-of-file): this one pauses until
    // the next second, and sends again.
    let ended = client.wait_exit(Duration::from_millis(200));
    assert!(
        ended.is_none(),
        "it stopped: {ended:?} {:?}",
        client.stderr()
    );
}

#[test]
fn each_reply_is_awaited_before_the_next_message() {
    let (_dir, path) = sock("await");
    // A slow server: it answers the first message only after checking
    // that nothing more arrives for 1.2 s (the client's pace is 1 s, so
    // a client that did not wait would have sent its second by then).
    let l = UnixListener::bind(&path).unwrap();
    let slow = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut buf = [0u8; 64];
        let n = testkit::retry_eintr(|| c.read(&mut buf)).unwrap();
        assert_eq!(&buf[..n], b"Hello Server!");
        c.set_read_timeout(Some(Duration::from_millis(1200)))
            .unwrap();
        let early = testkit::retry_eintr(|| c.read(&mut buf));
        assert!(
            early.is_err(),
            "a second message came before the reply: {early:?}"
        );
        c.set_read_timeout(Some(WAIT)).unwrap();
        c.write_all(b"one").unwrap();
        let n = testkit::retry_eintr(|| c.read(&mut buf)).unwrap();
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

/// The 5 s the client waits to connect and for a reply, as the tests
/// that make it give up scale them (0.5 s).
fn five_s_scaled() -> Duration {
    scaled(Duration::from_secs(5), GIVE_UP)
}

/// It waited at least `limit`, and gave up well before twice it.
fn gave_up_after(took: Duration, limit: Duration) {
    assert!(took >= limit, "gave up after {took:?}, before {limit:?}");
    assert!(took < limit * 2, "took {took:?} for a limit of {limit:?}");
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
    let t = std::time::Instant::now();
    let out = client_count_scaled(&path, 1, GIVE_UP);
    gave_up_after(t.elapsed(), five_s_scaled());
    // The message names the limit it used.
    assert_one_line_error(&out, &["timed out waiting for a reply", "in 0.5 s"]);
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
    let t = std::time::Instant::now();
    let out = client_count_scaled(&path, 1, GIVE_UP);
    gave_up_after(t.elapsed(), five_s_scaled());
    assert_one_line_error(
        &out,
        &["timed out after 0.5 s connecting to", "queue is full"],
    );
}

#[test]
fn a_bad_time_scale_is_a_one_line_error_before_any_connect() {
    // No server at the path: had the client connected first, it would
    // say ENOENT.
    let (_dir, path) = sock("badscale");
    for bad in ["fast", "0", "1000", ""] {
        let out = Cmd::new(CLIENT)
            .args(["--count", "1", s(&path)])
            .env(SCALE_ENV, bad)
            .run();
        let said = format!(
            "socket-client: NETPROG_TIME_SCALE=\"{bad}\" is not a factor \
             from 0.01 to 100"
        );
        assert_one_line_error(&out, &[&said]);
    }
}

#[test]
fn garbage_from_the_server_is_printed_safely() {
    let (_dir, path) = sock("garbage");
    let l = UnixListener::bind(&path).unwrap();
    let peer = std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = testkit::retry_eintr(|| c.read(&mut buf)).unwrap();
        c.write_all(b"\xff\xfeok\x1b[2J\n").unwrap();
        // then end-of-file
    });
    let out = client_count(&path, 1);
    out.expect_code(0);
    // Not UTF-8 and ESC (clear the screen): shown as escapes.
    assert_eq!(out.stdout, "-> \\xff\\xfeok\\x1b[2J\n");
    peer.join().unwrap();
}

fn run_client(path: &Path) -> testkit::Out {
    Cmd::new(CLIENT).args([s(path)]).run()
}

#[test]
fn no_such_file() {
    let (_dir, path) = sock("nofile");
    let out = run_client(&path);
    assert_one_line_error(&out, &["connecting to", "no such file (ENOENT)"]);
}

#[test]
fn missing_directory() {
    let (dir, _) = sock("nodir");
    let out = run_client(&dir.path().join("no-such-dir/s.sock"));
    assert_one_line_error(&out, &["no such file (ENOENT)"]);
}

#[test]
fn stale_socket_file_is_refused() {
    let (_dir, path) = sock("stale");
    stale_file(&path);
    let out = run_client(&path);
    assert_one_line_error(&out, &["nobody listens on it (ECONNREFUSED)"]);
}

#[test]
fn not_a_socket() {
    let (dir, _) = sock("notsock");
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "hi").unwrap();
    let out = run_client(&file);
    assert_one_line_error(&out, &["not a socket (ECONNREFUSED)"]);
    let out = run_client(&file.join("s.sock"));
    assert_one_line_error(&out, &["a part is not a directory (ENOTDIR)"]);
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
    assert_one_line_error(&out, &["no write permission (EACCES)"]);
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

#[test]
fn a_server_that_streams_for_ever_cannot_keep_the_client() {
    let (_dir, path) = sock("stream");
    // Answers the first message with an endless stream of bytes.
    let _peer = peer(&path, |mut c| {
        let chunk = [b's'; 4096];
        while c.write_all(&chunk).is_ok() {}
    });
    let run = run_quiet(CLIENT, &["--count", "1", s(&path)], RUN_OUT, WAIT);
    // The reply came at once; after it the client waits at most 1 s
    // (LINGER; 0.2 s here) for the server to close, whatever still
    // arrives.
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let linger = scaled(Duration::from_secs(1), RUN_OUT);
    assert!(run.took >= linger, "took {:?}", run.took);
    assert!(run.took < linger * 4, "took {:?}", run.took);
}

#[test]
fn a_server_that_drips_cannot_keep_the_client() {
    let (_dir, path) = sock("drip");
    // One byte every 50 ms, whatever the client sends: each "reply" is
    // one byte, and the stream never ends. Bytes keep coming while the
    // client pauses between its messages and while it waits for the
    // end-of-file: a wait that started again at every byte would never
    // end.
    let _peer = peer(&path, |mut c| {
        while c.write_all(b"d").is_ok() {
            std::thread::sleep(Duration::from_millis(50));
        }
    });
    let run = run_quiet(CLIENT, &["--count", "2", s(&path)], RUN_OUT, WAIT);
    // Promised, scaled by 0.2: 1 s per reply and the pace of one
    // message a second (not scaled), then at most 0.2 s: 2.2 s in all.
    // Here the replies come at once: the pace, then the 0.2 s.
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let pace_and_linger = Duration::from_millis(1200);
    assert!(run.took >= pace_and_linger, "took {:?}", run.took);
    assert!(
        run.took < Duration::from_millis(2200),
        "took {:?}",
        run.took
    );
}

#[test]
fn a_reply_slower_than_5_s_is_a_timeout_even_if_bytes_drip() {
    let (_dir, path) = sock("slowdrip");
    // The first byte comes after twice the reply's limit (0.5 s here).
    let limit = five_s_scaled();
    let _peer = peer(&path, move |mut c| {
        std::thread::sleep(limit * 2);
        let _ = c.write_all(b"late");
    });
    let run = run_quiet(CLIENT, &["--count", "1", s(&path)], GIVE_UP, WAIT);
    assert_eq!(run.code, Some(100));
    assert!(
        run.stderr.contains("timed out waiting for a reply")
            && run.stderr.contains("in 0.5 s"),
        "{}",
        run.stderr
    );
    // Given up before the late byte came.
    gave_up_after(run.took, limit);
}

#[test]
fn a_server_that_never_closes_is_no_error_after_the_last_reply() {
    let (_dir, path) = sock("noclose");
    // Echoes, and keeps the connection open after end-of-file, as the
    // book's socketServer does (tests/go.rs runs a Go one).
    let _peer = peer(&path, |mut c| {
        let mut buf = [0u8; 64];
        let _ = c.write_all(b"Hello Server!");
        while let Ok(n) = testkit::retry_eintr(|| c.read(&mut buf)) {
            if n == 0 {
                std::thread::sleep(Duration::from_secs(30));
                return;
            }
            let _ = c.write_all(&buf[..n]);
        }
    });
    let t = std::time::Instant::now();
    let out = client_count_scaled(&path, 1, RUN_OUT);
    let took = t.elapsed();
    out.expect_code(0);
    assert_eq!(replies(&out), ["-> Hello Server!"]);
    // It waited its 1 s (0.2 s here) for the end-of-file, no more.
    let linger = scaled(Duration::from_secs(1), RUN_OUT);
    assert!(took >= linger, "{took:?}");
    assert!(took < linger * 4, "{took:?}");
}

#[test]
fn a_closed_stdout_ends_the_client_quietly() {
    use std::process::{Command, Stdio};
    let (_dir, path) = sock("head");
    let _srv = server(&path);
    // socket-client s | head -0: nobody reads what we print.
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(CLIENT)
        .arg(&path)
        .stdout(writer)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_exit(&mut child);
    let mut err = String::new();
    let mut stderr = child.stderr.take().unwrap();
    stderr.read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(141), "{err}");
    assert_eq!(err, "", "quiet, like `yes | head -1`");
}

#[test]
fn a_path_that_is_not_utf8_works() {
    use std::os::unix::ffi::OsStrExt;
    let (dir, _) = sock("bytes");
    let path = dir.path().join(std::ffi::OsStr::from_bytes(b"s\xff.sock"));
    let mut cmd = std::process::Command::new(SERVER);
    cmd.arg(&path);
    let srv = testkit::Server::start_cmd(cmd, false);
    // Shown with an escape, used as the bytes it is.
    let shown = format!("{}/s\\xff.sock", s(dir.path()));
    assert_eq!(srv.addr, shown);
    assert!(path.exists());
    let out = Cmd::new(CLIENT)
        .args([std::ffi::OsStr::new("--count"), "1".as_ref(), path.as_ref()])
        .run();
    out.expect_code(0);
    assert_eq!(replies(&out), ["-> Hello Server!"]);
    let bad = std::ffi::OsStr::from_bytes(b"--count\xff");
    let out = Cmd::new(CLIENT).args([bad]).run();
    assert_one_line_error(&out, &["unknown option --count\\xff"]);
}
