//! smoke-test-server: the server of the blog post "Learning Go by
//! writing a simple TCP server" (Tianci Hu Marrero), which solves
//! Protohackers problem 0, "Smoke Test".
//!
//! The protocol: a client sends any bytes, then shuts down its sending
//! side (a half-close: its FIN tells us "no more data"). We read until
//! end of file, send back everything we received, and close, which
//! tells the client we have finished. Each client has its own thread.
//!
//! The blog's server appended its whole 4096-byte scratch buffer after
//! every read, whatever the read returned, so a 27-byte message came
//! back as 8192 bytes (the message lost among zeros). This version
//! keeps exactly the `n` bytes each read returned.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p echo-threaded --bin smoke-test-server        # 127.0.0.1:3333
//! cargo run -p echo-threaded --bin smoke-test-client        # another terminal
//! printf 'Ground Control To Major Tom' | nc -N 127.0.0.1 3333
//! ```
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr).

use anyhow::{Context, Result, anyhow, bail};
use echo_threaded::{ACCEPT_BACKOFF, is_out_of_descriptors, listen_addr_v4};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::exit;
use std::thread;

/// The port the blog's client dials (its server takes the port as an
/// argument; the post runs it as `3333`).
const DEFAULT_PORT: u16 = 3333;

/// The most we keep for one client before its end of file. Everything
/// is held in memory until the client half-closes, so without a cap
/// one client could make us allocate without end. 32 MiB is plenty for
/// a smoke test; past it we log and close the connection.
const MAX_PAYLOAD: usize = 32 * 1024 * 1024;

/// Bytes per `read(2)`: the blog's `tmp := make([]byte, 4096)`.
const CHUNK: usize = 4096;

/// Stack reserved per client thread (the 4 KiB chunk lives on it).
const STACK_SIZE: usize = 64 * 1024;

const USAGE: &str =
    "usage: smoke-test-server [PORT | IPV4:PORT]  (default 3333)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 1 || args.first().is_some_and(|a| a.starts_with('-')) {
        eprintln!("{USAGE}");
        exit(1);
    }
    // Go: net.Listen("tcp4", ":"+arguments[1]). IPv4 only, like "tcp4".
    let addr =
        match listen_addr_v4(args.first().map(String::as_str), DEFAULT_PORT) {
            Ok(a) => a,
            Err(e) => fatal(anyhow!(e)),
        };
    let listener = match TcpListener::bind(addr) {
        Ok(l) => l,
        Err(e) => fatal(anyhow!(e).context(format!("binding {addr}"))),
    };
    match listener.local_addr() {
        Ok(a) => println!("listening on {a}"),
        Err(e) => fatal(anyhow!(e).context("reading the bound address")),
    }

    loop {
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                // The blog returns from main here, ending the server
                // because of one failed accept. We log and go on.
                eprintln!("accepting a connection: {e}");
                if is_out_of_descriptors(&e) {
                    thread::sleep(ACCEPT_BACKOFF);
                }
                continue;
            }
        };
        let started = thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || handle_connection(conn, peer));
        if let Err(e) = started {
            eprintln!("{peer}: cannot start a thread, closing: {e}");
        }
    }
}

/// Go: `handleConnection(c)`, run as a goroutine.
fn handle_connection(mut conn: TcpStream, peer: SocketAddr) {
    println!("Serving {peer}");
    let packet = match read_to_eof(&mut conn) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("{peer}: {e:#}");
            return;
        }
    };
    // One write of everything, as the blog does after its read loop.
    match conn.write_all(&packet) {
        Ok(()) => println!("Wrote back {} bytes", packet.len()),
        Err(e) => eprintln!("{peer}: write error: {e}"),
    }
    // `conn` is dropped here: close(2) sends our FIN, and the client's
    // read-to-end-of-file loop finishes.
}

// ANCHOR: read_to_eof
/// Read until the client half-closes; return every byte it sent.
fn read_to_eof(conn: &mut TcpStream) -> Result<Vec<u8>> {
    let mut packet = Vec::new(); // the blog: make([]byte, 4096), zeros!
    let mut tmp = [0u8; CHUNK];
    loop {
        let n = match conn.read(&mut tmp) {
            Ok(0) => return Ok(packet), // FIN: the client is done
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("read error"),
        };
        if packet.len() + n > MAX_PAYLOAD {
            bail!("more than {MAX_PAYLOAD} bytes before end of file, closing");
        }
        // The fix: keep the n bytes this read returned. The blog wrote
        // `append(packet, tmp...)`, all 4096 bytes every time.
        packet.extend_from_slice(&tmp[..n]);
    }
}
// ANCHOR_END: read_to_eof

/// `Fatal error: <message>` and exit status 1 (the blog used
/// `log.Fatal`, which also exits 1).
fn fatal(e: anyhow::Error) -> ! {
    eprintln!("Fatal error: {e:#}");
    exit(1)
}
