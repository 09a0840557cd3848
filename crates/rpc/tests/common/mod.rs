//! Helpers shared by the rpc test files: speak either encoding
//! directly through the crate's lib, with bounded waits.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use rpc::MyInts;
use rpc::codec::{ClientCodec, ClientReply, Encoding};
use rpc::frame::{self, Call, Reply};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use testkit::Server;

pub const SERVER: &str = env!("CARGO_BIN_EXE_rpc-server");
pub const CLIENT: &str = env!("CARGO_BIN_EXE_rpc-client");

/// Bound on every read a test makes.
pub const READ: Duration = Duration::from_secs(10);

/// The variable that scales the programs' time limits, and the factor
/// the tests that wait for a limit give it: 5 s become 0.5 s.
pub const SCALE_ENV: &str = rpc::cli::TIME_SCALE_ENV;
pub const SCALE: &str = "0.1";

/// Start rpc-server (gob, its default) on a free loopback port.
pub fn server() -> Server {
    Server::start(SERVER, &["0"])
}

/// Start rpc-server --frames on a free loopback port.
pub fn frames_server() -> Server {
    Server::start(SERVER, &["--frames", "0"])
}

/// rpc-server with its time limits scaled by `factor` (the read
/// timeout's 30 s and the drain's 1 s), and other arguments.
pub fn scaled_server(factor: &str, args: &[&str]) -> Server {
    let mut cmd = std::process::Command::new(SERVER);
    cmd.args(args).arg("0").env(SCALE_ENV, factor);
    Server::start_cmd(cmd, false)
}

/// A raw connection with a read timeout.
pub fn connect(addr: SocketAddr) -> TcpStream {
    let s = TcpStream::connect(addr).expect("connect to rpc-server");
    s.set_read_timeout(Some(READ)).unwrap();
    s.set_write_timeout(Some(READ)).unwrap();
    s
}

/// A connection that speaks one encoding through the crate's codec.
pub struct Conn {
    pub s: TcpStream,
    pub codec: ClientCodec,
}

impl Conn {
    pub fn new(addr: SocketAddr, encoding: Encoding) -> Conn {
        Conn {
            s: connect(addr),
            codec: ClientCodec::new(encoding),
        }
    }

    /// Send a call and read its reply.
    pub fn call(
        &mut self,
        seq: u64,
        method: &str,
        args: &MyInts,
    ) -> ClientReply {
        self.send(seq, method, args);
        self.read()
    }

    pub fn send(&mut self, seq: u64, method: &str, args: &MyInts) {
        let bytes = self.codec.call(seq, method, args).unwrap();
        self.s.write_all(&bytes).unwrap();
    }

    /// Read one reply; panic with a reason if there is none.
    pub fn read(&mut self) -> ClientReply {
        self.codec
            .read_reply(&mut self.s, &mut Vec::new())
            .expect("reading a reply")
    }
}

/// Both encodings, for tests that must hold for each.
pub const BOTH: [Encoding; 2] = [Encoding::Gob, Encoding::Frames];

/// Start rpc-server with this encoding.
pub fn server_for(e: Encoding) -> Server {
    match e {
        Encoding::Gob => server(),
        Encoding::Frames => frames_server(),
    }
}

/// Send a frames call and read its reply on an open connection.
pub fn call(s: &mut TcpStream, id: u32, method: &str, args: &MyInts) -> Reply {
    s.write_all(&Call::new(id, method, args).encode().unwrap())
        .unwrap();
    read_reply(s)
}

/// Read one reply frame; panic with a reason if there is none.
pub fn read_reply(s: &mut TcpStream) -> Reply {
    let body = frame::read_frame(s)
        .expect("reading a reply frame")
        .expect("the server closed the connection instead of replying");
    frame::decode_reply(&body).expect("decoding the reply")
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
        match testkit::retry_eintr(|| s.read(&mut buf)) {
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

/// A port on which nothing listens: [`testkit::refused_tcp_port`].
pub fn closed_port() -> u16 {
    testkit::refused_tcp_port()
}

pub fn ints(a1: u64, a2: u64, s1: bool, s2: bool) -> MyInts {
    MyInts { a1, a2, s1, s2 }
}

/// The book's two lines, what every client prints for Add, Subtract.
pub const BOOK_REPLIES: &str = "Reply (Add): 1\nReply (Subtract): -35\n";
