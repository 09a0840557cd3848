//! Helpers shared by this crate's test files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::os::unix::net::UnixStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use testkit::{Cmd, Out, Server, TempDir, WAIT};

pub const SERVER: &str = env!("CARGO_BIN_EXE_socket-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_socket-client");

/// The variable that multiplies the programs' time limits.
pub const SCALE_ENV: &str = "NETPROG_TIME_SCALE";

/// The factor for runs that are to give up: the client's 5 s become
/// 0.5 s, and the test still checks that it waited that long.
pub const GIVE_UP: f64 = 0.1;

/// The factor for runs that succeed only once a limit has run out
/// (the client's 1 s for an end-of-file that a server never sends):
/// 0.2 s, while the 5 s for a reply, which must not run out, become a
/// generous 1 s.
pub const RUN_OUT: f64 = 0.2;

/// `limit` as a program run with NETPROG_TIME_SCALE=`scale` uses it.
pub fn scaled(limit: Duration, scale: f64) -> Duration {
    limit.mul_f64(scale)
}

/// A temp dir and the path of a socket file inside it.
pub fn sock(tag: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(&format!("unix-{tag}"));
    let path = dir.path().join("s.sock");
    (dir, path)
}

pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Start socket-server on a file.
pub fn server(path: &Path) -> Server {
    let srv = Server::start(SERVER, &[s(path)]);
    assert_eq!(srv.addr, s(path), "the server names the path it listens on");
    srv
}

/// Start socket-server on a file, its limits multiplied by `scale`.
pub fn server_scaled(path: &Path, scale: f64) -> Server {
    let mut cmd = Command::new(SERVER);
    cmd.arg(path).env(SCALE_ENV, scale.to_string());
    let srv = Server::start_cmd(cmd, false);
    assert_eq!(srv.addr, s(path), "the server names the path it listens on");
    srv
}

/// An abstract name no other test (or run) uses.
pub fn unique_name(tag: &str) -> String {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    format!("netprog-test-{tag}-{}-{n}", std::process::id())
}

/// Connect with a read timeout, so that no test waits forever.
pub fn connect(path: &Path) -> UnixStream {
    let c = UnixStream::connect(path)
        .unwrap_or_else(|e| panic!("connecting to {}: {e}", path.display()));
    c.set_read_timeout(Some(WAIT)).unwrap();
    c
}

/// Send bytes and read back exactly as many (an echo).
pub fn round_trip(c: &mut UnixStream, msg: &[u8]) -> Vec<u8> {
    c.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    c.read_exact(&mut back)
        .unwrap_or_else(|e| panic!("no echo of {} bytes: {e}", msg.len()));
    back
}

/// socket-client --count N PATH, to completion.
pub fn client_count(path: &Path, n: u32) -> Out {
    Cmd::new(CLIENT)
        .args(["--count", &n.to_string(), s(path)])
        .run()
}

/// socket-client --count N PATH with its limits multiplied by `scale`.
pub fn client_count_scaled(path: &Path, n: u32, scale: f64) -> Out {
    Cmd::new(CLIENT)
        .args(["--count", &n.to_string(), s(path)])
        .env(SCALE_ENV, scale.to_string())
        .run()
}

/// The lines a program printed that are replies (`-> ...`).
pub fn replies(out: &Out) -> Vec<&str> {
    out.stdout.lines().filter(|l| l.starts_with("->")).collect()
}

/// A command that runs `exe` as user nobody when we are root, because
/// file permissions do not stop root. None (with a printed reason)
/// when that is impossible here.
pub fn unprivileged(exe: &str) -> Option<Command> {
    if !testkit::is_root() {
        return Some(Command::new(exe));
    }
    if !testkit::need_tool("setpriv", "drop root to test permission denied") {
        return None;
    }
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", exe]);
    Some(c)
}

/// Assert a failed run: exit 100, nothing on stdout, exactly one line
/// on stderr that contains every one of `words`.
pub fn assert_one_line_error(out: &Out, words: &[&str]) {
    assert_eq!(out.code, Some(100), "exit status 100\n{}", out.describe());
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout\n{}",
        out.describe()
    );
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr\n{}", out.describe());
    for w in words {
        assert!(
            lines[0].contains(w),
            "stderr should say {w:?}\n{}",
            out.describe()
        );
    }
}

/// Wait (bounded) until `cond` holds; for states we cannot be told of.
pub fn eventually(what: &str, cond: impl Fn() -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !cond() {
        assert!(
            std::time::Instant::now() < deadline,
            "timed out waiting: {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// A finished run of a program whose stdout was thrown away (for
/// peers that send far more than a test should keep in memory).
pub struct Quiet {
    pub code: Option<i32>,
    pub stderr: String,
    pub took: Duration,
}

/// Run `exe args` with stdout to /dev/null and NETPROG_TIME_SCALE set
/// to `scale`, killing it after `limit` (then `code` is None).
pub fn run_quiet(
    exe: &str,
    args: &[&str],
    scale: f64,
    limit: Duration,
) -> Quiet {
    use std::process::Stdio;
    let start = std::time::Instant::now();
    let mut child = Command::new(exe)
        .args(args)
        .env(SCALE_ENV, scale.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut err = child.stderr.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = err.read_to_string(&mut s);
        s
    });
    let status = loop {
        if let Some(st) = child.try_wait().unwrap() {
            break Some(st);
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    Quiet {
        code: status.and_then(|s| s.code()),
        stderr: reader.join().unwrap(),
        took: start.elapsed(),
    }
}

/// Leave a stale socket file at `path`: a listener's, once it is
/// closed, which is exactly what a killed server leaves behind.
/// Dropping the listener is not enough: the socket closes with the
/// last descriptor of it, and a process another test forks at this
/// moment holds a copy until its exec; until then the socket still
/// listens. So connect until refused.
pub fn stale_file(path: &Path) {
    drop(std::os::unix::net::UnixListener::bind(path).unwrap());
    assert!(path.exists());
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match UnixStream::connect(path) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return;
            }
            r => assert!(
                std::time::Instant::now() < deadline,
                "{} not refused after the drop: {r:?}",
                path.display()
            ),
        }
        std::thread::yield_now();
    }
}

/// A peer on `path` that accepts one client, reads its first message
/// and then calls `behave` with the connection (in a thread).
pub fn peer(
    path: &Path,
    behave: impl FnOnce(UnixStream) + Send + 'static,
) -> std::thread::JoinHandle<()> {
    let l = std::os::unix::net::UnixListener::bind(path).unwrap();
    std::thread::spawn(move || {
        let (mut c, _) = l.accept().unwrap();
        let mut buf = [0u8; 64];
        let _ = testkit::retry_eintr(|| c.read(&mut buf));
        behave(c);
    })
}

/// Wait at most WAIT for `child` to end; panic if it does not.
pub fn wait_exit(child: &mut std::process::Child) -> std::process::ExitStatus {
    let end = std::time::Instant::now() + WAIT;
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        assert!(
            std::time::Instant::now() < end,
            "still running after {WAIT:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
