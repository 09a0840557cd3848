//! udp-daytime-server: the RFC 867 daytime service over UDP.
//!
//! Source: Newmarch, *Socket-level Programming*, "UDP Datagrams"
//! (UDPDaytimeServer). Every datagram that arrives is a request,
//! whatever it holds; the answer is one datagram with the local time,
//! sent back to the address the request came from.
//!
//! It demonstrates a connectionless server: no listen, no accept, no
//! socket per client. One socket receives from everybody, and each
//! datagram carries its sender's address with it.
//!
//! Run it (port 1200 on 127.0.0.1 by default; `0` picks a free port):
//!
//! ```sh
//! cargo run -p udp-daytime --bin udp-daytime-server -- [PORT | ADDR:PORT]
//! ```
//!
//! and ask it with `cargo run -p udp-daytime --bin udp-daytime-client
//! -- localhost:1200` or `echo | nc -u -w1 localhost 1200`.
//!
//! Exit status: 1 when it cannot start (Go's checkError); a running
//! server only stops when it is killed.

use anyhow::{Context, Result, anyhow};
use std::net::UdpSocket;
use std::process::exit;
use udp_daytime::listen::{bind_error, listen_addr};
use udp_daytime::{DaytimeClock, cli, elogln, logln, outln};

// ANCHOR: limits
/// The book's port. RFC 867's is 13, and Linux lets only a process
/// with CAP_NET_BIND_SERVICE bind a port below 1024 (below
/// net.ipv4.ip_unprivileged_port_start, to be exact).
const DEFAULT_PORT: u16 = 1200;

/// The book's buffer. A request's content is ignored, so a longer
/// datagram being cut to this size changes nothing: the kernel drops
/// the rest, and we answer as for any other request.
const REQUEST_BUFFER: usize = 512;
// ANCHOR_END: limits

const USAGE: &str = "Usage: udp-daytime-server [PORT | ADDRESS:PORT]";

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
    if let Err(err) = run(args.first().map(|a| a.as_os_str())) {
        // Go's checkError: `Fatal error ...`, exit status 1.
        elogln!("Fatal error: {err:#}");
        exit(1);
    }
}

fn run(arg: Option<&std::ffi::OsStr>) -> Result<()> {
    // ANCHOR: listen
    // Go: net.ResolveUDPAddr("udp4", ":1200") then net.ListenUDP. A
    // bare port means 127.0.0.1 here (see listen.rs); Go's ":1200"
    // listens on every address, IPv4 and IPv6.
    let arg = arg.map(cli::text).transpose().map_err(|e| anyhow!(e))?;
    let addr = listen_addr(arg, DEFAULT_PORT)?;
    // bind() gives the socket its port; from then on the kernel
    // queues every datagram sent to that port in the socket's receive
    // buffer (and drops new ones while that buffer is full).
    let socket =
        UdpSocket::bind(addr).map_err(|e| anyhow!(bind_error(e, addr)))?;
    let local = socket.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");
    // ANCHOR_END: listen

    // ANCHOR: loop
    // One buffer and one formatted line, reused for every request:
    // nothing is allocated per datagram.
    let mut buf = [0u8; REQUEST_BUFFER];
    let mut clock = DaytimeClock::new();
    loop {
        // Go: for { handleClient(conn) }. A failure is about one
        // datagram only: log it and wait for the next. elogln! ignores
        // a failed write, so a closed stderr cannot stop the server.
        if let Err(err) = handle_client(&socket, &mut buf, &mut clock) {
            elogln!("udp-daytime-server: {err:#}");
        }
    }
    // ANCHOR_END: loop
}

// ANCHOR: handle_client
/// Wait for one datagram and answer it with the time.
fn handle_client(
    socket: &UdpSocket,
    buf: &mut [u8],
    clock: &mut DaytimeClock,
) -> Result<()> {
    // recvfrom(2): blocks until a datagram is queued, copies up to
    // buf.len() bytes of it and says who sent it. An empty datagram
    // is a request too (n == 0). Go: conn.ReadFromUDP(buf[0:]).
    let (_n, client) = socket.recv_from(buf).context("receiving a request")?;
    let reply = clock.reply_now().context("formatting the time")?;
    // sendto(2): one datagram to the sender's address and port. It
    // waits for no answer: if the client has gone, the ICMP error that
    // comes back is not reported to an unconnected socket. It can
    // fail at once, though: a forged request "from" port 0 makes
    // sendto fail with EINVAL. Go: conn.WriteToUDP([]byte(daytime),
    // addr), whose error the book ignores.
    socket
        .send_to(reply, client)
        .with_context(|| format!("replying to {client}"))?;
    Ok(())
}
// ANCHOR_END: handle_client
