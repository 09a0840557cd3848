//! Black-box tests of socket-server: echo, many clients, stale and
//! live socket files, signals, permission and path errors, the
//! abstract namespace, and clients that misbehave.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::{Read, Write};
use std::net::Shutdown;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::net::UnixStream;
use std::process::Command;
use std::time::Duration;
use testkit::{Cmd, Server, WAIT};

#[test]
fn echo_round_trip() {
    let (_dir, path) = sock("echo");
    let srv = server(&path);
    let mut c = connect(&path);
    assert_eq!(round_trip(&mut c, b"ping\n"), b"ping\n");
    assert!(
        srv.wait_line(|l| l == "->: ping", WAIT).is_some(),
        "the server logs `->: ping`: {:?}",
        srv.stdout()
    );
    // Our own client, as the page shows it (there with --count 2).
    let out = client_count(&path, 1).expect_code(0).clone();
    assert_eq!(replies(&out), ["-> Hello Server!"]);
}

#[test]
fn several_clients_at_once() {
    let (_dir, path) = sock("many");
    let _srv = server(&path);
    // A client that connects and says nothing holds its connection.
    // A server that served one client at a time would never get to
    // the others (their reads would time out).
    let mut idle = connect(&path);
    let clients: Vec<_> = (0..3)
        .map(|_| {
            let p = path.clone();
            std::thread::spawn(move || client_count(&p, 1))
        })
        .collect();
    for c in clients {
        let out = c.join().unwrap();
        out.expect_code(0);
        assert_eq!(replies(&out).len(), 1, "{}", out.describe());
    }
    assert_eq!(round_trip(&mut idle, b"still here"), b"still here");
}

#[test]
fn stale_file_is_removed_and_reported() {
    let (_dir, path) = sock("stale");
    // A listener that is dropped leaves its file behind, exactly what a
    // killed server leaves: a socket file nobody accepts on.
    stale_file(&path);
    let srv = server(&path);
    let msg = format!(
        "removed stale socket file {} (nobody listened)",
        path.display()
    );
    assert!(
        srv.wait_err_line(|l| l == msg, WAIT).is_some(),
        "stderr reports the removal: {:?}",
        srv.stderr()
    );
    assert_eq!(round_trip(&mut connect(&path), b"new"), b"new");
}

#[test]
fn a_killed_server_leaves_a_file_the_next_one_removes() {
    let (_dir, path) = sock("kill9");
    let mut srv = server(&path);
    // SIGKILL cannot be caught: no clean-up happens.
    srv.signal_and_wait("-KILL", WAIT).expect("server killed");
    assert!(path.exists(), "SIGKILL leaves the socket file");
    let srv2 = server(&path);
    assert!(
        srv2.wait_err_line(
            |l| l.starts_with("removed stale socket file"),
            WAIT
        )
        .is_some()
    );
    assert_eq!(round_trip(&mut connect(&path), b"x"), b"x");
}

#[test]
fn live_socket_is_not_stolen() {
    let (_dir, path) = sock("live");
    let srv = server(&path);
    let ino = std::fs::metadata(&path).unwrap().ino();
    let out = Cmd::new(SERVER).args([s(&path)]).run();
    assert_one_line_error(
        &out,
        &["is in use", "a server listens on it", s(&path)],
    );
    // The first server still owns the file and still answers.
    assert_eq!(std::fs::metadata(&path).unwrap().ino(), ino);
    assert_eq!(round_trip(&mut connect(&path), b"mine"), b"mine");
    // The second server's probe looked like a client that came and went.
    assert!(srv.stderr().is_empty(), "{:?}", srv.stderr());
}

#[test]
fn a_live_socket_with_a_full_queue_is_not_stolen_either() {
    let (_dir, path) = sock("fullq");
    // A listener with a backlog of 0 that never accepts: one pending
    // connection fills its queue, and the next connect() waits.
    use socket2::{Domain, SockAddr, Socket, Type};
    let l = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    l.bind(&SockAddr::unix(&path).unwrap()).unwrap();
    l.listen(0).unwrap();
    let _first = UnixStream::connect(&path).unwrap();
    // The check's connect() waits, for at most 2 s (0.2 s here).
    let t = std::time::Instant::now();
    let out = Cmd::new(SERVER)
        .args([s(&path)])
        .env(SCALE_ENV, GIVE_UP.to_string())
        .run();
    let took = t.elapsed();
    assert!(
        !out.timed_out,
        "the check must not hang\n{}",
        out.describe()
    );
    assert_one_line_error(&out, &["is in use"]);
    assert!(path.exists());
    let limit = scaled(Duration::from_secs(2), GIVE_UP);
    assert!(took >= limit, "the check waited only {took:?}");
    assert!(took < limit * 5, "the check took {took:?}");
}

#[test]
fn a_bad_time_scale_is_a_one_line_error_before_the_bind() {
    let (_dir, path) = sock("badscale");
    let out = Cmd::new(SERVER)
        .args([s(&path)])
        .env(SCALE_ENV, "0.001")
        .run();
    assert_one_line_error(
        &out,
        &["socket-server: NETPROG_TIME_SCALE=\"0.001\" is not a factor"],
    );
    assert!(!path.exists(), "no socket file was made");
}

#[test]
fn a_path_that_is_not_a_socket_is_never_removed() {
    let (dir, _) = sock("notsock");
    // A regular file.
    let file = dir.path().join("notes.txt");
    std::fs::write(&file, "keep me\n").unwrap();
    let out = Cmd::new(SERVER).args([s(&file)]).run();
    assert_one_line_error(&out, &["is not a socket: left untouched"]);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep me\n");
    // A directory.
    let sub = dir.path().join("sub");
    std::fs::create_dir(&sub).unwrap();
    let out = Cmd::new(SERVER).args([s(&sub)]).run();
    assert_one_line_error(&out, &["is not a socket"]);
    assert!(sub.is_dir());
    // A symbolic link to a stale socket: the link is not a socket, and
    // neither the link nor the socket behind it is removed.
    let stale = dir.path().join("stale.sock");
    stale_file(&stale);
    let link = dir.path().join("link.sock");
    std::os::unix::fs::symlink(&stale, &link).unwrap();
    let out = Cmd::new(SERVER).args([s(&link)]).run();
    assert_one_line_error(&out, &["is not a socket"]);
    assert!(link.symlink_metadata().is_ok() && stale.exists());
}

fn signal_removes_file(signal: &str, name: &str) {
    let (_dir, path) = sock(name);
    let mut srv = server(&path);
    assert!(path.exists());
    let status = srv.signal_and_wait(signal, WAIT).expect("server exits");
    assert_eq!(status.code(), Some(0), "clean shutdown exits 0");
    assert!(!path.exists(), "{name} removes the socket file");
    let msg = format!("got {name}: removed socket file {}", path.display());
    assert!(
        srv.wait_err_line(|l| l == msg, WAIT).is_some(),
        "{:?}",
        srv.stderr()
    );
}

#[test]
fn sigterm_removes_the_file() {
    signal_removes_file("-TERM", "SIGTERM");
}

#[test]
fn sigint_removes_the_file() {
    signal_removes_file("-INT", "SIGINT");
}

#[test]
fn a_replaced_file_is_not_removed_on_shutdown() {
    let (_dir, path) = sock("replaced");
    let mut srv = server(&path);
    // Someone removes our file and puts their own there.
    std::fs::remove_file(&path).unwrap();
    std::fs::write(&path, "theirs").unwrap();
    srv.signal_and_wait("-TERM", WAIT).expect("server exits");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "theirs");
}

#[test]
fn permission_denied() {
    let (dir, _) = sock("perm");
    let ro = dir.path().join("read-only");
    std::fs::create_dir(&ro).unwrap();
    // r-x for everyone: may look in, may not create files.
    std::fs::set_permissions(&ro, std::fs::Permissions::from_mode(0o555))
        .unwrap();
    let path = ro.join("s.sock");
    let Some(mut cmd) = unprivileged(SERVER) else {
        return;
    };
    cmd.arg(&path);
    let out = Cmd::from_command(cmd).run();
    assert_one_line_error(&out, &["may not write in", "(EACCES)"]);
}

#[test]
fn missing_directory() {
    let (dir, _) = sock("nodir");
    let path = dir.path().join("no-such-dir/s.sock");
    let out = Cmd::new(SERVER).args([s(&path)]).run();
    assert_one_line_error(&out, &["no directory", "no-such-dir (ENOENT)"]);
}

#[test]
fn a_file_used_as_a_directory() {
    let (dir, _) = sock("enotdir");
    std::fs::write(dir.path().join("plain"), "").unwrap();
    let path = dir.path().join("plain/s.sock");
    let out = Cmd::new(SERVER).args([s(&path)]).run();
    assert_one_line_error(&out, &["is not a directory (ENOTDIR)"]);
}

#[test]
fn over_long_path() {
    let (dir, _) = sock("long");
    let base = dir.path().as_os_str().len() + 1;
    assert!(base < 100, "temp dir path too long for this test: {dir:?}");
    // 107 bytes: the longest path that fits.
    let fits = dir.path().join("a".repeat(107 - base));
    assert_eq!(fits.as_os_str().len(), 107);
    let srv = server(&fits);
    assert_eq!(round_trip(&mut connect(&fits), b"fits"), b"fits");
    drop(srv);
    // 108 bytes: refused before the kernel is asked.
    let long = dir.path().join("b".repeat(108 - base));
    let out = Cmd::new(SERVER).args([s(&long)]).run();
    assert_one_line_error(&out, &["108 bytes long", "std takes at most 107"]);
    assert!(!long.exists());
}

#[test]
fn abstract_namespace_round_trip() {
    let dir = testkit::TempDir::new("unix-abstract");
    let name = unique_name("abs");
    let mut cmd = Command::new(SERVER);
    cmd.args(["--abstract", &name]).current_dir(dir.path());
    let mut srv = Server::start_cmd(cmd, false);
    assert_eq!(srv.addr, format!("@{name}"));
    let out = Cmd::new(CLIENT)
        .args(["--count", "1", "--abstract", &name])
        .run();
    out.expect_code(0);
    assert_eq!(replies(&out), ["-> Hello Server!"]);
    // No file anywhere: not in the current directory.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    // ss lists it with a leading @.
    if testkit::need_tool("ss", "listing sockets") {
        let ss = Cmd::new("ss").args(["-xl"]).run();
        assert!(
            ss.stdout.contains(&format!("@{name} ")),
            "ss -xl shows @{name}:\n{}",
            ss.stdout
        );
    }
    // A second server cannot take the same name.
    let out = Cmd::new(SERVER).args(["--abstract", &name]).run();
    assert_one_line_error(&out, &["the name is taken (EADDRINUSE)"]);
    let status = srv.signal_and_wait("-TERM", WAIT).expect("server exits");
    assert_eq!(status.code(), Some(0));
    // The name is gone with the socket: the client is refused.
    let out = Cmd::new(CLIENT).args(["--abstract", &name]).run();
    assert_one_line_error(&out, &["nobody listens (ECONNREFUSED)"]);
}

#[test]
fn clients_that_misbehave_never_disturb_the_server() {
    let (_dir, path) = sock("rude");
    let mut srv = server(&path);
    // Connects and leaves at once, many times.
    for _ in 0..50 {
        drop(UnixStream::connect(&path).unwrap());
    }
    // Garbage: every byte value, echoed byte for byte.
    let garbage: Vec<u8> = (0..=255u8).cycle().take(1000).collect();
    assert_eq!(round_trip(&mut connect(&path), &garbage), garbage);
    // Half-close: send, shut our sending side, read to end-of-file.
    let mut c = connect(&path);
    c.write_all(b"last words").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    c.read_to_end(&mut back).unwrap();
    assert_eq!(back, b"last words", "echo, then the server closes");
    // A long message is echoed in full (in 1024-byte pieces).
    let big = vec![b'x'; 100_000];
    let mut c = connect(&path);
    let writer = {
        let mut w = c.try_clone().unwrap();
        let big = big.clone();
        std::thread::spawn(move || w.write_all(&big).unwrap())
    };
    let mut back = vec![0u8; big.len()];
    c.read_exact(&mut back).unwrap();
    writer.join().unwrap();
    assert!(back == big);
    // Still serving.
    assert!(srv.is_running());
    assert_eq!(round_trip(&mut connect(&path), b"ok"), b"ok");
}

#[test]
fn a_client_that_never_reads_is_dropped_and_others_are_served() {
    let (_dir, path) = sock("noread");
    // The server's 10 s for an echo, scaled by 0.05: 0.5 s.
    let scale = 0.05;
    let srv = server_scaled(&path, scale);
    // Send without ever reading: the echoes fill our receive buffer,
    // then the server's write blocks, then its write timeout fires.
    let t = std::time::Instant::now();
    let mut rude = connect(&path);
    rude.set_write_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let chunk = vec![b'z'; 64 * 1024];
    for _ in 0..200 {
        if rude.write_all(&chunk).is_err() {
            break; // both buffers are full now
        }
    }
    // Meanwhile another client is served at once.
    assert_eq!(round_trip(&mut connect(&path), b"me too"), b"me too");
    let line = srv.wait_err_line(|l| l.contains("not reading"), WAIT);
    assert_eq!(
        line.as_deref(),
        Some(
            "client 1: gave up after 0.5 s writing the echo: the client \
             is not reading"
        ),
        "{:?}",
        srv.stderr()
    );
    // Its deadline began with an echo after we connected.
    let limit = scaled(Duration::from_secs(10), scale);
    assert!(t.elapsed() >= limit, "gave up after {:?}", t.elapsed());
}

#[test]
fn bad_command_lines() {
    let long = "a".repeat(200);
    let cases: &[(&[&str], &[&str])] = &[
        (
            &[],
            &["Please provide a socket file.", "usage: socket-server PATH"],
        ),
        (&["a.sock", "b.sock"], &["b.sock is one too many", "usage:"]),
        (
            &["--verbose", "a.sock"],
            &["unknown option --verbose", "usage:"],
        ),
        (&["--abstract"], &["--abstract needs a NAME"]),
        (&["--count", "3", "a.sock"], &["unknown option --count"]),
        (&[""], &["the socket path is empty"]),
        (&[long.as_str()], &["200 bytes long", "at most 107"]),
        (
            &["--abstract", long.as_str()],
            &["abstract name is 200 bytes long"],
        ),
    ];
    for (args, words) in cases {
        let out = Cmd::new(SERVER).args(*args).run();
        assert_one_line_error(&out, words);
    }
}

/// socket-server with its stdout and stderr read until `listening on`,
/// then closed: as under `socket-server s | head -1`, every later
/// write to them fails with EPIPE.
fn server_with_closed_output(path: &std::path::Path) -> std::process::Child {
    use std::io::BufRead;
    use std::process::Stdio;
    let mut child = Command::new(SERVER)
        .arg(path)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    out.read_line(&mut first).unwrap();
    assert!(first.starts_with("listening on "), "{first:?}");
    drop(out);
    drop(child.stderr.take());
    child
}

#[test]
fn a_closed_stdout_and_stderr_do_not_stop_the_server() {
    let (_dir, path) = sock("closed");
    let mut child = server_with_closed_output(&path);
    // Each echo logs `->: ...` to the closed stdout.
    assert_eq!(round_trip(&mut connect(&path), b"one"), b"one");
    // A client that sends and leaves at once: the echo fails (EPIPE),
    // and the server logs that to the closed stderr.
    for _ in 0..5 {
        let mut c = connect(&path);
        c.write_all(b"bye").unwrap();
    }
    assert_eq!(round_trip(&mut connect(&path), b"two"), b"two");
    assert!(child.try_wait().unwrap().is_none(), "still running");
    // SIGTERM: the goodbye line goes nowhere, the file goes, exit 0.
    testkit::Cmd::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .run()
        .expect_code(0);
    let status = wait_exit(&mut child);
    assert_eq!(status.code(), Some(0));
    assert!(!path.exists());
}

/// The number of open file descriptors and threads of process `pid`.
fn fds_and_threads(pid: u32) -> (usize, usize) {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"));
    let threads = status
        .unwrap()
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .map(|n| n.trim().parse().unwrap())
        .unwrap();
    (fds, threads)
}

#[test]
fn after_a_burst_of_clients_the_server_is_back_to_its_baseline() {
    let (_dir, path) = sock("burst");
    let srv = server(&path);
    let baseline = fds_and_threads(srv.pid());
    // 800 clients at once, each served by a thread, then all gone.
    let clients: Vec<UnixStream> = (0..800).map(|_| connect(&path)).collect();
    eventually("800 client threads", || {
        fds_and_threads(srv.pid()).1 >= baseline.1 + 800
    });
    drop(clients);
    eventually("back to the baseline of fds and threads", || {
        fds_and_threads(srv.pid()) == baseline
    });
    assert_eq!(round_trip(&mut connect(&path), b"ok"), b"ok");
}

#[test]
fn out_of_threads_the_server_drops_one_client_and_goes_on() {
    // RLIMIT_NPROC limits the threads of a user, and does not apply
    // to root: run the server as an unused uid with a limit of 3
    // (main thread, signal thread, one client).
    if !testkit::need_root("running the server as another user")
        || !testkit::need_tool("setpriv", "switching users")
        || !testkit::need_tool("prlimit", "setting RLIMIT_NPROC")
    {
        return;
    }
    let (dir, path) = sock("nproc");
    std::fs::set_permissions(
        dir.path(),
        std::fs::Permissions::from_mode(0o777),
    )
    .unwrap();
    let uid = (61000 + std::process::id() % 4000).to_string();
    let mut cmd = Command::new("prlimit");
    cmd.args(["--nproc=3:3", "setpriv"])
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .args(["--clear-groups", SERVER])
        .arg(&path);
    let mut srv = Server::start_cmd(cmd, false);
    let mut first = connect(&path);
    assert_eq!(round_trip(&mut first, b"one"), b"one");
    // The second client's thread cannot start: its connection is
    // closed at once, and the server says why.
    let mut second = connect(&path);
    let mut got = Vec::new();
    let _ = second.read_to_end(&mut got);
    assert!(got.is_empty(), "{got:?}");
    let line = srv.wait_err_line(|l| l.contains("cannot start a thread"), WAIT);
    assert_eq!(
        line.as_deref(),
        Some(
            "client 2: cannot start a thread: Resource temporarily \
             unavailable (os error 11)"
        )
    );
    // The first client is still served; once it leaves, a new one is.
    assert_eq!(round_trip(&mut first, b"still"), b"still");
    drop(first);
    eventually("a new client is served", || {
        let mut c = connect(&path);
        let _ = c.write_all(b"x");
        let mut b = [0u8; 1];
        matches!(testkit::retry_eintr(|| c.read(&mut b)), Ok(1))
    });
    assert!(srv.is_running());
}
