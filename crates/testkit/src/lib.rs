//! Test plumbing for the netprog crates. Nothing here teaches.
//!
//! - [`Server`]: start a server binary, wait (bounded) for its
//!   `listening on ADDR` line, kill it when dropped.
//! - [`Cmd`]: run a program to completion with a time limit,
//!   optional standard input, and captured output.
//! - [`Page`]: check every console transcript on a companion page
//!   against the real binaries.
//! - [`need_tool`] / [`need_root`]: skip a test with a printed reason
//!   when the machine lacks a tool or privilege, and fail instead when
//!   running under CI (`CI=true`), where the tool must be there.
//!
//! Tests may panic freely: a panic is how a test reports failure.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod glob;
mod page;
mod proc;

pub use glob::lines_match;
pub use page::Page;
pub use proc::{Cmd, Out, Server, WAIT};

use std::path::{Path, PathBuf};

/// The workspace root (two levels above this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .expect("workspace root exists")
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

fn skip(reason: &str) -> bool {
    if in_ci() {
        panic!("CI=true but this test would be skipped: {reason}");
    }
    eprintln!("SKIPPED: {reason}");
    false
}

/// A fresh, empty directory under the system temp dir, removed on drop.
#[derive(Debug)]
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("netprog-{tag}-{}-{n}", std::process::id()));
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
