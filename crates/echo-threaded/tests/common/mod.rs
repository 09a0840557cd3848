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
    loop {
        match c.read(buf) {
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}
