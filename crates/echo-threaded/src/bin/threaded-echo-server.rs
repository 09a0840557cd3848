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
//! - `--keepalive SECS`: turn on TCP keep-alive; after SECS idle
//!   seconds the kernel probes the peer every SECS seconds.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p echo-threaded                          # 127.0.0.1:1201
//! cargo run -p echo-threaded -- --idle-timeout 30 0.0.0.0:1201
//! cargo run -p echo-threaded -- --keepalive 10
//! ```
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr).

use anyhow::{Context, Result, anyhow};
use echo_threaded::{
    ACCEPT_BACKOFF, is_out_of_descriptors, is_timeout, listen_addr_v4, seconds,
};
use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, SocketAddrV4, TcpListener, TcpStream};
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
/// address space. (Go starts a goroutine with an 8 KiB stack that
/// grows on demand; a thread's stack cannot grow past this size.)
const STACK_SIZE: usize = 64 * 1024;

/// How many connections the kernel may hold, handshake done, waiting
/// for `accept` (see `listen` below). The kernel caps it at
/// `net.core.somaxconn` (4096 on current Linux).
const BACKLOG: i32 = 4096;

const USAGE: &str = "usage: threaded-echo-server [--idle-timeout SECS] [--keepalive SECS] \
                     [PORT | IPV4:PORT]  (default 1201)";

/// What the command line asked for.
#[derive(Clone, Copy)]
struct Config {
    addr: SocketAddrV4,
    /// Close a client after this long without progress.
    idle: Option<Duration>,
    /// Turn on keep-alive probes after this long idle.
    keepalive: Option<Duration>,
}

fn main() {
    let cfg = match parse_args(std::env::args().skip(1)) {
        Ok(c) => c,
        Err(Bad::Usage) => {
            eprintln!("{USAGE}");
            exit(1)
        }
        Err(Bad::Value(e)) => fatal(anyhow!(e)),
    };
    // ANCHOR: main
    // Go: ResolveTCPAddr("tcp4", ":1201") then ListenTCP. Note: the
    // book's listing says "ip4", which today's Go rejects.
    let listener = match listen(cfg.addr) {
        Ok(l) => l,
        Err(e) => fatal(anyhow!(e).context(format!("binding {}", cfg.addr))),
    };
    announce(&listener);

    loop {
        let (conn, peer) = match listener.accept() {
            Ok(c) => c,
            Err(e) => {
                eprintln!("accepting a connection: {e}");
                if is_out_of_descriptors(&e) {
                    thread::sleep(ACCEPT_BACKOFF);
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
            eprintln!("{peer}: cannot start a thread, closing: {e}");
        }
    }
    // ANCHOR_END: main
}

// ANCHOR: listen
/// socket(2), bind(2) and listen(2), as `TcpListener::bind` does, but
/// with a longer queue of connections waiting for `accept`.
///
/// `TcpListener::bind` asks for a backlog of 128. When many clients
/// connect at once (try 10,000), the queue overflows, the kernel drops
/// the extra SYNs, and those clients retry only after 1 s, 3 s, 7 s...
/// Go asks for `net.core.somaxconn`; so do we, through socket2.
fn listen(addr: SocketAddrV4) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::IPV4, Type::STREAM, Some(Protocol::TCP))?;
    // SO_REUSEADDR: bind even while old connections on this port are
    // in TIME_WAIT (std and Go set it too), so a restart works at once.
    socket.set_reuse_address(true)?;
    socket.bind(&SocketAddr::V4(addr).into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}
// ANCHOR_END: listen

// ANCHOR: handle_client
/// One client's thread: set the socket up, echo, log how it ended.
/// The socket is closed when `conn` goes out of scope (Go: `defer
/// conn.Close()`), whichever way the echo ended.
fn handle_client(conn: TcpStream, peer: SocketAddr, cfg: Config) {
    if let Err(e) = set_up(&conn, cfg) {
        eprintln!("{peer}: {e:#}");
        return;
    }
    match echo(conn) {
        Ok(()) => {}
        Err(e) if is_timeout(&e) => {
            let secs = cfg.idle.map_or(0, |d| d.as_secs());
            eprintln!("{peer}: idle for more than {secs} s, closing");
        }
        Err(e) => eprintln!("{peer}: {e}"),
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
    // earlier one is unacknowledged, and the peer may delay its ACK by
    // up to 40 ms hoping to piggy-back it: an echo whose reply is split
    // in two writes would stall. We write each chunk once, as soon as
    // it is read, so there is nothing to gain from waiting. Go sets
    // TCP_NODELAY on every TCP connection by default; Rust's std leaves
    // the kernel's default (Nagle on), so we ask.
    conn.set_nodelay(true).context("setting TCP_NODELAY")?;

    // Go (today): conn.SetReadDeadline(time.Now().Add(d)) before each
    // read. Rust: SO_RCVTIMEO, a timeout that applies to EACH read, so
    // it is an idle timeout without re-arming. The write timeout
    // catches a client that never reads our echo.
    if let Some(d) = cfg.idle {
        conn.set_read_timeout(Some(d))
            .context("setting SO_RCVTIMEO")?;
        conn.set_write_timeout(Some(d))
            .context("setting SO_SNDTIMEO")?;
    }

    // Go: tcpConn.SetKeepAlive(true) and SetKeepAlivePeriod(d). std
    // has no keep-alive call; socket2 reaches setsockopt(2) on our
    // socket: SO_KEEPALIVE, TCP_KEEPIDLE and TCP_KEEPINTVL.
    if let Some(d) = cfg.keepalive {
        let ka = TcpKeepalive::new().with_time(d).with_interval(d);
        SockRef::from(conn)
            .set_tcp_keepalive(&ka)
            .context("turning on TCP keep-alive")?;
    }
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

/// `[--idle-timeout SECS] [--keepalive SECS] [PORT | IPV4:PORT]`
fn parse_args(args: impl Iterator<Item = String>) -> Result<Config, Bad> {
    let mut idle = None;
    let mut keepalive = None;
    let mut place = None;
    let mut args = args.peekable();
    while let Some(a) = args.next() {
        match a.as_str() {
            "--idle-timeout" | "--keepalive" => {
                let v = args.next().ok_or(Bad::Usage)?;
                let d = seconds(&a, &v).map_err(Bad::Value)?;
                if a == "--idle-timeout" {
                    idle = Some(d);
                } else {
                    keepalive = Some(d);
                }
            }
            s if s.starts_with('-') => return Err(Bad::Usage),
            _ if place.is_some() => return Err(Bad::Usage),
            _ => place = Some(a),
        }
    }
    let addr =
        listen_addr_v4(place.as_deref(), DEFAULT_PORT).map_err(Bad::Value)?;
    Ok(Config {
        addr,
        idle,
        keepalive,
    })
}

/// The first line of output, which tests and scripts wait for.
fn announce(listener: &TcpListener) {
    match listener.local_addr() {
        Ok(a) => println!("listening on {a}"),
        Err(e) => fatal(anyhow!(e).context("reading the bound address")),
    }
}

/// The book's checkError: `Fatal error: <message>` and exit status 1.
fn fatal(e: anyhow::Error) -> ! {
    eprintln!("Fatal error: {e:#}");
    exit(1)
}
