//! Running the real binaries: servers in the background, commands to
//! completion. Every wait is bounded and says what did not arrive.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::SocketAddr;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const WAIT: Duration = Duration::from_secs(10);

/// Poll interval while waiting for a child to exit. Polling with a
/// deadline is a bounded wait, not a sleep used as synchronisation.
const POLL: Duration = Duration::from_millis(5);

/// Lines a child has printed so far, shared with its reader thread.
#[derive(Default)]
struct Lines {
    lines: Vec<String>,
    closed: bool,
}

type Shared = Arc<(Mutex<Lines>, Condvar)>;

fn spawn_reader(out: impl Read + Send + 'static) -> Shared {
    let shared: Shared = Arc::default();
    let s2 = shared.clone();
    thread::spawn(move || {
        let mut r = BufReader::new(out);
        let mut buf = Vec::new();
        loop {
            buf.clear();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {
                    let line = String::from_utf8_lossy(&buf);
                    let line = line.trim_end_matches(['\n', '\r']).to_string();
                    let (m, cv) = &*s2;
                    m.lock().unwrap().lines.push(line);
                    cv.notify_all();
                }
            }
        }
        let (m, cv) = &*s2;
        m.lock().unwrap().closed = true;
        cv.notify_all();
    });
    shared
}

/// Kill a whole process group (the child was made a group leader), so
/// that `sh -c` and whatever it started go away together. `kill(1)`
/// keeps this free of unsafe code.
fn kill_group(pid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args([signal, "--", &format!("-{pid}")])
        .stderr(Stdio::null())
        .status();
}

/// A server running in the background. Dropping it kills it.
pub struct Server {
    child: Child,
    out: Shared,
    err: Option<Shared>,
    /// What followed `listening on ` in the server's first line.
    pub addr: String,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Server(pid {}, {})", self.child.id(), self.addr)
    }
}

impl Server {
    /// Start `exe args...` and wait for `listening on ADDR` on stdout.
    pub fn start(exe: &str, args: &[&str]) -> Server {
        let mut cmd = Command::new(exe);
        cmd.args(args);
        Server::start_cmd(cmd, false)
    }

    /// Start a prepared command. With `merged`, the command is run by
    /// `sh -c` with stderr joined to stdout (used by page checks).
    pub fn start_cmd(cmd: Command, merged: bool) -> Server {
        const L: &str = "listening on ";
        let mut s = Server::start_until(cmd, merged, |l| l.contains(L))
            .unwrap_or_else(|(what, s)| {
                panic!(
                    "{what} did not print `{L}ADDR` within {WAIT:?}\nstdout: {:?}\nstderr: {:?}",
                    s.stdout(),
                    s.stderr()
                )
            });
        let first = s.stdout().into_iter().find(|l| l.contains(L));
        let at = first.as_deref().and_then(|l| l.split_once(L));
        s.addr = at.map_or(String::new(), |(_, a)| a.trim().to_string());
        s
    }

    /// Start a prepared command and wait (bounded by [`WAIT`]) until a
    /// stdout line satisfies `ready`. On a timeout: the command's
    /// description and the server, to report what it printed.
    pub fn start_until(
        mut cmd: Command,
        merged: bool,
        ready: impl Fn(&str) -> bool,
    ) -> Result<Server, (String, Server)> {
        let what = format!("{cmd:?}");
        cmd.stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(if merged {
                Stdio::inherit()
            } else {
                Stdio::piped()
            })
            .process_group(0);
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {what}: {e}"));
        let out = spawn_reader(child.stdout.take().unwrap());
        let err = child.stderr.take().map(spawn_reader);
        let s = Server {
            child,
            out,
            err,
            addr: String::new(),
        };
        match s.wait_line(ready, WAIT) {
            Some(_) => Ok(s),
            None => Err((what, s)),
        }
    }

    /// The listening address as a socket address (TCP/UDP servers).
    pub fn socket_addr(&self) -> SocketAddr {
        self.addr.parse().unwrap_or_else(|e| {
            panic!("`{}` is not a socket address: {e}", self.addr)
        })
    }

    /// The process id (for signals).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Every stdout line so far.
    pub fn stdout(&self) -> Vec<String> {
        self.out.0.lock().unwrap().lines.clone()
    }

    /// Every stderr line so far (empty when merged into stdout).
    pub fn stderr(&self) -> Vec<String> {
        match &self.err {
            Some(e) => e.0.lock().unwrap().lines.clone(),
            None => Vec::new(),
        }
    }

    /// Wait until a stdout line satisfies `pred`; return it, or None
    /// after `timeout`.
    pub fn wait_line(
        &self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Option<String> {
        wait_shared(&self.out, pred, timeout)
    }

    /// Wait until a stderr line satisfies `pred`.
    pub fn wait_err_line(
        &self,
        pred: impl Fn(&str) -> bool,
        timeout: Duration,
    ) -> Option<String> {
        self.err
            .as_ref()
            .and_then(|e| wait_shared(e, pred, timeout))
    }

    /// Wait until all stdout lines together satisfy `pred`.
    pub fn wait_output(
        &self,
        pred: impl Fn(&[String]) -> bool,
        timeout: Duration,
    ) -> bool {
        let (m, cv) = &*self.out;
        let deadline = Instant::now() + timeout;
        let mut g = m.lock().unwrap();
        loop {
            if pred(&g.lines) {
                return true;
            }
            let now = Instant::now();
            if now >= deadline || g.closed {
                return pred(&g.lines);
            }
            g = cv.wait_timeout(g, deadline - now).unwrap().0;
        }
    }

    /// Wait (bounded) for the process to exit by itself, and for
    /// everything it printed to be read; None if it is still running.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let status = wait_child(&mut self.child, timeout)?;
        let deadline = Instant::now() + WAIT;
        for s in std::iter::once(&self.out).chain(self.err.as_ref()) {
            let (m, cv) = &**s;
            let mut g = m.lock().unwrap();
            while !g.closed && Instant::now() < deadline {
                g = cv
                    .wait_timeout(
                        g,
                        deadline.saturating_duration_since(Instant::now()),
                    )
                    .unwrap()
                    .0;
            }
        }
        Some(status)
    }

    /// Is the server process still running?
    pub fn is_running(&mut self) -> bool {
        matches!(self.child.try_wait(), Ok(None))
    }

    /// Send a signal (e.g. "-TERM") and wait for the exit, bounded.
    pub fn signal_and_wait(
        &mut self,
        signal: &str,
        timeout: Duration,
    ) -> Option<ExitStatus> {
        let _ = Command::new("kill")
            .args([signal, &self.child.id().to_string()])
            .status();
        wait_child(&mut self.child, timeout)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        kill_group(self.child.id(), "-KILL");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn wait_shared(
    s: &Shared,
    pred: impl Fn(&str) -> bool,
    timeout: Duration,
) -> Option<String> {
    let (m, cv) = &**s;
    let deadline = Instant::now() + timeout;
    let mut g = m.lock().unwrap();
    let mut seen = 0;
    loop {
        if let Some(l) = g.lines[seen..].iter().find(|l| pred(l)) {
            return Some(l.clone());
        }
        seen = g.lines.len();
        let now = Instant::now();
        if now >= deadline || g.closed {
            return None;
        }
        g = cv.wait_timeout(g, deadline - now).unwrap().0;
    }
}

fn wait_child(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        if let Ok(Some(st)) = child.try_wait() {
            return Some(st);
        }
        if Instant::now() >= deadline {
            return None;
        }
        thread::sleep(POLL);
    }
}

/// The result of a finished command.
#[derive(Debug, Clone)]
pub struct Out {
    /// Exit code; None if killed by a signal or timed out.
    pub code: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub timed_out: bool,
}

impl Out {
    /// Panic with the whole output unless the exit code is `code`.
    pub fn expect_code(&self, code: i32) -> &Out {
        assert_eq!(
            self.code,
            Some(code),
            "expected exit status {code}\n{}",
            self.describe()
        );
        self
    }
    pub fn describe(&self) -> String {
        format!(
            "exit: {:?} (timed out: {})\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.code, self.timed_out, self.stdout, self.stderr
        )
    }
}

/// A command run to completion with a time limit.
#[derive(Debug)]
pub struct Cmd {
    cmd: Command,
    stdin: Option<Vec<u8>>,
    timeout: Duration,
}

impl Cmd {
    pub fn new(exe: &str) -> Cmd {
        Cmd {
            cmd: Command::new(exe),
            stdin: None,
            timeout: WAIT,
        }
    }
    /// Wrap a prepared `Command`.
    pub fn from_command(cmd: Command) -> Cmd {
        Cmd {
            cmd,
            stdin: None,
            timeout: WAIT,
        }
    }
    /// `sh -c SCRIPT`, stderr joined to stdout.
    pub fn shell(script: &str) -> Cmd {
        let mut c = Cmd::new("sh");
        c.cmd.arg("-c").arg(format!("exec 2>&1\n{script}"));
        c
    }
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }
    pub fn env(mut self, k: &str, v: impl AsRef<std::ffi::OsStr>) -> Cmd {
        self.cmd.env(k, v);
        self
    }
    pub fn current_dir(mut self, d: impl AsRef<std::path::Path>) -> Cmd {
        self.cmd.current_dir(d);
        self
    }
    pub fn stdin(mut self, bytes: impl Into<Vec<u8>>) -> Cmd {
        self.stdin = Some(bytes.into());
        self
    }
    pub fn timeout(mut self, t: Duration) -> Cmd {
        self.timeout = t;
        self
    }

    /// Run it. A command still running after the timeout is killed
    /// (with everything it started) and reported as timed out.
    pub fn run(mut self) -> Out {
        let what = format!("{:?}", self.cmd);
        self.cmd
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        let mut child = self
            .cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
        if let Some(bytes) = self.stdin.take() {
            let mut w = child.stdin.take().unwrap();
            thread::spawn(move || {
                let _ = w.write_all(&bytes);
            });
        }
        let out = read_all(child.stdout.take().unwrap());
        let err = read_all(child.stderr.take().unwrap());
        let status = wait_child(&mut child, self.timeout);
        let timed_out = status.is_none();
        if timed_out {
            kill_group(child.id(), "-KILL");
            let _ = child.kill();
            let _ = child.wait();
        }
        Out {
            code: status.and_then(|s| s.code()),
            stdout: out.join().unwrap_or_default(),
            stderr: err.join().unwrap_or_default(),
            timed_out,
        }
    }
}

fn read_all(mut r: impl Read + Send + 'static) -> thread::JoinHandle<String> {
    thread::spawn(move || {
        let mut v = Vec::new();
        let _ = r.read_to_end(&mut v);
        String::from_utf8_lossy(&v).into_owned()
    })
}
