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
//! cargo run -p udp-daytime --bin udp-daytime-server -- [PORT | ADDRESS:PORT]
//! ```
//!
//! and ask it with `cargo run -p udp-daytime --bin udp-daytime-client
//! -- localhost:1200` or `echo | nc -u -w1 localhost 1200`.

use anyhow::{Context, Result, anyhow};
use std::io::ErrorKind;
use std::net::UdpSocket;
use std::process::exit;
use udp_daytime::{DaytimeClock, listen_addr};

/// The book's port (RFC 867's is 13, which needs root).
const DEFAULT_PORT: &str = "1200";

/// The book's buffer. A request's content is ignored, so a longer
/// datagram being cut to this size changes nothing: the kernel drops
/// the rest, and we answer as for any other request.
const REQUEST_BUFFER: usize = 512;

const USAGE: &str = "Usage: udp-daytime-server [PORT | ADDRESS:PORT]";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("{USAGE}");
        return;
    }
    if args.len() > 1 {
        eprintln!("{USAGE}");
        exit(1);
    }
    let service = args.first().map_or(DEFAULT_PORT, String::as_str);
    if let Err(err) = run(service) {
        // Go's checkError: `Fatal error: ...`, exit status 1.
        eprintln!("Fatal error: {err:#}");
        exit(1);
    }
}

fn run(service: &str) -> Result<()> {
    // ANCHOR: listen
    // Go: net.ResolveUDPAddr("udp4", ":1200") then net.ListenUDP.
    // bind() gives the socket its port; from then on the kernel
    // queues every datagram sent to that port in the socket's receive
    // buffer (and drops new ones while that buffer is full).
    let addr = listen_addr(service)?;
    let socket = UdpSocket::bind(addr).map_err(|e| {
        let hint = match e.kind() {
            ErrorKind::AddrInUse => "; another program uses that UDP port",
            ErrorKind::PermissionDenied => "; ports below 1024 need root",
            ErrorKind::AddrNotAvailable => {
                "; no interface of this machine has that address"
            }
            _ => "",
        };
        anyhow!("binding to {addr}: {e}{hint}")
    })?;
    let local = socket.local_addr().context("reading the bound address")?;
    println!("listening on {local}");
    // ANCHOR_END: listen

    // ANCHOR: loop
    // One buffer and one formatted line, reused for every request:
    // nothing is allocated per datagram.
    let mut buf = [0u8; REQUEST_BUFFER];
    let mut clock = DaytimeClock::new();
    loop {
        // Go: for { handleClient(conn) }. A failure is about one
        // datagram only: log it and wait for the next.
        if let Err(err) = handle_client(&socket, &mut buf, &mut clock) {
            eprintln!("udp-daytime-server: {err:#}");
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
    // does not wait for anything: if the client has gone, the ICMP
    // error that comes back is not reported to an unconnected socket.
    // Go: conn.WriteToUDP([]byte(daytime), addr).
    socket
        .send_to(reply, client)
        .with_context(|| format!("replying to {client}"))?;
    Ok(())
}
// ANCHOR_END: handle_client
