//! Helpers shared by this crate's black-box tests.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use testkit::{Cmd, WAIT};

pub const CONC: &str = env!("CARGO_BIN_EXE_conc-tcp");
pub const SERVER: &str = env!("CARGO_BIN_EXE_tcp-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_tcp-client");
pub const TCPS: &str = env!("CARGO_BIN_EXE_tcps");
pub const TCPC: &str = env!("CARGO_BIN_EXE_tcpc");
pub const GREET: &str = env!("CARGO_BIN_EXE_greeting-server");

/// A client of a line server: one socket, one reader made once.
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

/// Wait until something is readable, without reading it.
pub trait FillWait {
    fn fill_buf_wait(&mut self);
}

impl FillWait for BufReader<TcpStream> {
    fn fill_buf_wait(&mut self) {
        let mut b = [0u8; 1];
        self.get_ref().peek(&mut b).expect("data from the server");
    }
}

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

/// A port on which nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}
