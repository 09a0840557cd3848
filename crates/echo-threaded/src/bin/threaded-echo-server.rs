//! threaded-echo-server: Newmarch, *Socket-level Programming*, the
//! ThreadedEchoServer of "Multi-threaded server", plus the two knobs of
//! his "Controlling TCP connections" (a timeout and keep-alive).
//!
//! The same echo as simple-echo-server, but every accepted connection
//! gets its own thread, so any number of clients are served at once.
//! Where Go starts a goroutine (`go handleClient(conn)`), Rust starts
//! an operating-system thread; each one blocks in `read(2)` until its
//! client sends something.
//!
//! Options (the book's section on controlling TCP connections):
//!
//! - `--idle-timeout SECS`: a client that sends nothing (or reads
//!   nothing we send) for SECS seconds is logged and disconnected.
//!   `NETPROG_TIME_SCALE` multiplies SECS (src/cli.rs).
//! - `--keepalive SECS`: the keep-alive period. Keep-alive is on for
//!   every client, as Go turns it on, every 15 s unless this says.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p echo-threaded                          # 127.0.0.1:1201
//! cargo run -p echo-threaded -- --idle-timeout 30 '[::]:1201'
//! cargo run -p echo-threaded -- --keepalive 10
//! ```
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr), a bad
//! `NETPROG_TIME_SCALE` with `--idle-timeout` included.

use anyhow::{Context, Result};
use echo_threaded::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use echo_threaded::{
    GO_KEEPALIVE, cli, elogln, is_option, is_timeout, keep_alive, listen_tcp,
    logln, seconds,
};
use std::ffi::OsString;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::exit;
use std::thread;
use std::time::Duration;

/// The book's port for its echo servers (its listing says ":1201").
const DEFAULT_PORT: u16 = 1201;

/// Bytes read per `read(2)`: the book's `var buf [512]byte`. One
/// fixed buffer per connection, on that thread's stack: no allocation
/// per message.
const BUF_SIZE: usize = 512;

/// Stack reserved for each client thread. Rust's default is 2 MiB;
/// the handler needs a few KiB (the buffer, an error message), so 64
/// KiB is ample. Only the pages a thread touches use memory, but a
/// smaller reservation lets many thousands of threads fit in the
/// address space. (Go starts a goroutine with a 2 KiB stack that
/// grows on demand, `_StackMin` in Go 1.19's runtime/stack.go; a
/// thread's stack cannot grow past its reservation.)
const STACK_SIZE: usize = 64 * 1024;

const USAGE: &str = "usage: threaded-echo-server [--idle-timeout SECS] \
                     [--keepalive SECS] [PORT | ADDRESS:PORT]  \
                     (default 1201)";

/// What the command line asked for.
#[derive(Clone, Copy)]
struct Config {
    addr: SocketAddr,
    /// Close a client after this long without progress.
    idle: Option<Duration>,
    /// The keep-alive period (Go's 15 s unless --keepalive says).
    keepalive: Duration,
}

fn main() {
    let cfg = match parse_args(cli::args()) {
        Ok(c) => c,
        Err(Bad::Usage) => {
            elogln!("{USAGE}");
            exit(1)
        }
        Err(Bad::Value(e)) => fatal(&e),
    };
    // ANCHOR: main
    // Go: ResolveTCPAddr("tcp4", ":1201") then ListenTCP("tcp", ...).
    // (The book's listing says "ip4", which Go rejects.)
    let listener = match listen_tcp(cfg.addr) {
        Ok(l) => l,
        Err(e) => fatal(&bind_error(e, cfg.addr)),
    };
    announce(&listener);

    loop {
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    thread::sleep(EMFILE_PAUSE);
                }
                continue;
            }
        };
        // Go: `go handleClient(conn)`. spawn() is clone(2): a new
        // thread that shares our memory. `move` hands it the socket.
        let started = thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || handle_client(conn, peer, cfg));
        if let Err(e) = started {
            // Out of threads or memory (EAGAIN). The closure, and the
            // socket in it, was dropped: that client sees its
            // connection closed. Everybody else carries on.
            elogln!("cannot start a thread: {e} (closed {peer})");
        }
    }
    // ANCHOR_END: main
}

// ANCHOR: handle_client
/// One client's thread: set the socket up, echo, log how it ended.
/// The socket is closed when `conn` goes out of scope (Go: `defer
/// conn.Close()`), whichever way the echo ended.
fn handle_client(conn: TcpStream, peer: SocketAddr, cfg: Config) {
    if let Err(e) = set_up(&conn, cfg) {
        elogln!("{peer}: {e:#}");
        return;
    }
    match echo(conn) {
        Ok(()) => {}
        Err(e) if is_timeout(&e) => {
            let secs = cli::Secs(cfg.idle.unwrap_or_default());
            elogln!("{peer}: idle for more than {secs}, closing");
        }
        Err(e) => elogln!("{peer}: {e}"),
    }
}

/// The echo itself: read up to 512 bytes, write exactly those back.
fn echo(mut conn: TcpStream) -> io::Result<()> {
    let mut buf = [0u8; BUF_SIZE];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => return Ok(()), // the client closed its side
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        conn.write_all(&buf[..n])?;
    }
}
// ANCHOR_END: handle_client

// ANCHOR: set_up
/// Socket options for one accepted connection.
fn set_up(conn: &TcpStream, cfg: Config) -> Result<()> {
    // TCP_NODELAY: send each write at once. By default (Nagle's
    // algorithm) the kernel holds back a small segment while an
    // earlier one is unacknowledged, and the peer may delay its ACK
    // hoping to piggy-back it: an echo whose reply is split in two
    // writes would stall. We write each chunk once, as soon as it is
    // read, so there is nothing to gain from waiting. Go sets
    // TCP_NODELAY on every TCP connection (net/tcpsock.go,
    // newTCPConn); Rust's std leaves the kernel's default (Nagle on).
    conn.set_nodelay(true).context("setting TCP_NODELAY")?;

    // Go (today): conn.SetReadDeadline(time.Now().Add(d)) before each
    // read, a timer in Go's runtime. Rust: SO_RCVTIMEO, a limit the
    // kernel applies to EACH read, so it is an idle timeout without
    // re-arming. The write timeout catches a client that never reads.
    if let Some(d) = cfg.idle {
        conn.set_read_timeout(Some(d))
            .context("setting SO_RCVTIMEO")?;
        conn.set_write_timeout(Some(d))
            .context("setting SO_SNDTIMEO")?;
    }

    // Go: on by default, every 15 s; the book's SetKeepAlive(true)
    // and today's SetKeepAlivePeriod(d) change it. SO_KEEPALIVE,
    // TCP_KEEPIDLE and TCP_KEEPINTVL, through socket2 (src/lib.rs).
    keep_alive(conn, cfg.keepalive).context("turning on keep-alive")?;
    Ok(())
}
// ANCHOR_END: set_up

/// Why the command line was refused.
enum Bad {
    /// Wrong shape: print the usage line.
    Usage,
    /// Right shape, bad value: say which.
    Value(String),
}

/// `[--idle-timeout SECS] [--keepalive SECS] [PORT | ADDRESS:PORT]`
fn parse_args(args: Vec<OsString>) -> Result<Config, Bad> {
    let mut idle = None;
    let mut keepalive = GO_KEEPALIVE;
    let mut place = None;
    let mut args = args.into_iter();
    while let Some(a) = args.next() {
        let a = cli::text(&a).map_err(Bad::Value)?.to_string();
        match a.as_str() {
            "--idle-timeout" | "--keepalive" => {
                let v = args.next().ok_or(Bad::Usage)?;
                let v = cli::text(&v).map_err(Bad::Value)?;
                let d = seconds(&a, v).map_err(Bad::Value)?;
                if a == "--idle-timeout" {
                    idle = Some(d);
                } else {
                    keepalive = d;
                }
            }
            _ if is_option(a.as_ref()) => return Err(Bad::Usage),
            _ if place.is_some() => return Err(Bad::Usage),
            _ => place = Some(a),
        }
    }
    // NETPROG_TIME_SCALE multiplies the idle timeout (src/cli.rs); the
    // keep-alive period stays as given: the kernel counts it in whole
    // seconds.
    let idle = idle.map(cli::time_limit).transpose().map_err(Bad::Value)?;
    let addr = listen_addr(place.as_deref(), DEFAULT_PORT)
        .map_err(|e| Bad::Value(e.to_string()))?;
    Ok(Config {
        addr,
        idle,
        keepalive,
    })
}

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
