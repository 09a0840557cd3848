//! A client of a line server (conc-tcp, conc-tcp-async, tcp-server,
//! greeting-server): one socket, one buffered reader made once, and
//! every wait bounded by [`WAIT`].

use crate::WAIT;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};

/// One connection to a line server. `w` writes, `r` reads (a clone of
/// the same socket), so a test can half-close `w` and go on reading.
#[derive(Debug)]
pub struct LineClient {
    pub w: TcpStream,
    pub r: BufReader<TcpStream>,
}

impl LineClient {
    /// Connect (bounded), with a read timeout of [`WAIT`] and
    /// TCP_NODELAY, so that one `send` leaves as one segment.
    pub fn connect(addr: SocketAddr) -> LineClient {
        let s = TcpStream::connect_timeout(&addr, WAIT)
            .unwrap_or_else(|e| panic!("connect to the server {addr}: {e}"));
        s.set_read_timeout(Some(WAIT)).unwrap();
        s.set_nodelay(true).unwrap();
        LineClient {
            r: BufReader::new(s.try_clone().unwrap()),
            w: s,
        }
    }

    /// Write all of `bytes` in one call.
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

    /// Wait until the server has sent something, without reading it.
    pub fn wait_readable(&mut self) {
        let mut b = [0u8; 1];
        // A peek with a timeout that a signal interrupts is not
        // restarted (EINTR, signal(7)): it is simply tried again.
        crate::retry_eintr(|| self.r.get_ref().peek(&mut b))
            .expect("data from the server");
    }
}
