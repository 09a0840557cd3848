//! Helpers shared by this crate's black-box tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use testkit::Cmd;

pub const CONC: &str = env!("CARGO_BIN_EXE_conc-tcp");
pub const SERVER: &str = env!("CARGO_BIN_EXE_tcp-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_tcp-client");
pub const TCPS: &str = env!("CARGO_BIN_EXE_tcps");
pub const TCPC: &str = env!("CARGO_BIN_EXE_tcpc");
pub const GREET: &str = env!("CARGO_BIN_EXE_greeting-server");

/// A client of a line server: one socket, one reader made once.
#[allow(unused_imports)] // not every test file uses it
pub use testkit::LineClient as Client;

/// Run `exe args` and check a bad-input failure: the exit status, and
/// ONE line on stderr containing `needle`, nothing on stdout.
pub fn bad(exe: &str, args: &[&str], code: i32, needle: &str) {
    let out = Cmd::new(exe)
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

/// The variable that scales a program's time limits (src/cli.rs).
pub const TIME_SCALE: &str = "NETPROG_TIME_SCALE";

/// Start a server, its time limits multiplied by `scale`
/// (NETPROG_TIME_SCALE): a test that waits for a limit waits that
/// fraction of it.
pub fn start_scaled(exe: &str, args: &[&str], scale: &str) -> testkit::Server {
    let mut cmd = std::process::Command::new(exe);
    cmd.args(args).env(TIME_SCALE, scale);
    testkit::Server::start_cmd(cmd, false)
}

/// A port on which nothing listens: [`testkit::refused_tcp_port`].
pub fn closed_port() -> u16 {
    testkit::refused_tcp_port()
}
