//! Test plumbing for the netprog crates. Nothing here teaches.
//!
//! - [`Server`]: start a server binary, wait (bounded) for its
//!   `listening on ADDR` line, kill it when dropped.
//! - [`Cmd`]: run a program to completion with a time limit,
//!   optional standard input, and captured output.
//! - [`Page`]: check every console transcript on a companion page
//!   against the real binaries; [`Page::check_lab`] runs its "In the
//!   lab" transcripts in a lab of network namespaces.
//! - [`need_tool`] / [`need_root`]: skip a test with a printed reason
//!   when the machine lacks a tool or privilege, and fail instead when
//!   running under CI (`CI=true`), where the tool must be there, or in
//!   an exercise check (`NETPROG_CHECK=1`), which never passes a part
//!   it skipped.
//! - [`go_program`]: build one of a crate's small Go programs
//!   (`go/NAME.go`), which the tests run to pin what Go does.
//!
//! Tests may panic freely: a panic is how a test reports failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod glob;
mod lab;
mod line_client;
mod page;
mod parts;
mod proc;
mod shell;
mod transcript;

pub use glob::lines_match;
pub use lab::{Lab, can_build_lab, lab_command, lab_traces, page_prefix};
pub use line_client::LineClient;
pub use page::Page;
pub use proc::{Cmd, Out, Server, WAIT};

use std::path::{Path, PathBuf};

/// The workspace root: two levels above the crate under test.
///
/// `cargo test` tells a test binary its crate's folder at run time
/// (`CARGO_MANIFEST_DIR`); that is used first, because testkit's own
/// compile-time folder may be another copy of the workspace that was
/// built into the same target folder (cargo reuses a build across
/// copies with the same sources).
pub fn workspace_root() -> PathBuf {
    let krate = std::env::var_os("CARGO_MANIFEST_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")));
    krate
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
}

/// The soft and hard limits on open files of this process, from
/// /proc/self/limits.
pub fn fd_limits() -> (u64, u64) {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    // "unlimited" is u64::MAX (Linux caps the limit at fs.nr_open).
    let n =
        |w: Option<&str>| w.map_or(u64::MAX, |w| w.parse().unwrap_or(u64::MAX));
    let mut words = line.split_whitespace().skip(3);
    (n(words.next()), n(words.next()))
}

/// This process's soft limit on open files, after raising it to the
/// hard limit (once: the limit is the whole process's). All the tests
/// of a crate run side by side in one process, so a test that opens
/// a thousand sockets shares the limit with the others; a soft limit
/// of 1024, usual for a login, would leave too little. prlimit(1)
/// raises it, as Go's package os does for its own process when a
/// program starts (Go 1.19 and later). Where it cannot, the limit
/// stays as it was: the callers size their bursts by what they get.
pub fn raise_fd_limit() -> u64 {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let (soft, hard) = fd_limits();
        if soft < hard {
            let me = std::process::id().to_string();
            let _ = std::process::Command::new("prlimit")
                .args(["--pid", &me, &format!("--nofile={hard}:{hard}")])
                .output();
        }
    });
    fd_limits().0
}

/// True when running under CI, where every skip is a failure.
pub fn in_ci() -> bool {
    matches!(std::env::var("CI").as_deref(), Ok("true") | Ok("1"))
}

/// Is `tool` an executable somewhere on PATH?
pub fn have_tool(tool: &str) -> bool {
    let Some(path) = std::env::var_os("PATH") else {
        return false;
    };
    std::env::split_paths(&path).any(|dir| is_executable(&dir.join(tool)))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    p.metadata()
        .map(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        .unwrap_or(false)
}

/// Returns true if `tool` is on PATH. Otherwise prints why the test
/// is skipped and returns false, or panics under CI.
pub fn need_tool(tool: &str, why: &str) -> bool {
    if have_tool(tool) {
        return true;
    }
    skip(&format!("`{tool}` is not installed ({why})"))
}

/// Are we root? Read from /proc so that no unsafe call is needed.
pub fn is_root() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("Uid:"))
                .and_then(|l| l.split_whitespace().nth(2).map(|e| e == "0"))
        })
        .unwrap_or(false)
}

/// Returns true if the process is root. Otherwise prints why the test
/// is skipped and returns false, or panics under CI (which runs as
/// root, so a skip there means something is wrong).
pub fn need_root(why: &str) -> bool {
    if is_root() {
        return true;
    }
    skip(&format!("not running as root ({why})"))
}

/// True while an exercise check runs: `scripts/exercise` and
/// `scripts/prove-exercises` set `NETPROG_CHECK=1`. A check must never
/// report a pass for a part it could not run, so there a skip fails.
pub fn in_check() -> bool {
    matches!(std::env::var("NETPROG_CHECK").as_deref(), Ok("1"))
}

fn skip(reason: &str) -> bool {
    if in_check() {
        panic!(
            "NOT CHECKED: {reason}. Install what it names \
             (scripts/doctor says how), then run the check again."
        );
    }
    if in_ci() {
        panic!("CI=true but this test would be skipped: {reason}");
    }
    report_skip(reason);
    false
}

/// Say that a test was skipped where the learner sees it. The test
/// harness captures `eprintln!` of a passing test, so the line is
/// written to the real standard error instead; it is also kept in
/// `target/netprog-skipped.log` for a count at the end of a run.
fn report_skip(reason: &str) {
    use std::io::Write;
    let test = std::thread::current()
        .name()
        .unwrap_or("a test")
        .to_string();
    let line = format!("SKIPPED: {test}: {reason}\n");
    let _ = std::io::stderr().lock().write_all(line.as_bytes());
    let log = workspace_root().join("target/netprog-skipped.log");
    if let Ok(mut f) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
    {
        let _ = f.write_all(line.as_bytes());
    }
}

/// Where the `go` command is: on PATH, or where Debian's golang-go
/// package puts it.
pub fn go_command() -> Option<PathBuf> {
    if have_tool("go") {
        return Some(PathBuf::from("go"));
    }
    let debian = PathBuf::from("/usr/lib/go/bin/go");
    is_executable(&debian).then_some(debian)
}

/// Build the Go program `go/NAME.go` of the crate at `crate_dir`
/// (pass `env!("CARGO_MANIFEST_DIR")`) and return the binary's path.
///
/// The programs are small ones written for the tests, to measure what
/// Go really does; they use only Go's standard library. The binary is
/// kept in `target/go/` and rebuilt when the source is newer. Without
/// Go the test is skipped with a printed reason (a failure under CI
/// and in an exercise check): install it with `apt-get install
/// golang-go`.
pub fn go_program(crate_dir: &str, name: &str) -> Option<PathBuf> {
    use std::sync::Mutex;
    static BUILDING: Mutex<()> = Mutex::new(());
    let Some(go) = go_command() else {
        skip(&format!(
            "`go` is not installed (needed to run the Go program \
             {name}.go; apt-get install golang-go)"
        ));
        return None;
    };
    let src = Path::new(crate_dir).join("go").join(format!("{name}.go"));
    assert!(src.is_file(), "no Go program at {}", src.display());
    let krate = Path::new(crate_dir)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let dir = workspace_root().join("target/go");
    std::fs::create_dir_all(&dir).expect("create target/go");
    let bin = dir.join(format!("{krate}-{name}"));
    let _guard = BUILDING.lock().unwrap_or_else(|p| p.into_inner());
    let mtime = |p: &Path| p.metadata().and_then(|m| m.modified()).ok();
    if let (Some(b), Some(s)) = (mtime(&bin), mtime(&src))
        && b >= s
    {
        return Some(bin);
    }
    // Build beside the final name, then rename: another test process
    // building the same program at the same time never sees half a
    // binary.
    let tmp = dir.join(format!("{krate}-{name}.{}.tmp", std::process::id()));
    let out = std::process::Command::new(&go)
        .arg("build")
        .arg("-o")
        .arg(&tmp)
        .arg(&src)
        .env("GOCACHE", dir.join("cache"))
        .env("GOPATH", dir.join("path"))
        .env("GOPROXY", "off")
        .env("GOTOOLCHAIN", "local")
        .env("GOTELEMETRY", "off")
        .env("GOFLAGS", "")
        .output()
        .expect("run go build");
    assert!(
        out.status.success(),
        "go build {} failed:\n{}",
        src.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::rename(&tmp, &bin).expect("move the Go binary into place");
    Some(bin)
}

/// A fresh, empty directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir()
            .join(format!("netprog-{tag}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("create temp dir");
        TempDir(dir)
    }
    pub fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Call `f` again while it fails with EINTR (`Interrupted`). A socket
/// read or receive that waits with a timeout (`set_read_timeout`,
/// SO_RCVTIMEO) is never restarted after a signal handler ran, even
/// with SA_RESTART (signal(7)), so it can fail with EINTR; std's
/// `read_exact` and `read_to_end` retry by themselves, a bare `read`
/// or `recv` does not. The tests have met such interruptions on the
/// machines they run on while other tests' child processes came and
/// went, so every bare timed read in a test goes through this:
/// `retry_eintr(|| sock.read(&mut buf))`. Each retry is a new call, so
/// the socket's timeout starts again: a read interrupted N times may
/// wait N + 1 timeouts in all.
pub fn retry_eintr<T>(
    mut f: impl FnMut() -> std::io::Result<T>,
) -> std::io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            r => return r,
        }
    }
}

/// A pipe whose reading end is closed, for a child's stdout: its first
/// write fails with EPIPE, as after `| head -0`. The reading end is
/// dropped, but a process that another test thread forks at that
/// moment holds a copy of it until its exec; so a byte is written until
/// the write fails with EPIPE: then no reader is left anywhere.
pub fn closed_pipe() -> std::process::Stdio {
    use std::io::Write;
    let (reader, mut writer) = std::io::pipe().unwrap();
    drop(reader);
    let deadline = std::time::Instant::now() + WAIT;
    while !matches!(writer.write(b"?"),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    {
        assert!(std::time::Instant::now() < deadline, "a reader is left");
        std::thread::yield_now();
    }
    writer.into()
}

/// A TCP port on 127.0.0.1 where nothing listens: bound, released, and
/// returned only once a connect to it is refused. Dropping a listener
/// is not enough: a process that another test thread forks at that
/// moment holds a copy of its descriptor until its exec (close-on-exec
/// closes it only then), and until then the port still listens.
pub fn refused_tcp_port() -> u16 {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .unwrap();
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        match std::net::TcpStream::connect(addr) {
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
                return addr.port();
            }
            r => assert!(
                std::time::Instant::now() < deadline,
                "{addr} not refused after the drop: {r:?}"
            ),
        }
        std::thread::yield_now();
    }
}

/// A UDP address on 127.0.0.1 where no socket is bound: bound,
/// released, and returned only once the kernel refuses a datagram to it
/// (ICMP port unreachable, seen by a connected socket as ECONNREFUSED).
/// The same fork holds a dropped socket as for [`refused_tcp_port`];
/// while it does, the port swallows datagrams and nothing is refused.
pub fn unbound_udp_addr() -> std::net::SocketAddr {
    use std::net::UdpSocket;
    let addr = UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .unwrap();
    let probe = UdpSocket::bind("127.0.0.1:0").unwrap();
    probe.connect(addr).unwrap();
    probe
        .set_read_timeout(Some(std::time::Duration::from_millis(50)))
        .unwrap();
    let refused = |r: std::io::Result<usize>| {
        r.is_err_and(|e| e.kind() == std::io::ErrorKind::ConnectionRefused)
    };
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        // A refusal that came after the last wait is the next send's
        // error (a pending socket error, socket(7) SO_ERROR).
        if refused(probe.send(b"?"))
            || refused(retry_eintr(|| probe.recv(&mut [0u8; 8])))
        {
            return addr;
        }
        assert!(std::time::Instant::now() < deadline, "{addr} still bound");
    }
}
