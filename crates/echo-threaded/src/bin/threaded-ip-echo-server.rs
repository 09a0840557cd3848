//! threaded-ip-echo-server: Newmarch, *Socket-level Programming*, the
//! ThreadedIPEchoServer of "The types Conn, PacketConn and Listener".
//!
//! The threaded echo server again, written the "generic" way. In Go
//! that means `net.Listen("tcp", ":1200")` instead of ResolveTCPAddr
//! plus ListenTCP, and a handler that takes the `net.Conn` interface
//! instead of a `*net.TCPConn`. Rust's std has a single TCP listener
//! type, so "generic" shows up in two other places here:
//!
//! - the address is a string handed to the system resolver: a host
//!   name (`localhost:1200`), an IPv4 or IPv6 literal (`[::]:1200`),
//!   and `bind` tries every address the name resolves to, of any
//!   family, until one works (Go's Listen listens on just one of a
//!   name's addresses, and its documentation advises a literal);
//! - `handle_client` accepts anything that can `Read + Write`: a TCP
//!   stream, a Unix socket, a TLS stream, an in-memory test double.
//!   Those two traits are Rust's `net.Conn`.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p echo-threaded --bin threaded-ip-echo-server             # 127.0.0.1:1200
//! cargo run -p echo-threaded --bin threaded-ip-echo-server -- '[::1]:1200'
//! cargo run -p echo-threaded --bin threaded-ip-echo-server -- localhost:1200
//! ```
//!
//! Exit status: it serves until killed; 1 when it cannot start
//! (`Fatal error: ...` or the usage line on stderr).

use anyhow::{Context, anyhow};
use echo_threaded::{ACCEPT_BACKOFF, is_out_of_descriptors, listen_service};
use std::io::{self, Read, Write};
use std::net::TcpListener;
use std::process::exit;
use std::thread;

/// The port of the book's ThreadedIPEchoServer listing (":1200").
const DEFAULT_PORT: u16 = 1200;

/// Bytes read per `read(2)`, as in the book.
const BUF_SIZE: usize = 512;

/// Stack reserved per client thread (see threaded-echo-server.rs).
const STACK_SIZE: usize = 64 * 1024;

const USAGE: &str =
    "usage: threaded-ip-echo-server [PORT | HOST:PORT]  (default 1200)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 1 || args.first().is_some_and(|a| a.starts_with('-')) {
        eprintln!("{USAGE}");
        exit(1);
    }
    // ANCHOR: main
    let service =
        listen_service(args.first().map(String::as_str), DEFAULT_PORT);
    // Go: net.Listen("tcp", service). Given a &str, bind() asks the
    // system resolver (getaddrinfo(3)) for the addresses and tries each
    // in turn; the first that binds wins. IPv4 or IPv6 alike.
    let listener = match TcpListener::bind(service.as_str()) {
        Ok(l) => l,
        Err(e) => fatal(
            anyhow!(e)
                .context(format!("binding {service} (give PORT or HOST:PORT)")),
        ),
    };
    match listener.local_addr() {
        Ok(a) => println!("listening on {a}"),
        Err(e) => fatal(anyhow!(e).context("reading the bound address")),
    }

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
        // Go sets TCP_NODELAY on every connection; Rust does not (see
        // threaded-echo-server.rs). An error here is harmless: log it.
        if let Err(e) = conn.set_nodelay(true) {
            eprintln!("{peer}: setting TCP_NODELAY: {e}");
        }
        let started =
            thread::Builder::new()
                .stack_size(STACK_SIZE)
                .spawn(move || {
                    // From here on the handler sees only "something that
                    // reads and writes", as Go's handler sees a net.Conn.
                    if let Err(e) = handle_client(conn) {
                        eprintln!("{peer}: {e:#}");
                    }
                });
        if let Err(e) = started {
            eprintln!("{peer}: cannot start a thread, closing: {e}");
        }
    }
    // ANCHOR_END: main
}

// ANCHOR: handle_client
/// Echo until end of file, on any connection-like thing.
///
/// The type parameter `C` is filled in by the compiler at each call
/// (here: `TcpStream`), so there is no cost compared with writing the
/// concrete type. What the handler cannot do is call TCP-only methods
/// such as `set_nodelay`: the book notes the same of Go's interfaces,
/// which hide `SetKeepAlive` unless you convert back to `*TCPConn`.
fn handle_client<C: Read + Write>(mut conn: C) -> anyhow::Result<()> {
    let mut buf = [0u8; BUF_SIZE];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading"),
        };
        conn.write_all(&buf[..n]).context("writing")?;
    }
}
// ANCHOR_END: handle_client

/// The book's checkError: `Fatal error: <message>` and exit status 1.
fn fatal(e: anyhow::Error) -> ! {
    eprintln!("Fatal error: {e:#}");
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
