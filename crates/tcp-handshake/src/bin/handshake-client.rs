//! handshake-client: the client of the blog post that reads one TCP
//! connection in Wireshark. It connects to port 9000, sends
//! "Hi, I am Coco\n", prints the reply and closes: one handshake, one
//! data segment each way, one teardown.
//!
//! ```text
//! cargo run -q -p tcp-handshake --bin handshake-client
//! cargo run -q -p tcp-handshake --bin handshake-client -- 127.0.0.1:9000
//! ```
//!
//! It waits 5 s for the handshake and 5 s for the reply; the
//! environment variable `NETPROG_TIME_SCALE` multiplies both (see
//! `cli::time_limit`; the tests make them short).
//!
//! Exit status: 1 if it cannot connect, send or read (as Go's
//! log.Fatalf), and for a bad command line or `NETPROG_TIME_SCALE`;
//! 141 when stdout is closed.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;
use tcp_handshake::{cli, elogln, out, printable};

const MESSAGE: &[u8] = b"Hi, I am Coco\n";
/// How long to wait for the handshake, and then for the reply
/// (times `NETPROG_TIME_SCALE`).
const TIMEOUT: Duration = Duration::from_secs(5);

fn fatal(what: &str, e: impl std::fmt::Display) -> ExitCode {
    elogln!("{what}: {e}");
    ExitCode::from(1)
}

// ANCHOR: main
fn main() -> ExitCode {
    let args = cli::args();
    let target = match args.as_slice() {
        [] => "127.0.0.1:9000",
        [a] => match cli::text(a) {
            Ok(t) => t,
            Err(e) => return fatal("usage", e),
        },
        _ => {
            return fatal(
                "usage",
                "handshake-client [HOST:PORT] (default 127.0.0.1:9000)",
            );
        }
    };
    // The limit this run keeps, read before anything is looked up.
    let timeout = match cli::time_limit(TIMEOUT) {
        Ok(t) => t,
        Err(e) => {
            elogln!("{e}");
            return ExitCode::from(1);
        }
    };
    let addr: SocketAddr = match target.to_socket_addrs().map(|mut a| a.next())
    {
        Ok(Some(a)) => a,
        Ok(None) => return fatal("couldn't resolve the server", target),
        Err(e) => {
            return fatal(
                "couldn't resolve the server",
                format!("{target}: {e}"),
            );
        }
    };
    // Go: net.Dial("tcp", ":9000"). connect() sends the SYN and
    // returns when the SYN-ACK has come and our ACK has gone out.
    let mut conn = match TcpStream::connect_timeout(&addr, timeout) {
        Ok(c) => c,
        Err(e) => {
            return fatal(
                "couldn't connect to the server",
                format!("{addr}: {e}"),
            );
        }
    };
    // write() copies the bytes into the kernel's send buffer; the
    // kernel sends them as one segment with PSH set.
    if let Err(e) = conn.write_all(MESSAGE) {
        return fatal("couldn't send request", e);
    }
    // One read, so this 5 s limit is the whole wait for the reply.
    let _ = conn.set_read_timeout(Some(timeout));
    let mut buf = [0u8; 15];
    let n = match conn.read(&mut buf) {
        Ok(0) => {
            return fatal(
                "couldn't read server response",
                "the server closed the connection",
            );
        }
        Ok(n) => n,
        Err(e) => return fatal("couldn't read server response", e),
    };
    // The reply ends with the newline we sent, so out! adds none.
    // Control bytes from the server are shown as `?`.
    out!("{}", printable(&buf[..n]));
    // Go: conn.Close(). Dropping the stream closes it: our FIN.
    ExitCode::SUCCESS
}
// ANCHOR_END: main

#[cfg(test)]
mod tests {
    use super::*;

    /// The page names the 5 s of `connect_timeout` and of the read;
    /// the tests run with them scaled, so pin the default here.
    #[test]
    fn the_default_limit_is_the_one_the_page_shows() {
        let page = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../docs/src/tcp-handshake.md"
        );
        let page = std::fs::read_to_string(page).unwrap_or_default();
        let shown = cli::Secs(TIMEOUT);
        for said in [
            format!("`TcpStream::connect_timeout(addr, {shown})`"),
            format!("never answers** (here `nc -l`): after {shown},"),
        ] {
            assert!(page.contains(&said), "the page does not say {said:?}");
        }
    }
}
