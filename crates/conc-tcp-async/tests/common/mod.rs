//! Helpers shared by this crate's black-box tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use testkit::{Cmd, WAIT};

pub const ASYNC: &str = env!("CARGO_BIN_EXE_conc-tcp-async");

/// A client of the line server: one socket, one reader made once.
pub struct Client {
    pub w: TcpStream,
    pub r: BufReader<TcpStream>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let s = TcpStream::connect_timeout(&addr, WAIT)
            .expect("connect to the server");
        s.set_read_timeout(Some(WAIT)).unwrap();
        s.set_nodelay(true).unwrap();
        Client {
            r: BufReader::new(s.try_clone().unwrap()),
            w: s,
        }
    }
    pub fn send(&mut self, bytes: &[u8]) {
        self.w.write_all(bytes).expect("send to the server");
    }
    /// The next line, newline included ("" at end of stream).
    pub fn line(&mut self) -> String {
        let mut v = Vec::new();
        self.r
            .read_until(b'\n', &mut v)
            .expect("a line from the server within the wait");
        String::from_utf8_lossy(&v).into_owned()
    }
    /// Send a line and return the answer line.
    pub fn ask(&mut self, line: &str) -> String {
        self.send(line.as_bytes());
        self.line()
    }
    /// Everything until the server closes.
    pub fn rest(&mut self) -> Vec<u8> {
        let mut v = Vec::new();
        self.r
            .read_to_end(&mut v)
            .expect("the server closes the connection");
        v
    }
}

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

/// This process's soft limit on open files, from /proc/self/limits.
pub fn fd_limit() -> usize {
    let text = std::fs::read_to_string("/proc/self/limits").unwrap();
    let line = text
        .lines()
        .find(|l| l.starts_with("Max open files"))
        .expect("a Max open files line");
    let soft = line.split_whitespace().nth(3).unwrap();
    soft.parse().unwrap_or(usize::MAX) // "unlimited"
}
