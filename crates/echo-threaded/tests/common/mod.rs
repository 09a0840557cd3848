//! Helpers shared by this crate's black-box tests (not a test itself).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::time::Duration;
use testkit::{Cmd, Server, WAIT};

pub const SIMPLE: &str = env!("CARGO_BIN_EXE_simple-echo-server");
pub const THREADED: &str = env!("CARGO_BIN_EXE_threaded-echo-server");
pub const IP: &str = env!("CARGO_BIN_EXE_threaded-ip-echo-server");
pub const SMOKE_SERVER: &str = env!("CARGO_BIN_EXE_smoke-test-server");
pub const SMOKE_CLIENT: &str = env!("CARGO_BIN_EXE_smoke-test-client");

/// Start a server binary on a free port.
pub fn start(exe: &str, extra: &[&str]) -> Server {
    let mut args: Vec<&str> = extra.to_vec();
    args.push("0");
    Server::start(exe, &args)
}

/// The variable that scales a program's time limits (src/cli.rs).
pub const TIME_SCALE: &str = "NETPROG_TIME_SCALE";

/// Start a server binary on a free port, its time limits multiplied
/// by `scale` (NETPROG_TIME_SCALE): a test that waits for a limit
/// waits that fraction of it.
pub fn start_scaled(exe: &str, extra: &[&str], scale: &str) -> Server {
    let mut cmd = std::process::Command::new(exe);
    cmd.args(extra).arg("0").env(TIME_SCALE, scale);
    Server::start_cmd(cmd, false)
}

/// Connect with bounded waits: no read or write may hang a test.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let c = TcpStream::connect_timeout(&addr, WAIT)
        .unwrap_or_else(|e| panic!("connecting to {addr}: {e}"));
    c.set_read_timeout(Some(WAIT)).unwrap();
    c.set_write_timeout(Some(WAIT)).unwrap();
    c
}

/// Send `msg` and read exactly as many bytes back.
pub fn echo_on(c: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    c.write_all(msg).expect("sending to the echo server");
    let mut back = vec![0u8; msg.len()];
    c.read_exact(&mut back).unwrap_or_else(|e| {
        panic!("waiting for the echo of {} bytes: {e}", msg.len())
    });
    back
}

/// Send `msg`, half-close, and read until the server closes.
pub fn half_close_exchange(addr: SocketAddr, msg: &[u8]) -> Vec<u8> {
    let mut c = connect(addr);
    c.write_all(msg).unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    c.read_to_end(&mut back).unwrap_or_else(|e| {
        panic!("reading to end of file after a half-close: {e}")
    });
    back
}

/// The protocol a server speaks, to check it still answers.
#[derive(Clone, Copy, Debug)]
pub enum Speaks {
    /// Echoes each chunk as it arrives.
    Echo,
    /// Smoke test: echoes everything after the client's half-close.
    Smoke,
}

/// Assert that the server is alive and answers a brand-new client.
pub fn answers_fresh_client(server: &mut Server, speaks: Speaks) {
    assert!(
        server.is_running(),
        "the server died: {:?}",
        server.stderr()
    );
    let addr = server.socket_addr();
    let msg = b"still there?\n";
    let back = match speaks {
        Speaks::Echo => echo_on(&mut connect(addr), msg),
        Speaks::Smoke => half_close_exchange(addr, msg),
    };
    assert_eq!(back, msg, "a fresh client got a wrong answer");
}

/// Run `exe args`, expect exit status 1 and ONE line on stderr that
/// contains every fragment, and nothing on stdout.
pub fn bad_input(exe: &str, args: &[&str], fragments: &[&str]) {
    let out = Cmd::new(exe).args(args).timeout(WAIT).run();
    assert_eq!(out.code, Some(1), "{args:?}: {}", out.describe());
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "{args:?}: want one line on stderr\n{}",
        out.describe()
    );
    for f in fragments {
        assert!(lines[0].contains(f), "{args:?}: {:?} lacks {f:?}", lines[0]);
    }
    assert_eq!(out.stdout, "", "{args:?}: nothing on stdout");
}

/// A deterministic payload of `len` bytes covering all byte values.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i * 7 + i / 251) as u8).collect()
}

/// A short wait used only as an upper bound for "nothing arrives".
pub const QUIET: Duration = Duration::from_millis(300);

/// One `read`, retried when a signal interrupts it (EINTR: a socket
/// read with a timeout is not restarted automatically).
pub fn read_once(c: &mut TcpStream, buf: &mut [u8]) -> std::io::Result<usize> {
    testkit::retry_eintr(|| c.read(buf))
}

/// Which of a server's output streams a test closes under it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shut {
    /// Neither: both are read and kept.
    None,
    /// stdout: read up to the `listening on` line, then closed.
    Stdout,
    /// stderr: closed before the server has printed anything.
    Stderr,
}

/// A server started by [`launch`]: its own process, killed on drop.
pub struct Launched {
    child: std::process::Child,
    pub addr: SocketAddr,
    out: Arc<Mutex<Vec<String>>>,
    err: Arc<Mutex<Vec<String>>>,
}

use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex, mpsc};

/// Keep every line `r` gives in `lines`, in a thread of its own.
fn keep_lines(r: impl Read + Send + 'static, lines: Arc<Mutex<Vec<String>>>) {
    std::thread::spawn(move || {
        use std::io::BufRead;
        for l in std::io::BufReader::new(r).lines() {
            let Ok(l) = l else { break };
            lines.lock().unwrap().push(l);
        }
    });
}

/// Start `exe args` through `sh -c 'SETUP; exec "$0" "$@"'` (SETUP
/// such as `ulimit -n 5`), under the `wrap` command words if any
/// (e.g. setpriv), with one of its output pipes closed as `shut` says.
/// Closing is done by dropping our end of the pipe, so every later
/// write of the server gets EPIPE: the closed pipe of `server | head
/// -1` after head has exited.
pub fn launch(
    wrap: &[&str],
    setup: &str,
    exe: &str,
    args: &[&str],
    shut: Shut,
) -> Launched {
    let mut cmd = match wrap.split_first() {
        Some((first, rest)) => {
            let mut c = Command::new(first);
            c.args(rest).arg("sh");
            c
        }
        None => Command::new("sh"),
    };
    cmd.arg("-c")
        // Descriptors 3 to 9 that whoever started the tests left open
        // (`time -o FILE` keeps its FILE open, say) are closed first:
        // under `ulimit -n 5` each would take the place of a client.
        .arg(format!(
            "exec 3>&- 4>&- 5>&- 6>&- 7>&- 8>&- 9>&-\n{setup}\n\
             exec \"$0\" \"$@\""
        ))
        .arg(exe)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start the server");
    let out_lines = Arc::new(Mutex::new(Vec::new()));
    let err_lines = Arc::new(Mutex::new(Vec::new()));
    let err = child.stderr.take().unwrap();
    if shut == Shut::Stderr {
        drop(err);
    } else {
        keep_lines(err, err_lines.clone());
    }
    let mut out = std::io::BufReader::new(child.stdout.take().unwrap());
    let (tx, rx) = mpsc::channel();
    let kept = out_lines.clone();
    std::thread::spawn(move || {
        use std::io::BufRead;
        let mut first = String::new();
        let _ = out.read_line(&mut first);
        if shut == Shut::Stdout {
            drop(out); // closed before the test goes on
            let _ = tx.send(first);
        } else {
            let _ = tx.send(first);
            keep_lines(out, kept);
        }
    });
    let first = rx.recv_timeout(WAIT).unwrap_or_default();
    let addr = first
        .trim()
        .strip_prefix("listening on ")
        .and_then(|a| a.parse().ok());
    let mut l = Launched {
        child,
        addr: "0.0.0.0:0".parse().unwrap(),
        out: out_lines,
        err: err_lines,
    };
    match addr {
        Some(a) => l.addr = a,
        None => panic!(
            "{exe} {args:?} did not print `listening on ADDR`: {first:?}; \
             stderr {:?}",
            l.err_lines()
        ),
    }
    l
}

impl Launched {
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Is the server still running?
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Lines the server wrote on stderr so far (none when shut).
    pub fn err_lines(&self) -> Vec<String> {
        self.err.lock().unwrap().clone()
    }

    /// Lines after the first on stdout so far (none when shut).
    pub fn out_lines(&self) -> Vec<String> {
        self.out.lock().unwrap().clone()
    }

    /// Wait (bounded) for a stderr line that contains `words`.
    pub fn wait_err(&self, words: &str) -> Option<String> {
        let deadline = std::time::Instant::now() + WAIT;
        loop {
            if let Some(l) =
                self.err_lines().into_iter().find(|l| l.contains(words))
            {
                return Some(l);
            }
            if std::time::Instant::now() > deadline {
                return None;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Assert that it is alive and answers a brand-new client.
    pub fn answers(&mut self, speaks: Speaks) {
        assert!(self.is_running(), "the server died: {:?}", self.err_lines());
        let msg = b"still there?\n";
        let back = match speaks {
            Speaks::Echo => echo_on(&mut connect(self.addr), msg),
            Speaks::Smoke => half_close_exchange(self.addr, msg),
        };
        assert_eq!(back, msg, "a fresh client got a wrong answer");
    }
}

impl Drop for Launched {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Open file descriptors and threads of a running process.
pub fn fds_and_threads(pid: u32) -> (usize, usize) {
    let count = |d: &str| {
        std::fs::read_dir(format!("/proc/{pid}/{d}"))
            .unwrap()
            .count()
    };
    (count("fd"), count("task"))
}

/// Poll (bounded by `limit`) until the process is back at `baseline`.
pub fn back_to(pid: u32, baseline: (usize, usize), limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let now = fds_and_threads(pid);
        if now == baseline {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "descriptors/threads {now:?} did not return to {baseline:?} \
             within {limit:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// How many sockets this test process may open at once, leaving room
/// for everything else: its soft `ulimit -n`, raised to the hard limit
/// first (`testkit::raise_fd_limit` says why), less 100.
pub fn fd_room() -> usize {
    let soft = testkit::raise_fd_limit();
    usize::try_from(soft.saturating_sub(100)).unwrap_or(usize::MAX)
}

/// `n` clients connect at the same moment (non-blocking connects, all
/// started before any completes), wait until each is connected, and
/// close. Returns how many connected within WAIT.
pub fn burst(addr: SocketAddr, n: usize) -> usize {
    use socket2::{Domain, Socket, Type};
    let socks: Vec<Socket> = (0..n)
        .map(|_| {
            let s = Socket::new(Domain::for_address(addr), Type::STREAM, None)
                .unwrap();
            s.set_nonblocking(true).unwrap();
            match s.connect(&addr.into()) {
                Ok(()) => {}
                Err(e) if e.raw_os_error() == Some(115) => {} // EINPROGRESS
                Err(e) => panic!("connect: {e}"),
            }
            s
        })
        .collect();
    let deadline = std::time::Instant::now() + WAIT;
    let mut pending: Vec<&Socket> = socks.iter().collect();
    while !pending.is_empty() && std::time::Instant::now() < deadline {
        // Connected once the kernel knows the peer; a failed connect
        // shows up in SO_ERROR (take_error) and counts as done too.
        pending.retain(|s| {
            s.peer_addr().is_err() && matches!(s.take_error(), Ok(None))
        });
        if !pending.is_empty() {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
    let connected = socks.iter().filter(|s| s.peer_addr().is_ok()).count();
    drop(socks);
    connected
}

/// A pipe proven to have no reader left: [`testkit::closed_pipe`].
pub fn closed_pipe() -> std::process::Stdio {
    testkit::closed_pipe()
}
