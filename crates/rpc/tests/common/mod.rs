//! Helpers shared by the rpc test files: speak the wire format
//! directly through the crate's lib, with bounded waits.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rpc::{Call, MyInts, Reply};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use testkit::Server;

pub const SERVER: &str = env!("CARGO_BIN_EXE_rpc-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_rpc-client");

/// Bound on every read a test makes.
pub const READ: Duration = Duration::from_secs(10);

/// Start rpc-server on a free loopback port.
pub fn server() -> Server {
    Server::start(SERVER, &["0"])
}

/// A raw connection with a read timeout.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect to rpc-server");
    s.set_read_timeout(Some(READ)).unwrap();
    s.set_write_timeout(Some(READ)).unwrap();
    s
}

/// Send a call and read its reply on an open connection.
pub fn call(s: &mut TcpStream, id: u32, method: &str, args: &MyInts) -> Reply {
    s.write_all(&Call::new(id, method, args).encode().unwrap())
        .unwrap();
    read_reply(s)
}

/// Read one reply frame; panic with a reason if there is none.
pub fn read_reply(s: &mut TcpStream) -> Reply {
    let body = rpc::read_frame(s)
        .expect("reading a reply frame")
        .expect("the server closed the connection instead of replying");
    rpc::decode_reply(&body).expect("decoding the reply")
}

/// Read until EOF (bounded); true if the server closed the connection.
pub fn closed_by_server(s: &mut TcpStream) -> bool {
    match until_closed(s) {
        Ok(()) => true,
        Err(why) => {
            eprintln!("not closed: {why}");
            false
        }
    }
}

/// Read until EOF or reset; otherwise say what happened instead.
pub fn until_closed(s: &mut TcpStream) -> Result<(), String> {
    let start = std::time::Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        match s.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(_) => continue,
            Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => {
                return Ok(());
            }
            Err(e) => {
                return Err(format!(
                    "{e} ({:?}) after {:?}",
                    e.kind(),
                    start.elapsed()
                ));
            }
        }
    }
}

pub fn ints(a1: u64, a2: u64, s1: bool, s2: bool) -> MyInts {
    MyInts { a1, a2, s1, s2 }
}
