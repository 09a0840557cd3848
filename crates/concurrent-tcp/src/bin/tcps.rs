//! tcps: a TCP server that reads once from each client and sends back
//! exactly what it read.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, section "Using
//! other functions for the TCP server" (TCPs.go).
//!
//! The same service as tcp-server, written with Go's more specific
//! calls: `net.ResolveTCPAddr` + `net.ListenTCP` instead of
//! `net.Listen`, and one `Read` into a 1024-byte buffer instead of a
//! line reader. Each client gets one answer, then its connection is
//! closed, and the server waits for the next client (one at a time).
//!
//! Run it:
//!
//! ```text
//! cargo run -p concurrent-tcp --bin tcps -- 1234
//! cargo run -p concurrent-tcp --bin tcpc -- 127.0.0.1:1234 # elsewhere
//! ```
//!
//! A client that sends nothing is given 5 s, then dropped, so that it
//! cannot keep the next clients waiting forever (`NETPROG_TIME_SCALE`
//! multiplies the 5 s; src/cli.rs).
//! Exit status: runs until stopped (Ctrl+C); 100 for a bad argument
//! or `NETPROG_TIME_SCALE`, or a port that cannot be bound.

use anyhow::Context;
use concurrent_tcp::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use concurrent_tcp::{
    DEFAULT_PORT, READ_TIMEOUT, cli, elogln, is_timeout, log_received, logln,
};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const USAGE: &str = "usage: tcps [PORT | ADDRESS]";

fn main() {
    if let Err(e) = run(&cli::args()) {
        // Tsoukalos' programs print the error and exit with status 100.
        elogln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: main
fn run(args: &[OsString]) -> anyhow::Result<()> {
    if args.len() > 1 {
        anyhow::bail!("too many arguments. {USAGE}");
    }
    let arg = args.first().map(|a| cli::text(a)).transpose();
    let arg = arg.map_err(anyhow::Error::msg)?;
    // Go: s, err := net.ResolveTCPAddr("tcp", SERVER). The Go program
    // builds "localhost:" + port; a bare port binds 127.0.0.1 here too.
    let s = listen_addr(arg, DEFAULT_PORT)?;
    // How long a client may take to send: scaled by NETPROG_TIME_SCALE.
    let limit = cli::time_limit(READ_TIMEOUT).map_err(anyhow::Error::msg)?;

    // Go: l, err := net.ListenTCP("tcp", s). Rust has one listener
    // type, so ListenTCP and Listen are both TcpListener::bind.
    let l =
        TcpListener::bind(s).map_err(|e| anyhow::anyhow!(bind_error(e, s)))?;
    let local = l.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");

    // Go: buffer := make([]byte, 1024)
    let mut buffer = [0u8; 1024];
    loop {
        // Go: conn, err := l.Accept(). The Go program never looks at
        // this error; an accept error is logged here and we go on.
        let (conn, peer) = match l.accept() {
            Ok(x) => x,
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    std::thread::sleep(EMFILE_PAUSE);
                }
                continue;
            }
        };
        // One client's trouble is logged and ends only that client.
        // (The Go program exits with status 100 on any read error.)
        if let Err(e) = answer_once(&conn, &mut buffer, limit) {
            elogln!("{peer}: {e:#}");
        }
        // Go: conn.Close(). Here `conn` is dropped, which closes it.
    }
}
// ANCHOR_END: main

// ANCHOR: answer
/// Read once, print what came, and send exactly those bytes back.
/// A client that sends nothing for `limit` is dropped.
fn answer_once(
    mut conn: &TcpStream,
    buffer: &mut [u8],
    limit: Duration,
) -> anyhow::Result<()> {
    conn.set_read_timeout(Some(limit))
        .context("setting a read timeout")?;
    // Go: n, err := conn.Read(buffer). One read(2) returns whatever
    // has arrived so far, from 1 byte up to the buffer's size: TCP is a
    // byte stream and keeps no message boundaries. A message longer
    // than 1024 bytes, or one the client sends in pieces, is answered
    // only in part.
    let n = match conn.read(buffer) {
        Ok(0) => anyhow::bail!("left without sending anything"),
        Ok(n) => n,
        Err(e) if is_timeout(&e) => {
            anyhow::bail!("sent nothing within {}; dropped", cli::Secs(limit))
        }
        Err(e) => return Err(e).context("reading"),
    };
    let data = &buffer[..n];
    // Go: fmt.Print("> ", string(buffer[0:n])). A newline is added
    // when the data has none, so the next log line starts afresh.
    log_received("> ", data);
    // Go: conn.Write(buffer), which sends all 1024 bytes: the message,
    // then whatever the buffer held past it. The Go buffer is made once,
    // before the accept loop, so that is zeros for the first client and
    // the rest of earlier clients' messages after that. Only the `n`
    // bytes that were read are this client's message.
    conn.write_all(data).context("sending the data back")?;
    Ok(())
}
// ANCHOR_END: answer
