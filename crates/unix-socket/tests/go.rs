//! What the Go programs do, measured: small Go programs in `go/`
//! that behave like Tsoukalos' socketServer and socketClient (written
//! here, not the book's listings), and what Go's net package and the
//! kernel make of Unix socket addresses. Each test pins a sentence of
//! docs/src/unix-socket.md. Without Go they are skipped with a reason
//! (a failure under CI=true).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::{Read, Write};
use std::net::Shutdown;
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;
use testkit::{Cmd, WAIT};

fn go(name: &str) -> Option<PathBuf> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), name)
}

/// A Go program running in the background, killed when dropped.
struct Running {
    child: Child,
    out: std::thread::JoinHandle<String>,
}

impl Running {
    fn start(bin: &Path, args: &[&str]) -> Running {
        let mut cmd = Command::new(bin);
        cmd.args(args);
        Running::spawn(cmd)
    }

    /// Start `cmd` with stdout captured and stderr thrown away.
    fn spawn(mut cmd: Command) -> Running {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut o = child.stdout.take().unwrap();
        let out = std::thread::spawn(move || {
            let mut s = String::new();
            let _ = o.read_to_string(&mut s);
            s
        });
        Running { child, out }
    }

    /// Send a signal, wait (at most WAIT) for the end, return the
    /// exit code and stdout.
    fn stop(mut self, signal: &str) -> (Option<i32>, String) {
        Cmd::new("kill")
            .args([signal, &self.child.id().to_string()])
            .run()
            .expect_code(0);
        let end = std::time::Instant::now() + WAIT;
        let status = loop {
            if let Some(st) = self.child.try_wait().unwrap() {
                break st;
            }
            assert!(
                std::time::Instant::now() < end,
                "the Go program outlived {signal} by {WAIT:?}"
            );
            std::thread::sleep(Duration::from_millis(20));
        };
        let out =
            std::mem::replace(&mut self.out, std::thread::spawn(String::new));
        (status.code(), out.join().unwrap())
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The signal that plays Ctrl+C: SIGINT, unless this process was
/// started with SIGINT ignored (a shell's background job is), which
/// its children inherit and Go then keeps ignoring (os/signal's
/// documentation). Go's default for SIGTERM is the same as for SIGINT:
/// the program exits.
fn interrupt() -> &'static str {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let ignored = status
        .lines()
        .find_map(|l| l.strip_prefix("SigIgn:"))
        .and_then(|m| u64::from_str_radix(m.trim(), 16).ok())
        .unwrap();
    const SIGINT: u32 = 2;
    if ignored & (1 << (SIGINT - 1)) != 0 {
        "-TERM"
    } else {
        "-INT"
    }
}

/// Start the Go socket server on `path` and wait until it accepts.
fn go_server(bin: &Path, path: &Path) -> Running {
    let r = Running::start(bin, &[s(path)]);
    eventually("the Go server accepts", || {
        UnixStream::connect(path).is_ok()
    });
    r
}

#[test]
fn go_s_server_never_closes_and_count_2_still_gets_every_reply() {
    let Some(bin) = go("socket_server") else {
        return;
    };
    let (_dir, path) = sock("go-noclose");
    let srv = go_server(&bin, &path);
    // Our client with --count 2, meanwhile: both replies, then exit 0
    // after waiting at most 1 s (0.2 s here) for the end-of-file that
    // never comes.
    let p = path.clone();
    let client = std::thread::spawn(move || {
        let t = std::time::Instant::now();
        let out = client_count_scaled(&p, 2, RUN_OUT);
        (out, t.elapsed())
    });
    // After a half-close, Go's echoServer returns without c.Close():
    // no end-of-file comes (here: not within 1 s).
    let mut c = connect(&path);
    c.write_all(b"ping").unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(1))).unwrap();
    let mut buf = [0u8; 16];
    let mut read = || testkit::retry_eintr(|| c.read(&mut buf));
    assert_eq!(read().unwrap(), 4, "the echo");
    let err = read().expect_err("no end-of-file");
    assert!(unix_socket::is_timeout(&err), "{err}");
    let (out, took) = client.join().unwrap();
    out.expect_code(0);
    assert_eq!(replies(&out), ["-> Hello Server!", "-> Hello Server!"]);
    // The pace of one message a second, then the 0.2 s; at most 1 s
    // per reply (scaled by 0.2 too), so no more than 2.2 s.
    assert!(took >= Duration::from_millis(1200), "{took:?}");
    assert!(took < Duration::from_millis(2200), "{took:?}");
    drop(srv);
}

#[test]
fn go_s_server_logs_a_blank_line_after_a_line() {
    let Some(bin) = go("socket_server") else {
        return;
    };
    let (_dir, path) = sock("go-blank");
    let srv = go_server(&bin, &path);
    let mut c = connect(&path);
    assert_eq!(
        round_trip(&mut c, b"hello from socat\n"),
        b"hello from socat\n"
    );
    let (_, out) = srv.stop("-KILL");
    assert!(out.contains("->: hello from socat\n\n"), "{out:?}");
}

#[test]
fn go_s_server_leaves_its_file_after_ctrl_c_and_cannot_start_again() {
    let Some(bin) = go("socket_server") else {
        return;
    };
    let (_dir, path) = sock("go-stale");
    let srv = go_server(&bin, &path);
    // Ctrl+C: Go's default SIGINT action ends the program at once;
    // the listener is never closed, so its file is never removed.
    let (code, _) = srv.stop(interrupt());
    assert_eq!(code, None, "killed by the signal");
    assert!(path.exists(), "the socket file stays");
    let out = Cmd::new(bin.to_str().unwrap()).args([s(&path)]).run();
    assert_eq!(out.code, Some(100));
    assert_eq!(
        out.stdout,
        format!("listen unix {}: bind: address already in use\n", s(&path))
    );
    // Ours removes the stale file and starts.
    let srv = server(&path);
    assert!(
        srv.wait_err_line(|l| l.starts_with("removed stale socket file"), WAIT)
            .is_some()
    );
}

#[test]
fn go_removes_its_socket_file_when_the_listener_is_closed() {
    let Some(bin) = go("unix_addr") else { return };
    let (dir, path) = sock("go-close");
    let out = Cmd::new(bin.to_str().unwrap())
        .args([s(&path)])
        .current_dir(dir.path())
        .run();
    assert_eq!(out.stdout, format!("listening: {}\n", s(&path)));
    assert!(!path.exists(), "l.Close() unlinked it");
}

#[test]
fn go_s_client_prints_two_spaces_after_the_arrow() {
    let Some(bin) = go("socket_client") else {
        return;
    };
    let (_dir, path) = sock("go-client");
    let _srv = server(&path);
    // It never stops by itself. testkit's Server runs it in the
    // background and collects its lines; dropping it stops it, here
    // after its first reply.
    let mut cmd = Command::new(&bin);
    cmd.arg(&path);
    let client =
        testkit::Server::start_until(cmd, false, |l| l.starts_with("->"))
            .unwrap_or_else(|(what, _)| panic!("{what}: no reply"));
    let lines = client.stdout();
    assert_eq!(lines.first().map(String::as_str), Some("->  Hello Server!"));
}

#[test]
fn go_s_client_errors_are_on_stdout_with_go_s_words() {
    let Some(bin) = go("socket_client") else {
        return;
    };
    let (_dir, path) = sock("go-nofile");
    let out = Cmd::new(bin.to_str().unwrap()).args([s(&path)]).run();
    assert_eq!(out.code, Some(100));
    assert_eq!(out.stderr, "");
    assert_eq!(
        out.stdout,
        format!(
            "dial unix {}: connect: no such file or directory\n",
            s(&path)
        )
    );
}

#[test]
fn go_s_client_does_not_wait_so_messages_run_together() {
    let Some(bin) = go("socket_client") else {
        return;
    };
    let (_dir, path) = sock("go-together");
    // A server that is slow to read: it looks (MSG_PEEK) until two
    // messages wait in its socket, then reads once and echoes that.
    let l = std::os::unix::net::UnixListener::bind(&path).unwrap();
    let slow = std::thread::spawn(move || {
        let (c, _) = l.accept().unwrap();
        let sock = socket2::Socket::from(std::os::fd::OwnedFd::from(c));
        let mut peeked = [std::mem::MaybeUninit::<u8>::uninit(); 64];
        let start = std::time::Instant::now();
        while testkit::retry_eintr(|| sock.peek(&mut peeked)).unwrap() < 26 {
            assert!(start.elapsed() < WAIT, "no second message");
            std::thread::sleep(Duration::from_millis(50));
        }
        let mut c = UnixStream::from(std::os::fd::OwnedFd::from(sock));
        let mut buf = [0u8; 1024];
        let n = testkit::retry_eintr(|| c.read(&mut buf)).unwrap();
        c.write_all(&buf[..n]).unwrap();
        buf[..n].to_vec()
    });
    // It writes every 200 ms here, instead of every second: when the
    // server reads, two writes are waiting all the same. (Once the
    // server has closed, its next write fails and it exits.)
    let out = Cmd::new(bin.to_str().unwrap())
        .args([s(&path), "200ms"])
        .timeout(WAIT)
        .run();
    let first_read = slow.join().unwrap();
    assert!(
        first_read.starts_with(b"Hello Server!Hello Server!"),
        "{first_read:?}"
    );
    let first = out.stdout.lines().next().unwrap_or("");
    assert!(
        first.starts_with("->  Hello Server!Hello Server!"),
        "{first}"
    );
}

#[test]
fn go_and_std_take_107_bytes_and_linux_takes_108() {
    let (Some(addr), Some(raw)) = (go("unix_addr"), go("kernel_sun_path"))
    else {
        return;
    };
    let dir = testkit::TempDir::new("go-len");
    let a = |n| "a".repeat(n);
    let run = |bin: &Path, args: &[String]| {
        Cmd::new(bin.to_str().unwrap())
            .args(args)
            .current_dir(dir.path())
            .run()
    };
    // Go's net package: 107 bytes, or @ and 107 bytes; no more.
    let names = [
        a(107),
        a(108),
        format!("@{}", a(107)),
        format!("@{}", a(108)),
    ];
    let out = run(&addr, &names);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(lines[0], format!("listening: {}", a(107)));
    assert_eq!(
        lines[1],
        format!("error: listen unix {}: bind: invalid argument", a(108))
    );
    assert_eq!(lines[2], format!("listening: @{}", a(107)));
    assert!(lines[3].ends_with("bind: invalid argument"), "{}", lines[3]);
    // The kernel binds and connects a path of all 108 bytes, no NUL.
    // getsockname(2) and getpeername(2), given room for a struct
    // sockaddr_un (110 bytes), report 111: the stored address has the
    // NUL the kernel added, and it did not fit (unix(7), BUGS).
    let out = run(&raw, &[a(108)]);
    assert_eq!(
        out.stdout,
        "bind(108-byte path): ok\n\
         getsockname: 111-byte address, no NUL in sun_path\n\
         connect(108-byte path): ok\n\
         getpeername: 111-byte address, no NUL in sun_path\n",
        "{}",
        out.describe()
    );
    // Ours follows std: 108 bytes are refused before any system call.
    let out = Cmd::new(SERVER)
        .args([a(108)])
        .current_dir(dir.path())
        .run();
    assert_one_line_error(&out, &["108 bytes long", "std takes at most 107"]);
}

#[test]
fn go_writes_abstract_names_with_an_at_and_they_meet_ours() {
    let (Some(addr), Some(srv_bin)) = (go("unix_addr"), go("socket_server"))
    else {
        return;
    };
    let name = unique_name("go-abs");
    let out = Cmd::new(addr.to_str().unwrap())
        .args([format!("@{name}")])
        .run();
    assert_eq!(out.stdout, format!("listening: @{name}\n"));
    // A Go server on "@NAME" and our client on --abstract NAME: the
    // same address, a NUL byte and the name.
    let r = Running::start(&srv_bin, &[&format!("@{name}")]);
    eventually("the Go server listens", || {
        use std::os::linux::net::SocketAddrExt;
        let a =
            std::os::unix::net::SocketAddr::from_abstract_name(name.as_bytes())
                .unwrap();
        UnixStream::connect_addr(&a).is_ok()
    });
    // Go's server never closes: the client waits its 1 s (0.2 s here)
    // for an end-of-file, then exits 0.
    let out = Cmd::new(CLIENT)
        .args(["--count", "1", "--abstract", &name])
        .env(SCALE_ENV, RUN_OUT.to_string())
        .run();
    out.expect_code(0);
    assert_eq!(replies(&out), ["-> Hello Server!"]);
    drop(r);
}

#[test]
fn an_unused_import_does_not_compile() {
    // The book's socketClient.go imports "log" and never uses it.
    let Some(_) = go("socket_client") else { return };
    let go = testkit::go_command().expect("go was found above");
    let dir = testkit::TempDir::new("go-unused");
    let src = dir.path().join("unused.go");
    std::fs::write(&src, "package main\n\nimport \"log\"\n\nfunc main() {}\n")
        .unwrap();
    // The build cache of testkit::go_program, where the packages this
    // needs ("log" and what it imports) are compiled once, not at
    // every run.
    let cache = testkit::workspace_root().join("target/go/cache");
    let out = Command::new(go)
        .args(["build", "-o", "/dev/null"])
        .arg(&src)
        .env("GOCACHE", cache)
        .env("GOFLAGS", "")
        .env("GOTOOLCHAIN", "local")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("imported and not used: \"log\""), "{err}");
}

#[test]
fn go_closes_a_connection_only_when_its_garbage_collector_runs() {
    // The book's echoServer returns without c.Close(). What closes the
    // socket is the finalizer Go sets on every connection
    // (net/fd_posix.go), and it runs only after a garbage collection.
    // GOGC=1 makes Go collect after very little allocation: the
    // traffic of a second client (every read allocates a 1024-byte
    // buffer) soon brings the first client its end-of-file.
    let Some(bin) = go("socket_server") else {
        return;
    };
    let (_dir, path) = sock("go-gc");
    let mut cmd = Command::new(&bin);
    cmd.arg(&path).env("GOGC", "1");
    let srv = Running::spawn(cmd);
    eventually("the Go server accepts", || {
        UnixStream::connect(&path).is_ok()
    });
    let mut first = connect(&path);
    assert_eq!(round_trip(&mut first, b"ping"), b"ping");
    first.shutdown(Shutdown::Write).unwrap();
    first.set_nonblocking(true).unwrap();
    let mut busy = connect(&path);
    let end = std::time::Instant::now() + WAIT;
    let mut buf = [0u8; 16];
    loop {
        assert_eq!(round_trip(&mut busy, &[b'x'; 100]), [b'x'; 100]);
        match first.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => panic!("{n} bytes after the echo, not end-of-file"),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => panic!("reading the half-closed connection: {e}"),
        }
        assert!(
            std::time::Instant::now() < end,
            "no end-of-file within {WAIT:?} of traffic under GOGC=1"
        );
    }
    drop(srv);
}

#[test]
fn go_s_client_fails_at_once_when_the_queue_is_full() {
    // Go's sockets are non-blocking: connect(2) to a listener whose
    // queue is full fails with EAGAIN (connect(2), ERRORS), and
    // net.Dial returns that error instead of waiting.
    let Some(bin) = go("socket_client") else {
        return;
    };
    let (_dir, path) = sock("go-full");
    // A listener with a backlog of 0 that never accepts: one
    // connection fills its queue.
    use socket2::{Domain, SockAddr, Socket, Type};
    let l = Socket::new(Domain::UNIX, Type::STREAM, None).unwrap();
    l.bind(&SockAddr::unix(&path).unwrap()).unwrap();
    l.listen(0).unwrap();
    let _first = UnixStream::connect(&path).unwrap();
    let t = std::time::Instant::now();
    let out = Cmd::new(bin.to_str().unwrap()).args([s(&path)]).run();
    assert_eq!(out.code, Some(100), "{}", out.describe());
    assert_eq!(
        out.stdout,
        format!(
            "dial unix {}: connect: resource temporarily unavailable\n",
            s(&path)
        )
    );
    // Not a wait for ever, nor our 5 s: it gives up at once.
    assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
}

#[test]
fn go_s_server_dies_of_sigpipe_when_its_stdout_is_closed() {
    // os/signal's documentation: a write to a broken pipe on fd 1 or 2
    // makes a Go program exit with SIGPIPE. The Go server logs each
    // chunk on stdout, so its first client kills it.
    use std::os::unix::process::ExitStatusExt;
    let Some(bin) = go("socket_server") else {
        return;
    };
    let (_dir, path) = sock("go-pipe");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut child = Command::new(&bin)
        .arg(&path)
        .stdin(Stdio::null())
        .stdout(writer)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("the Go server accepts", || {
        UnixStream::connect(&path).is_ok()
    });
    let mut c = connect(&path);
    c.write_all(b"hello").unwrap();
    let end = std::time::Instant::now() + WAIT;
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break st;
        }
        if std::time::Instant::now() >= end {
            let _ = child.kill();
            let _ = child.wait();
            panic!("the Go server outlived its closed stdout by {WAIT:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    const SIGPIPE: i32 = 13;
    assert_eq!(status.signal(), Some(SIGPIPE), "{status:?}");
}

#[test]
fn go_takes_a_path_that_is_not_utf8() {
    // A Go string is bytes: os.Args and net.Listen pass a file name
    // that is not UTF-8 to the kernel as it is.
    use std::os::unix::ffi::OsStrExt;
    let Some(bin) = go("unix_addr") else { return };
    let dir = testkit::TempDir::new("go-bytes");
    let name = std::ffi::OsStr::from_bytes(b"s\xff.sock");
    let out = Cmd::new(bin.to_str().unwrap())
        .args([name])
        .current_dir(dir.path())
        .run();
    // Out's stdout is lossy UTF-8: the byte 0xff shows as U+FFFD.
    assert_eq!(
        out.stdout,
        "listening: s\u{fffd}.sock\n",
        "{}",
        out.describe()
    );
}
