//! threaded-ip-echo-server: Newmarch, *Socket-level Programming*, the
//! ThreadedIPEchoServer of "The types Conn, PacketConn and Listener".
//!
//! The threaded echo server again, written the "generic" way. In Go
//! that means `net.Listen("tcp", ":1200")` instead of ResolveTCPAddr
//! plus ListenTCP, and a handler that takes the `net.Conn` interface
//! instead of a `*net.TCPConn`. Rust's std has a single TCP listener
//! type, so "generic" shows up in two other places here:
//!
//! - the address may be a host name (`localhost:1200`) handed to the
//!   system resolver, as well as an IPv4 or IPv6 literal, and the
//!   server tries every address the name resolves to, of any family,
//!   until one binds. (Go's Listen takes the first IPv4 address of a
//!   name, or the first address if it has none: `addrs.first(isIPv4)`
//!   in net/dial.go; its documentation advises a literal.)
//! - `handle_client` accepts anything that can `Read + Write`: a TCP
//!   stream, a Unix socket, a TLS stream, an in-memory test double.
//!   Those two traits are Rust's `net.Conn`.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p echo-threaded --bin threaded-ip-echo-server   # 127.0.0.1:1200
//! cargo run -p echo-threaded --bin threaded-ip-echo-server -- '[::1]:1200'
//! cargo run -p echo-threaded --bin threaded-ip-echo-server -- localhost:1200
//! ```
//!
//! A client silent for a minute is closed (`idle_limit` in
//! src/lib.rs: `NETPROG_IDLE_TIMEOUT` sets another limit, and
//! `NETPROG_TIME_SCALE` multiplies it).
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr), a bad value of
//! either variable included.

use echo_threaded::listen::{EMFILE_PAUSE, bind_error, is_out_of_fds};
use echo_threaded::{
    GO_KEEPALIVE, Place, cli, elogln, idle_limit, is_option, is_timeout,
    keep_alive, listen_first, listen_place, logln,
};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::exit;
use std::thread;
use std::time::Duration;

/// The port of the book's ThreadedIPEchoServer listing (":1200").
const DEFAULT_PORT: u16 = 1200;

/// Bytes read per `read(2)`, as in the book.
const BUF_SIZE: usize = 512;

/// Stack reserved per client thread (see threaded-echo-server.rs).
const STACK_SIZE: usize = 64 * 1024;

const USAGE: &str = "usage: threaded-ip-echo-server \
                     [PORT | ADDRESS:PORT | HOST:PORT]  (default 1200)";

fn main() {
    let args = cli::args();
    if args.len() > 1 || args.first().is_some_and(|a| is_option(a)) {
        elogln!("{USAGE}");
        exit(1);
    }
    let arg = args.first().map(|a| cli::text(a)).transpose();
    let place = match arg.and_then(|a| listen_place(a, DEFAULT_PORT)) {
        Ok(p) => p,
        Err(e) => fatal(&e),
    };
    let idle = match idle_limit() {
        Ok(d) => d,
        Err(e) => fatal(&e),
    };
    // ANCHOR: main
    // Go: net.Listen("tcp", service). A name is looked up by the
    // system resolver (getaddrinfo(3)), and each address it gives is
    // tried in turn; the first that binds wins. IPv4 or IPv6 alike.
    let listener = match listen(&place) {
        Ok(l) => l,
        Err(e) => fatal(&e),
    };
    match listener.local_addr() {
        Ok(a) => logln!("listening on {a}"),
        Err(e) => fatal(&format!("reading the bound address: {e}")),
    }

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
        let started = thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || serve(conn, peer, idle));
        if let Err(e) = started {
            elogln!("cannot start a thread: {e} (closed {peer})");
        }
    }
    // ANCHOR_END: main
}

// ANCHOR: serve
/// One client's thread: the socket options, the echo, the log line.
fn serve(conn: TcpStream, peer: SocketAddr, idle: Duration) {
    // Go sets TCP_NODELAY and keep-alive on every connection it
    // accepts (see threaded-echo-server.rs); the idle limit is ours
    // (src/lib.rs). A failure here is harmless: log it.
    let set_up = conn
        .set_nodelay(true)
        .and_then(|()| keep_alive(&conn, GO_KEEPALIVE))
        .and_then(|()| conn.set_read_timeout(Some(idle)))
        .and_then(|()| conn.set_write_timeout(Some(idle)));
    if let Err(e) = set_up {
        elogln!("{peer}: setting socket options: {e}");
    }
    // From here on the handler sees only "something that reads and
    // writes", as Go's handler sees a net.Conn.
    match handle_client(conn) {
        Ok(()) => {}
        Err(e) if is_timeout(&e) => {
            let secs = cli::Secs(idle);
            elogln!("{peer}: idle for more than {secs}, closing");
        }
        Err(e) => elogln!("{peer}: {e}"),
    }
}
// ANCHOR_END: serve

/// The listener for an address, or for the first address of a name
/// that binds. The message names what failed, in listen.rs's words.
fn listen(place: &Place) -> Result<TcpListener, String> {
    let result = match place {
        Place::Addr(a) => listen_first(*a),
        Place::Host(host, port) => listen_first((host.as_str(), *port)),
    };
    result.map_err(|(e, at)| match (at, place) {
        (Some(addr), _) => bind_error(e, addr),
        (None, Place::Host(host, port)) => {
            format!("looking up {host} (to listen on port {port}): {e}")
        }
        (None, Place::Addr(a)) => bind_error(e, *a),
    })
}

// ANCHOR: handle_client
/// Echo until end of file, on any connection-like thing.
///
/// The type parameter `C` is filled in by the compiler at each call
/// (here: `TcpStream`), so there is no cost compared with writing the
/// concrete type. What the handler cannot do is call TCP-only methods
/// such as `set_nodelay`: the book notes the same of Go's interfaces,
/// which hide `SetKeepAlive` unless you convert back to `*TCPConn`.
fn handle_client<C: Read + Write>(mut conn: C) -> io::Result<()> {
    let mut buf = [0u8; BUF_SIZE];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        conn.write_all(&buf[..n])?;
    }
}
// ANCHOR_END: handle_client

/// The book's checkError: `Fatal error: <message>` and exit status 1.
fn fatal(e: &str) -> ! {
    elogln!("Fatal error: {e}");
    exit(1)
}

#[cfg(test)]
#[allow(clippy::expect_used)]
mod tests {
    use super::handle_client;
    use std::io::{Read, Write};
    use std::os::unix::net::UnixStream;

    /// The same handler, unchanged, echoes over a Unix socket pair:
    /// that is what "generic" buys.
    #[test]
    fn the_handler_serves_a_unix_socket_too() {
        let (mut client, server) = UnixStream::pair().expect("socketpair");
        let t = std::thread::spawn(move || handle_client(server).is_ok());
        client.write_all(b"over a unix socket\n").expect("write");
        client
            .shutdown(std::net::Shutdown::Write)
            .expect("half-close");
        let mut back = String::new();
        client.read_to_string(&mut back).expect("read");
        assert_eq!(back, "over a unix socket\n");
        assert!(t.join().expect("thread"));
    }
}
