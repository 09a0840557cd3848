//! simple-echo-server: Newmarch, *Socket-level Programming*, the
//! SimpleEchoServer of "Multi-threaded server".
//!
//! An echo server that serves ONE client at a time. It accepts a
//! connection, sends back every chunk the client writes (and prints
//! each chunk, as the book does), and only when that client has gone
//! does it accept the next one. A second client can connect (the
//! kernel completes its handshake and parks it in the listen queue)
//! but hears nothing until the first one leaves. The threaded servers
//! of this crate fix that.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p echo-threaded --bin simple-echo-server    # 127.0.0.1:1201
//! cargo run -p echo-threaded --bin simple-echo-server -- '[::]:1201'
//! echo hello | nc -N 127.0.0.1 1201                       # another terminal
//! ```
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr).

use anyhow::{Context, Result};
use echo_threaded::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use echo_threaded::{
    GO_KEEPALIVE, cli, elogln, is_option, keep_alive, listen_tcp, logln,
};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::exit;

/// The book's port for its echo servers (its listing says ":1201").
const DEFAULT_PORT: u16 = 1201;

/// Bytes read per `read(2)`: the book's `var buf [512]byte`.
const BUF_SIZE: usize = 512;

const USAGE: &str =
    "usage: simple-echo-server [PORT | ADDRESS:PORT]  (default 1201)";

fn main() {
    // ANCHOR: main
    let args = cli::args();
    if args.len() > 1 || args.first().is_some_and(|a| is_option(a)) {
        elogln!("{USAGE}");
        exit(1);
    }
    let arg = args.first().map(|a| cli::text(a)).transpose();
    // Go: net.ResolveTCPAddr("tcp4", ":1201"). That gives no IP at
    // all (nil), so ListenTCP("tcp", ...) listens on [::], both
    // families. Here a bare port means 127.0.0.1; '[::]:1201' is Go's.
    let addr = match arg
        .and_then(|a| listen_addr(a, DEFAULT_PORT).map_err(|e| e.to_string()))
    {
        Ok(a) => a,
        Err(e) => fatal(&e),
    };
    // Go: net.ListenTCP("tcp", tcpAddr). socket(2), bind(2), listen(2).
    let listener = match listen_tcp(addr) {
        Ok(l) => l,
        Err(e) => fatal(&bind_error(e, addr)),
    };
    announce(&listener);

    loop {
        // accept(2) takes the oldest completed connection off the
        // listen queue; it blocks while the queue is empty.
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                // Go's loop just says `continue`. We log it, and rest
                // a little when out of descriptors (EMFILE_PAUSE).
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    std::thread::sleep(EMFILE_PAUSE);
                }
                continue;
            }
        };
        // Served right here, on the only thread: while this call
        // runs, nobody else is served. That is the point of it.
        if let Err(e) = handle_client(conn) {
            elogln!("{peer}: {e:#}");
        }
        // Go closes the connection here; in Rust `conn` was moved
        // into handle_client, and closed (close(2)) when it returned.
    }
    // ANCHOR_END: main
}

// ANCHOR: handle_client
/// Echo everything the client sends until it closes its side.
fn handle_client(mut conn: TcpStream) -> Result<()> {
    // Go turns keep-alive on for every accepted connection. A peer
    // whose host went away is then found after 15 s of silence and 9
    // unanswered probes 15 s apart, about two and a half minutes.
    keep_alive(&conn, GO_KEEPALIVE).context("turning on keep-alive")?;
    let mut buf = [0u8; BUF_SIZE];
    loop {
        // read(2): waits for at least one byte, returns what has
        // arrived (up to 512). Ok(0) is end of file: the client closed
        // or half-closed its sending side (its FIN arrived).
        let n = match conn.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading"),
        };
        // Go: fmt.Println(string(buf[0:n])): the bytes, a newline.
        logln!("{}", String::from_utf8_lossy(&buf[..n]));
        // write_all loops until every byte is in the kernel's send
        // buffer; Go's Write does the same for a TCP connection.
        conn.write_all(&buf[..n]).context("writing")?;
    }
}
// ANCHOR_END: handle_client

/// The first line of output, which tests and scripts wait for.
fn announce(listener: &TcpListener) {
    match listener.local_addr() {
        Ok(a) => logln!("listening on {a}"),
        Err(e) => fatal(&format!("reading the bound address: {e}")),
    }
}

/// The book's checkError: `Fatal error: <message>` and exit status 1.
fn fatal(e: &str) -> ! {
    elogln!("Fatal error: {e}");
    exit(1)
}
