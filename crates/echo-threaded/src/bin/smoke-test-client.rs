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
//! cargo run -p echo-threaded --bin smoke-test-client -- \
//!     localhost:3333 'hello there'
//! ```
//!
//! Time limits, each for the whole step: 5 s to connect (all the
//! addresses of the name together), then 5 s for the echo and the
//! server's close; `NETPROG_TIME_SCALE` multiplies both (src/cli.rs).
//! Exit status: 0 when the echo came back; 1 on any error (one line
//! on stderr, in the blog's words: `Dial failed: ...`), the usage
//! line, or a bad `NETPROG_TIME_SCALE`; 141 if stdout is closed.

use anyhow::{Context, Result, anyhow, bail};
use echo_threaded::deadline::Deadline;
use echo_threaded::{cli, elogln, is_option, is_timeout, outln};
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::process::exit;
use std::time::Duration;

/// The blog's HOST and PORT constants.
const DEFAULT_SERVER: &str = "localhost:3333";
/// The blog's message.
const DEFAULT_MESSAGE: &str = "Ground Control To Major Tom";
/// How long connecting may take, all addresses together.
const CONNECT_LIMIT: Duration = Duration::from_secs(5);
/// How long the echo and the server's close may take, in all.
const REPLY_LIMIT: Duration = Duration::from_secs(5);
/// The most we accept back (the server's own cap on what it keeps).
const MAX_REPLY: usize = 32 * 1024 * 1024;

const USAGE: &str = "usage: smoke-test-client [HOST:PORT [MESSAGE]]  \
                     (default localhost:3333 'Ground Control To Major Tom')";

/// The time limits this run uses: the constants above, scaled.
#[derive(Clone, Copy)]
struct Limits {
    connect: Duration,
    reply: Duration,
}

fn main() {
    let args = cli::args();
    if args.len() > 2 || args.first().is_some_and(|a| is_option(a)) {
        elogln!("{USAGE}");
        exit(1);
    }
    let server = match args.first().map(|a| cli::text(a)).transpose() {
        Ok(s) => s.unwrap_or(DEFAULT_SERVER),
        Err(e) => or_exit("ResolveTCPAddr failed", Err(anyhow!(e))),
    };
    // The message is sent as the bytes given, UTF-8 or not.
    let message = args
        .get(1)
        .map_or(DEFAULT_MESSAGE.as_bytes(), |m| m.as_encoded_bytes());
    // Both limits, read once before any network work (src/cli.rs).
    let limits = cli::time_limit(CONNECT_LIMIT).and_then(|connect| {
        let reply = cli::time_limit(REPLY_LIMIT)?;
        Ok(Limits { connect, reply })
    });
    let limits = match limits {
        Ok(l) => l,
        Err(e) => {
            elogln!("{e}");
            exit(1)
        }
    };

    // ANCHOR: main
    // Go: net.ResolveTCPAddr("tcp", HOST+":"+PORT).
    let addrs = or_exit("ResolveTCPAddr failed", resolve(server));
    // Go: net.DialTCP("tcp", nil, tcpServer).
    let (mut conn, addr) = or_exit("Dial failed", dial(&addrs, limits));
    // Go: conn.Write([]byte("Ground Control To Major Tom")).
    or_exit("Write data failed", conn.write_all(message));
    // Go: conn.CloseWrite(). shutdown(2) with SHUT_WR: our FIN goes
    // out after the message; we can still read.
    or_exit("CloseWrite failed", conn.shutdown(Shutdown::Write));

    elogln!("Reading data...");
    let received =
        or_exit("Read data failed", read_to_eof(&mut conn, addr, limits));
    outln!("Received message: {}", String::from_utf8_lossy(&received));
    // ANCHOR_END: main
}

/// Every address the name stands for (getaddrinfo(3)). Go's
/// ResolveTCPAddr keeps one of them, the first IPv4 address
/// (`forResolve`, net/ipsock.go), and the blog dials only that one.
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

/// Try each address in turn, as Go's `net.Dial` does, within one
/// time limit for them all. If none answers, report the first error,
/// as Go does (net/dial.go: "The error from the first address is most
/// relevant"): `localhost` may be ::1 first, where nobody listens.
fn dial(
    addrs: &[SocketAddr],
    limits: Limits,
) -> Result<(TcpStream, SocketAddr)> {
    let deadline = Deadline::after(limits.connect);
    let mut first = None;
    for &a in addrs {
        let tried = deadline
            .left()
            .and_then(|left| TcpStream::connect_timeout(&a, left));
        let e = match tried {
            Ok(c) => return Ok((c, a)),
            Err(e) if is_timeout(&e) => {
                let secs = cli::Secs(limits.connect);
                anyhow!("connecting to {a}: no answer within {secs}")
            }
            Err(e) => anyhow!(e).context(format!("connecting to {a}")),
        };
        first.get_or_insert(e);
    }
    Err(first.unwrap_or_else(|| anyhow!("no address to try")))
}

// ANCHOR: read_to_eof
/// Read until the server closes, all within the reply limit. Each
/// read keeps only the `n` bytes it returned (the blog appended its
/// whole 4096-byte buffer), and may wait only for the time that is
/// left.
fn read_to_eof(
    conn: &mut TcpStream,
    addr: SocketAddr,
    limits: Limits,
) -> Result<Vec<u8>> {
    let deadline = Deadline::after(limits.reply);
    let late = || {
        anyhow!(
            "{addr} did not finish within {} (waiting for the echo and \
             the server's close)",
            cli::Secs(limits.reply)
        )
    };
    let mut received = Vec::new();
    let mut temp = [0u8; 4096];
    loop {
        let left = deadline.left().map_err(|_| late())?;
        conn.set_read_timeout(Some(left))
            .context("setting the read timeout")?;
        let n = match conn.read(&mut temp) {
            Ok(0) => return Ok(received), // the server closed: done
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => return Err(late()),
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
/// this does; builtin/builtin.go says so.)
fn or_exit<T, E: Into<anyhow::Error>>(what: &str, r: Result<T, E>) -> T {
    match r {
        Ok(v) => v,
        Err(e) => {
            elogln!("{what}: {:#}", e.into());
            exit(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The limits the page and the doc comment name: 5 s and 5 s.
    #[test]
    fn the_limits_are_five_seconds_each() {
        assert_eq!(cli::Secs(CONNECT_LIMIT).to_string(), "5 s");
        assert_eq!(cli::Secs(REPLY_LIMIT).to_string(), "5 s");
    }
}
