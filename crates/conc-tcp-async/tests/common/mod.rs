//! Helpers shared by this crate's black-box tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use testkit::Cmd;

pub const ASYNC: &str = env!("CARGO_BIN_EXE_conc-tcp-async");

/// A client of the line server: one socket, one reader made once.
#[allow(unused_imports)] // not every test file uses it
pub use testkit::LineClient as Client;

/// Run `exe args` and check a bad-input failure: the exit status, and
/// ONE line on stderr containing `needle`, nothing on stdout.
pub fn bad(args: &[&str], code: i32, needle: &str) {
    let out = Cmd::new(ASYNC)
        .args(args)
        .timeout(Duration::from_secs(15))
        .run();
    out.expect_code(code);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines.len(),
        1,
        "one line on stderr for {args:?}\n{}",
        out.describe()
    );
    assert!(
        lines[0].contains(needle),
        "stderr for {args:?} should mention {needle:?}\n{}",
        out.describe()
    );
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout for {args:?}\n{}",
        out.describe()
    );
}

/// How many threads the process `pid` has right now.
pub fn threads_of(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .expect("the server's /proc entry")
        .count()
}

/// This process's soft limit on open files, raised to the hard limit
/// first (`testkit::raise_fd_limit` says why).
pub fn fd_limit() -> usize {
    usize::try_from(testkit::raise_fd_limit()).unwrap_or(usize::MAX)
}
