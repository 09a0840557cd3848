//! handshake-server cannot be broken: a closed stdout or stderr, a
//! failed thread spawn, or a burst of thousands of connections that
//! leave at once leaves it serving, and back at its baseline of file
//! descriptors and threads.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use socket2::{Domain, SockRef, Socket, Type};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::{Cmd, TempDir, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_handshake-server");

/// A server we started by hand, killed on drop.
struct Running {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `cmd` (a handshake-server on port 0) and read its
/// `listening on ADDR` line; stdout stays ours to keep or drop.
fn start(mut cmd: Command, stderr: Stdio) -> (Running, BufReader<ChildStdout>) {
    let mut child = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    // The server prints this line at once; a broken start ends the
    // read with EOF, so this cannot hang.
    out.read_line(&mut line).unwrap();
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line {line:?}"))
        .parse()
        .unwrap();
    (Running { child, addr }, out)
}

/// One echo round trip.
fn echo(addr: SocketAddr, msg: &[u8]) -> Vec<u8> {
    let mut c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    c.read_exact(&mut back).unwrap();
    back
}

/// Connect and leave with a reset (SO_LINGER 0): the server's read
/// fails with ECONNRESET, which it reports on stderr.
fn reset(addr: SocketAddr) {
    let c = TcpStream::connect_timeout(&addr, WAIT).unwrap();
    SockRef::from(&c).set_linger(Some(Duration::ZERO)).unwrap();
    (&c).write_all(b"x").unwrap();
    drop(c);
}

fn is_running(r: &mut Running) -> bool {
    matches!(r.child.try_wait(), Ok(None))
}

#[test]
fn a_closed_stdout_and_stderr_do_not_stop_it() {
    let mut cmd = Command::new(SERVER);
    cmd.arg("0");
    let (mut server, out) = start(cmd, testkit::closed_pipe());
    // From now on every log line on stdout fails too.
    drop(out);
    for i in 0..3 {
        let msg = format!("message {i}\n");
        assert_eq!(echo(server.addr, msg.as_bytes()), msg.as_bytes());
        // "failed to read data" goes to the closed stderr.
        reset(server.addr);
    }
    assert_eq!(echo(server.addr, b"still here\n"), b"still here\n");
    assert!(is_running(&mut server));
}

/// File descriptors and threads of process `pid`.
fn fds_and_threads(pid: u32) -> (usize, usize) {
    let fds = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count();
    let status =
        std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let threads = status
        .lines()
        .find_map(|l| l.strip_prefix("Threads:"))
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    (fds, threads)
}

#[test]
fn after_a_burst_of_2000_connections_it_is_back_at_its_baseline() {
    const BURST: u64 = 2000;
    const IDLE: u64 = 1;
    // 2,000 sockets need 2,000 descriptors here: testkit raises the
    // soft limit to the hard one when it is lower.
    let burst = BURST.min(testkit::raise_fd_limit().saturating_sub(100));
    assert!(burst >= 500, "too few file descriptors for a burst");
    if burst < BURST {
        eprintln!("a burst of {burst}, as many as the fd limit allows");
    }
    let mut cmd = Command::new(SERVER);
    cmd.args(["--idle-timeout", &IDLE.to_string(), "0"]);
    let (mut server, mut out) = start(cmd, Stdio::null());
    // Read its log as it comes: a pipe nobody reads fills up, and then
    // every thread that logs waits for it (as in Go).
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    let pid = server.child.id();
    let base = fds_and_threads(pid);
    // All at once: non-blocking connects, so that they are in flight
    // together and overflow the accept queue (128).
    let mut socks = Vec::new();
    for _ in 0..burst {
        let s = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
        s.set_nonblocking(true).unwrap();
        let _ = s.connect(&server.addr.into());
        socks.push(s);
    }
    // Wait (bounded) until the connects have come through, then leave.
    let deadline = Instant::now() + WAIT;
    while Instant::now() < deadline
        && socks.iter().any(|s| s.peer_addr().is_err())
    {
        std::thread::sleep(Duration::from_millis(10));
    }
    drop(socks);
    // Back at the baseline within the idle timeout and a margin: the
    // connections whose FIN the server never saw are closed by it.
    let deadline = Instant::now() + Duration::from_secs(IDLE) + WAIT;
    let mut now = fds_and_threads(pid);
    while now != base && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
        now = fds_and_threads(pid);
    }
    assert_eq!(
        now, base,
        "(fds, threads) after the burst vs before; ESTABLISHED ghosts?"
    );
    assert!(is_running(&mut server));
    assert_eq!(echo(server.addr, b"after\n"), b"after\n");
}

#[test]
fn out_of_threads_it_drops_the_client_and_keeps_serving() {
    if !testkit::need_root("running the server as another user")
        || !testkit::need_tool("setpriv", "changing user (util-linux)")
        || !testkit::need_tool("prlimit", "limiting threads (util-linux)")
    {
        return;
    }
    // A user id of its own, so that RLIMIT_NPROC (which counts all
    // the processes and threads of a user) counts this server alone.
    // With a limit of 2 it has room for one client thread beside its
    // main thread.
    let uid = 200_000 + std::process::id() % 100_000;
    let dir = TempDir::new("handshake-nproc");
    let exe = dir.path().join("handshake-server");
    // Copied by cp(1): its writing descriptor then lives only in cp,
    // not in children that other test threads fork meanwhile, which
    // would hold it until their exec (exec of a file open for writing
    // fails with ETXTBSY, "Text file busy").
    Cmd::new("cp")
        .args([SERVER])
        .args([&exe])
        .run()
        .expect_code(0);
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(dir.path(), open.clone()).unwrap();
    std::fs::set_permissions(&exe, open).unwrap();
    let mut cmd = Command::new("prlimit");
    cmd.arg("--nproc=2:2")
        .arg("setpriv")
        .arg(format!("--reuid={uid}"))
        .arg(format!("--regid={uid}"))
        .arg("--clear-groups")
        .arg(&exe)
        .arg("0");
    let (mut err_r, err_w) = std::io::pipe().unwrap();
    let (mut server, _out) = start(cmd, err_w.into());
    // The first client holds the one thread there is.
    let mut first = TcpStream::connect_timeout(&server.addr, WAIT).unwrap();
    first.set_read_timeout(Some(WAIT)).unwrap();
    first.write_all(b"one\n").unwrap();
    let mut buf = [0u8; 4];
    first.read_exact(&mut buf).unwrap();
    // The second is accepted by the kernel, then dropped by us: it
    // reads end of file (or a reset), never an echo.
    let mut second = TcpStream::connect_timeout(&server.addr, WAIT).unwrap();
    second.set_read_timeout(Some(WAIT)).unwrap();
    let _ = second.write_all(b"two\n");
    let got = testkit::retry_eintr(|| second.read(&mut buf)).unwrap_or(0);
    assert_eq!(got, 0, "an echo without a thread?");
    assert!(is_running(&mut server));
    // The first leaves; its thread ends, and a new client is served
    // (tried until its thread could start, within a bound).
    drop(first);
    let deadline = Instant::now() + WAIT;
    let served = loop {
        let mut c = TcpStream::connect_timeout(&server.addr, WAIT).unwrap();
        c.set_read_timeout(Some(WAIT)).unwrap();
        let _ = c.write_all(b"three\n");
        let mut back = [0u8; 6];
        if c.read_exact(&mut back).is_ok() {
            break &back == b"three\n";
        }
        if Instant::now() > deadline {
            break false;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(served, "no client served after the thread came free");
    // What it said about the second: one line each time.
    drop(server);
    let mut err = String::new();
    err_r.read_to_string(&mut err).unwrap();
    assert!(
        err.lines()
            .any(|l| l.starts_with("cannot start a thread: ")),
        "{err}"
    );
    assert!(
        err.lines()
            .all(|l| l.starts_with("cannot start a thread: ")),
        "{err}"
    );
}
