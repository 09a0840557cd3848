//! smoke-test-client: the client of the blog post "Learning Go by
//! writing a simple TCP server" (Tianci Hu Marrero), written to test
//! the Protohackers "Smoke Test" server.
//!
//! It connects, sends one message, then HALF-CLOSES the connection:
//! `shutdown(Write)` (Go: `conn.CloseWrite()`) sends a FIN, which the
//! server's read loop sees as end of file, while our receiving side
//! stays open. The server sends the message back and closes; we read
//! until that end of file and print what came back.
//!
//! The blog's first client had no half-close, so client and server
//! both waited in `Read` forever: each was waiting for the other to
//! finish. Its read loop also kept the whole 4096-byte buffer of every
//! read; this one keeps the bytes each read returned.
//!
//! Run it (with smoke-test-server running):
//!
//! ```sh
//! cargo run -p echo-threaded --bin smoke-test-client
//! cargo run -p echo-threaded --bin smoke-test-client -- localhost:3333 'hello there'
//! ```
//!
//! Timeouts: 5 s to connect, 5 s for each read. Exit status: 0 when
//! the echo came back; 1 on any error (one line on stderr, in the
//! blog's words: `Dial failed: ...`), or the usage line.

use anyhow::{Context, Result, anyhow, bail};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::exit;
use std::time::Duration;

/// The blog's HOST and PORT constants.
const DEFAULT_SERVER: &str = "localhost:3333";
/// The blog's message.
const DEFAULT_MESSAGE: &str = "Ground Control To Major Tom";
/// How long to wait for the connection to be accepted.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long each read may wait for data (or the server's close).
const READ_TIMEOUT: Duration = Duration::from_secs(5);
/// The most we accept back (the server's own cap on what it keeps).
const MAX_REPLY: usize = 32 * 1024 * 1024;

const USAGE: &str = "usage: smoke-test-client [HOST:PORT [MESSAGE]]  \
                     (default localhost:3333 'Ground Control To Major Tom')";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 2 || args.first().is_some_and(|a| a.starts_with('-')) {
        eprintln!("{USAGE}");
        exit(1);
    }
    let server = args.first().map_or(DEFAULT_SERVER, String::as_str);
    let message = args.get(1).map_or(DEFAULT_MESSAGE, String::as_str);

    // ANCHOR: main
    // Go: net.ResolveTCPAddr("tcp", HOST+":"+PORT).
    let addrs = or_exit("ResolveTCPAddr failed", resolve(server));
    // Go: net.DialTCP("tcp", nil, tcpServer).
    let (mut conn, addr) = or_exit("Dial failed", dial(&addrs));
    // Go: conn.Write([]byte("Ground Control To Major Tom")).
    or_exit("Write data failed", conn.write_all(message.as_bytes()));
    // Go: conn.CloseWrite(). shutdown(2) with SHUT_WR: our FIN goes
    // out after the message; we can still read.
    or_exit("CloseWrite failed", conn.shutdown(Shutdown::Write));

    eprintln!("Reading data...");
    let received = or_exit("Read data failed", read_to_eof(&mut conn, addr));
    println!("Received message: {}", String::from_utf8_lossy(&received));
    // ANCHOR_END: main
}

/// Every address the name stands for (getaddrinfo(3)); `localhost`
/// usually gives ::1 and 127.0.0.1.
fn resolve(server: &str) -> Result<Vec<SocketAddr>> {
    let addrs: Vec<SocketAddr> = server
        .to_socket_addrs()
        .with_context(|| {
            format!("{server} (give HOST:PORT, e.g. localhost:3333)")
        })?
        .collect();
    if addrs.is_empty() {
        bail!("{server}: the name has no address");
    }
    Ok(addrs)
}

/// Try each address in turn, as Go's Dial does; keep the last error.
fn dial(addrs: &[SocketAddr]) -> Result<(TcpStream, SocketAddr)> {
    let mut last = anyhow!("no address to try");
    for &a in addrs {
        match TcpStream::connect_timeout(&a, CONNECT_TIMEOUT) {
            Ok(c) => return Ok((c, a)),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                last = anyhow!(
                    "connecting to {a}: no answer within {CONNECT_TIMEOUT:?}"
                );
            }
            Err(e) => last = anyhow!(e).context(format!("connecting to {a}")),
        }
    }
    Err(last)
}

// ANCHOR: read_to_eof
/// Read until the server closes. Each read keeps only the `n` bytes
/// it returned (the blog appended its whole 4096-byte buffer).
fn read_to_eof(conn: &mut TcpStream, addr: SocketAddr) -> Result<Vec<u8>> {
    conn.set_read_timeout(Some(READ_TIMEOUT))
        .context("setting the read timeout")?;
    let mut received = Vec::new();
    let mut temp = [0u8; 4096];
    loop {
        let n = match conn.read(&mut temp) {
            Ok(0) => return Ok(received), // the server closed: done
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if echo_threaded::is_timeout(&e) => bail!(
                "{addr} sent nothing for {READ_TIMEOUT:?} \
                 (waiting for the echo and the server's close)"
            ),
            Err(e) => return Err(e).context(format!("reading from {addr}")),
        };
        if received.len() + n > MAX_REPLY {
            bail!("{addr} sent more than {MAX_REPLY} bytes");
        }
        received.extend_from_slice(&temp[..n]);
    }
}
// ANCHOR_END: read_to_eof

/// The blog's error handling: `println("Dial failed:", err.Error())`
/// then `os.Exit(1)`. (Go's built-in println writes to stderr, as
/// this does.)
fn or_exit<T, E: Into<anyhow::Error>>(what: &str, r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            eprintln!("{what}: {:#}", e.into());
            exit(1)
        }
    }
}
