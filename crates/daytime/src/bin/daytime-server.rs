//! daytime-server: the RFC 867 daytime service over TCP.
//!
//! Source: Newmarch, *Socket-level Programming*, "A Daytime server"
//! (DaytimeServer). The smallest useful server: listen on a port,
//! and for every client that connects, write the current time as one
//! line and close the connection. Nothing is read from the client.
//!
//! It demonstrates the life of a listening socket: bind, listen,
//! accept in a loop, and a server that carries on whatever one client
//! does (connects and leaves at once, resets, never reads).
//!
//! Run it (port 1200 on 127.0.0.1 by default; `0` picks a free port):
//!
//! ```sh
//! cargo run -p daytime --bin daytime-server -- [PORT | ADDRESS:PORT]
//! ```
//!
//! and ask it the time with `cargo run -p daytime --bin daytime-client
//! -- localhost:1200` or `nc localhost 1200`.
//!
//! Exit status: it serves until killed; 0 after `--help`; 1 when it
//! cannot start (`Fatal error: ...` or the usage line on stderr; a
//! bad `NETPROG_TIME_SCALE` is one too).

use anyhow::{Context, Result};
use daytime::listen::{EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr};
use daytime::{DaytimeClock, cli, elogln, logln, outln};
use std::io::{self, Write};
use std::net::{TcpListener, TcpStream};
use std::process::exit;
use std::thread;
use std::time::Duration;

/// The book's port. RFC 867 says 13; on Linux a port below 1024
/// needs the CAP_NET_BIND_SERVICE capability (root has it).
const DEFAULT_PORT: u16 = 1200;

// ANCHOR: write_timeout
/// How long one client may hold up the loop while we write to it.
/// The line is 30 bytes, and every TCP socket may queue at least
/// tcp_wmem's minimum (4 KiB) whatever the memory pressure, so in
/// practice the write never waits; the timeout makes "never" a
/// promise rather than a hope. `NETPROG_TIME_SCALE` scales it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(2);
// ANCHOR_END: write_timeout

const USAGE: &str = "Usage: daytime-server [PORT | ADDRESS:PORT]";

fn main() {
    let args = cli::args();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        outln!("{USAGE}");
        return;
    }
    if args.len() > 1 {
        elogln!("{USAGE}");
        exit(1);
    }
    let arg = args.first().map(|a| cli::text(a)).transpose();
    if let Err(err) = arg.map_err(anyhow::Error::msg).and_then(run) {
        // Go's checkError: `Fatal error: ...` and exit status 1. Go
        // printed no newline after it; we end the line.
        elogln!("Fatal error: {err:#}");
        exit(1);
    }
}

fn run(arg: Option<&str>) -> Result<()> {
    // The write timeout, read once before any socket: WRITE_TIMEOUT,
    // or a fraction of it when NETPROG_TIME_SCALE says so (cli.rs).
    let write_timeout =
        cli::time_limit(WRITE_TIMEOUT).map_err(anyhow::Error::msg)?;
    // ANCHOR: listen
    // Go: net.ResolveTCPAddr("tcp4", ":1200") then net.ListenTCP.
    // TcpListener::bind does socket(), bind() and listen() in one go
    // (with SO_REUSEADDR set, so a restart does not wait for old
    // connections in TIME_WAIT). From here the kernel completes
    // handshakes on its own and queues them, up to the backlog (128
    // in Rust's std), until accept() takes them.
    let addr = listen_addr(arg, DEFAULT_PORT)?;
    let listener = TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!(bind_error(e, addr)))?;
    let local = listener.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");
    // ANCHOR_END: listen

    let mut clock = DaytimeClock::new();
    // ANCHOR: accept_loop
    loop {
        // accept() blocks until a handshake has completed, then gives
        // a new socket for that one client. Go: listener.Accept().
        let (conn, peer) = match listener.accept() {
            Ok(pair) => pair,
            Err(err) => {
                accept_failed(&err);
                continue; // Go: `continue` too, but silently
            }
        };
        // One client's trouble is logged and forgotten: the loop goes
        // on. No thread per client: there is nothing to read, and the
        // write is bounded by WRITE_TIMEOUT.
        if let Err(err) = serve(conn, &mut clock, write_timeout) {
            elogln!("daytime-server: client {peer}: {err:#}");
        }
    }
    // ANCHOR_END: accept_loop
}

// ANCHOR: serve
/// Send one client the time, then hang up; a write may wait at most
/// `write_timeout`.
fn serve(
    mut conn: TcpStream,
    clock: &mut DaytimeClock,
    write_timeout: Duration,
) -> Result<()> {
    // SO_SNDTIMEO: a write that cannot finish within the timeout
    // fails with EAGAIN instead of blocking the accept loop.
    conn.set_write_timeout(Some(write_timeout))
        .context("setting the write timeout")?;
    let reply = clock.reply_now().context("formatting the time")?;
    // The bytes go into the socket's send buffer; the kernel sends
    // them as one segment. A client that has already reset makes this
    // fail with "Connection reset by peer" or "Broken pipe" (Rust
    // ignores SIGPIPE, so it is an error, not a dead process).
    conn.write_all(reply).context("writing the time")?;
    Ok(())
    // `conn` is dropped here: close() sends FIN after the data. Go
    // needed an explicit conn.Close(); Rust closes at end of scope.
}
// ANCHOR_END: serve

/// Log an accept() failure and carry on; pause briefly when out of
/// file descriptors, or the loop would spin at 100% CPU retrying.
fn accept_failed(err: &io::Error) {
    elogln!("daytime-server: accepting a connection: {err}");
    if is_out_of_fds(err) {
        thread::sleep(EMFILE_PAUSE);
    }
}
