//! Out of threads, a server refuses one client and goes on. A cgroup's
//! `pids.max` (which counts threads: each is a task with an id) makes
//! `pthread_create` fail with EAGAIN after a few threads, as a full
//! system or a low `ulimit -u` would (root is exempt from the latter,
//! not from a cgroup). Needs root and the pids controller; the cgroup
//! is removed at the end of the test.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;
use common::*;
use std::path::PathBuf;
use testkit::{Server, WAIT};

/// A pids cgroup of our own: v1 (`/sys/fs/cgroup/pids`) or v2 (the
/// unified hierarchy, where the controller must be enabled).
struct Cgroup(PathBuf);

impl Cgroup {
    fn new(tag: &str) -> Option<Cgroup> {
        let name = format!("netprog-{tag}-{}", std::process::id());
        for base in ["/sys/fs/cgroup/pids", "/sys/fs/cgroup"] {
            let base = PathBuf::from(base);
            if !base.join("cgroup.procs").is_file() {
                continue;
            }
            let dir = base.join(&name);
            if std::fs::create_dir(&dir).is_err() {
                continue;
            }
            let cg = Cgroup(dir);
            if cg.0.join("pids.max").is_file() {
                return Some(cg);
            }
        }
        None
    }

    /// Allow `more` tasks (threads) beyond those the cgroup has now: a
    /// server started without a limit gets exactly `more` threads
    /// more, however many of its own it started first (the signal
    /// thread of an exercise, say).
    fn allow_more(&self, more: u32) {
        let now = std::fs::read_to_string(self.0.join("pids.current"))
            .unwrap()
            .trim()
            .parse::<u32>()
            .unwrap();
        std::fs::write(self.0.join("pids.max"), (now + more).to_string())
            .unwrap();
    }

    /// `sh -c` that moves itself into the cgroup, then execs `exe`.
    fn script(&self) -> String {
        let procs = self.0.join("cgroup.procs");
        format!("echo $$ > {} && exec \"$0\" \"$@\"", procs.display())
    }
}

impl Drop for Cgroup {
    fn drop(&mut self) {
        // The server must be gone first: kill what is left, then
        // remove the directory (bounded retries while it dies).
        let procs = std::fs::read_to_string(self.0.join("cgroup.procs"));
        for pid in procs.unwrap_or_default().lines() {
            let _ = std::process::Command::new("kill")
                .args(["-KILL", pid])
                .status();
        }
        let deadline = std::time::Instant::now() + WAIT;
        while std::fs::remove_dir(&self.0).is_err()
            && std::time::Instant::now() < deadline
        {
            std::thread::yield_now();
        }
    }
}

fn cgroup(tag: &str) -> Option<Cgroup> {
    if !testkit::need_root("creates a cgroup to limit threads") {
        return None;
    }
    let cg = Cgroup::new(tag);
    if cg.is_none() {
        assert!(!testkit::in_ci(), "CI needs a pids cgroup controller");
        eprintln!("SKIPPED: no writable pids cgroup controller here");
    }
    cg
}

#[test]
fn conc_tcp_out_of_threads_refuses_one_client_and_goes_on() {
    // Two client threads; the third cannot start.
    let Some(cg) = cgroup("conc-tcp") else {
        return;
    };
    let sh = cg.script();
    let mut s = Server::start("sh", &["-c", &sh, CONC, "0"]);
    cg.allow_more(2);
    let addr = s.socket_addr();
    let mut a = Client::connect(addr);
    let mut b = Client::connect(addr);
    assert_eq!(a.ask("a\n"), "a\n");
    assert_eq!(b.ask("b\n"), "b\n");
    let mut third = Client::connect(addr);
    let said = String::from_utf8(third.rest()).unwrap();
    assert_eq!(said, "server busy: out of threads, try again later\n");
    let logged = s.wait_err_line(|l| l.contains("cannot start a thread"), WAIT);
    assert!(logged.is_some(), "{:?}", s.stderr());
    assert!(s.is_running());
    // The others go on; when one leaves, its thread is free again.
    assert_eq!(a.ask("STOP\n"), "STOP\n");
    assert!(a.rest().is_empty());
    let deadline = std::time::Instant::now() + WAIT;
    loop {
        let mut c = Client::connect(addr);
        c.send(b"in?\n");
        if c.line() == "in?\n" {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "never served again");
    }
    assert_eq!(b.ask("b again\n"), "b again\n");
}

#[test]
fn greeting_server_out_of_threads_drops_one_client_and_goes_on() {
    let Some(cg) = cgroup("greeting") else {
        return;
    };
    let sh = cg.script();
    let mut s = Server::start("sh", &["-c", &sh, GREET, "-p", "0"]);
    cg.allow_more(1);
    let addr = s.socket_addr();
    let mut a = Client::connect(addr);
    assert_eq!(a.line(), "Hello, Client!\n");
    a.line();
    // The second client is greeted (by the accepting thread), then
    // dropped: no thread for it.
    let mut b = Client::connect(addr);
    assert_eq!(b.line(), "Hello, Client!\n");
    b.line();
    assert!(b.rest().is_empty(), "closed: no thread to serve it");
    let logged = s.wait_err_line(|l| l.contains("cannot start a thread"), WAIT);
    assert!(logged.is_some(), "{:?}", s.stderr());
    assert!(s.is_running());
    a.send(b"still logged\n");
    let me = a.w.local_addr().unwrap();
    let want = format!("{me} -> still logged");
    assert!(
        s.wait_line(|l| l == want, WAIT).is_some(),
        "{:?}",
        s.stdout()
    );
}
