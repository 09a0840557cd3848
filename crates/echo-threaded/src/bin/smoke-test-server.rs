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
//! A client silent for a minute is closed (`idle_limit` in
//! src/lib.rs: `NETPROG_IDLE_TIMEOUT` sets another limit, and
//! `NETPROG_TIME_SCALE` multiplies it).
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr), a bad value of
//! either variable included.

use anyhow::{Context, Result, bail};
use echo_threaded::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use echo_threaded::{
    GO_KEEPALIVE, cli, elogln, idle_limit, is_option, is_timeout, keep_alive,
    listen_tcp, logln,
};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::process::exit;
use std::thread;
use std::time::Duration;

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
    let args = cli::args();
    if args.len() > 1 || args.first().is_some_and(|a| is_option(a)) {
        elogln!("{USAGE}");
        exit(1);
    }
    let arg = args.first().map(|a| cli::text(a)).transpose();
    let addr = match arg.and_then(|a| {
        listen_addr(a, DEFAULT_PORT)
            .map_err(|e| e.to_string())
            .and_then(ipv4_only)
    }) {
        Ok(a) => a,
        Err(e) => fatal(&e),
    };
    let idle = match idle_limit() {
        Ok(d) => d,
        Err(e) => fatal(&e),
    };
    // Go: net.Listen("tcp4", ":"+arguments[1]): IPv4 only.
    let listener = match listen_tcp(addr) {
        Ok(l) => l,
        Err(e) => fatal(&bind_error(e, addr)),
    };
    match listener.local_addr() {
        Ok(a) => logln!("listening on {a}"),
        Err(e) => fatal(&format!("reading the bound address: {e}")),
    }

    loop {
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                // The blog returns from main here, ending the server
                // because of one failed accept. We log and go on.
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    thread::sleep(EMFILE_PAUSE);
                }
                continue;
            }
        };
        let started = thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || handle_connection(conn, peer, idle));
        if let Err(e) = started {
            elogln!("cannot start a thread: {e} (closed {peer})");
        }
    }
}

/// The blog listens with the network "tcp4", so this server, unlike
/// the others of the crate, refuses an IPv6 address rather than
/// listen where the original could not. (Newmarch's echo servers
/// resolve "tcp4" too, but their ListenTCP("tcp", ...) then listens
/// on both families; a test runs a Go program that shows both.)
fn ipv4_only(addr: SocketAddr) -> Result<SocketAddr, String> {
    match addr {
        SocketAddr::V4(_) => Ok(addr),
        SocketAddr::V6(_) => Err(format!(
            "{addr} is an IPv6 address: this server listens on IPv4 \
             only, like the blog's net.Listen(\"tcp4\", ...) (give \
             0.0.0.0:PORT, or use threaded-ip-echo-server)"
        )),
    }
}

/// Go: `handleConnection(c)`, run as a goroutine.
fn handle_connection(mut conn: TcpStream, peer: SocketAddr, idle: Duration) {
    logln!("Serving {peer}");
    // Go turns keep-alive on for every accepted connection; the idle
    // limit is ours (src/lib.rs): a client silent that long is closed.
    let set_up = keep_alive(&conn, GO_KEEPALIVE)
        .and_then(|()| conn.set_read_timeout(Some(idle)))
        .and_then(|()| conn.set_write_timeout(Some(idle)));
    if let Err(e) = set_up {
        elogln!("{peer}: setting socket options: {e}");
    }
    let packet = match read_to_eof(&mut conn) {
        Ok(p) => p,
        Err(e) => {
            let timed_out =
                e.downcast_ref::<io::Error>().is_some_and(is_timeout);
            if timed_out {
                let secs = cli::Secs(idle);
                elogln!("{peer}: idle for more than {secs}, closing");
            } else {
                elogln!("{peer}: {e:#}");
            }
            return;
        }
    };
    // One write of everything, as the blog does after its read loop.
    match conn.write_all(&packet) {
        Ok(()) => logln!("Wrote back {} bytes", packet.len()),
        Err(e) => elogln!("{peer}: write error: {e}"),
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
/// `log.Fatal`, which also exits 1, after a time stamp).
fn fatal(e: &str) -> ! {
    elogln!("Fatal error: {e}");
    exit(1)
}
