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
//! cargo run -p echo-threaded --bin simple-echo-server            # 127.0.0.1:1201
//! cargo run -p echo-threaded --bin simple-echo-server -- 0.0.0.0:1201
//! echo hello | nc -N 127.0.0.1 1201                               # another terminal
//! ```
//!
//! Exit status: 0 never (it serves until killed); 1 when it cannot
//! start (`Fatal error: ...` or the usage line on stderr).

use anyhow::{Context, Result};
use echo_threaded::{ACCEPT_BACKOFF, is_out_of_descriptors, listen_addr_v4};
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::exit;

/// The book's port for its echo servers (its listing says ":1201").
const DEFAULT_PORT: u16 = 1201;

/// Bytes read per `read(2)`: the book's `var buf [512]byte`.
const BUF_SIZE: usize = 512;

const USAGE: &str =
    "usage: simple-echo-server [PORT | IPV4:PORT]  (default 1201)";

fn main() {
    // ANCHOR: main
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 1 || args.first().is_some_and(|a| a.starts_with('-')) {
        eprintln!("{USAGE}");
        exit(1);
    }
    // Go: net.ResolveTCPAddr("tcp4", ":1201"). Rust has no separate
    // "resolve" step for a literal address: we parse it.
    let addr =
        match listen_addr_v4(args.first().map(String::as_str), DEFAULT_PORT) {
            Ok(a) => a,
            Err(e) => fatal(anyhow::anyhow!(e)),
        };
    // Go: net.ListenTCP("tcp", tcpAddr). socket(2), bind(2), listen(2).
    let listener = match TcpListener::bind(addr)
        .with_context(|| format!("binding {addr}"))
    {
        Ok(l) => l,
        Err(e) => fatal(e),
    };
    announce(&listener);

    loop {
        // accept(2) takes the oldest completed connection off the
        // listen queue; it blocks while the queue is empty.
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                // Go's loop just says `continue`. We log it, and rest a
                // little when out of descriptors (see ACCEPT_BACKOFF).
                eprintln!("accepting a connection: {e}");
                if is_out_of_descriptors(&e) {
                    std::thread::sleep(ACCEPT_BACKOFF);
                }
                continue;
            }
        };
        // Served right here, on the only thread: while this call runs,
        // nobody else is served. That is the point of this program.
        if let Err(e) = handle_client(conn) {
            eprintln!("{peer}: {e:#}");
        }
        // Go closes the connection here; in Rust `conn` was moved into
        // handle_client and was closed (close(2)) when it returned.
    }
    // ANCHOR_END: main
}

// ANCHOR: handle_client
/// Echo everything the client sends until it closes its side.
fn handle_client(mut conn: TcpStream) -> Result<()> {
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
        log_chunk(&buf[..n]);
        // write_all loops until every byte is in the kernel's send
        // buffer; Go's Write does the same for a TCP connection.
        conn.write_all(&buf[..n]).context("writing")?;
    }
}
// ANCHOR_END: handle_client

/// Print a chunk as Go's `fmt.Println(string(buf[0:n]))` does: the
/// bytes, then a newline. So `hello\n` shows as `hello` and an empty
/// line. Bytes that are not UTF-8 show as U+FFFD. A closed stdout is
/// no reason to stop serving, so the write's error is ignored (where
/// `println!` would panic).
fn log_chunk(chunk: &[u8]) {
    let mut out = io::stdout().lock();
    let _ = writeln!(out, "{}", String::from_utf8_lossy(chunk));
}

/// The first line of output, which tests and scripts wait for.
fn announce(listener: &TcpListener) {
    match listener.local_addr() {
        Ok(a) => println!("listening on {a}"),
        Err(e) => {
            fatal(anyhow::Error::new(e).context("reading the bound address"))
        }
    }
}

/// The book's checkError: `Fatal error: <message>` and exit status 1.
fn fatal(e: anyhow::Error) -> ! {
    eprintln!("Fatal error: {e:#}");
    exit(1)
}
