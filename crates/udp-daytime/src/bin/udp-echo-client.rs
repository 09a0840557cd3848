//! udp-echo-client: send one datagram to an echo server, print the reply.
//!
//! Source: Tsoukalos, *Mastering Go*, "Developing a simple UDP client"
//! (UDPclient). It connects a UDP socket to the server, sends
//! `Hello UDP Echo server!`, and prints what comes back.
//!
//! It demonstrates a connected UDP client, and why it needs a timeout
//! and must look at the error of its read: the book's version prints
//! an empty `Reply:` when no server is there.
//!
//! Run it against udp-echo-server:
//!
//! ```sh
//! cargo run -p udp-daytime --bin udp-echo-client -- localhost:1234
//! ```

use anyhow::{Context, Result, bail};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::exit;
use udp_daytime::{REPLY_TIMEOUT, printable, recv_error, resolve};

/// The book's buffer size: the longest reply we accept.
const MAX_DATAGRAM: usize = 1024;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 1 {
        // Go printed this on stdout; an error belongs on stderr.
        eprintln!("Please provide a host:port string");
        exit(100);
    }
    if let Err(err) = run(&args[0]) {
        // Tsoukalos: print the error, exit status 100.
        eprintln!("{err:#}");
        exit(100);
    }
}

fn run(connect: &str) -> Result<()> {
    // ANCHOR: dial
    // Go: net.ResolveUDPAddr("udp", CONNECT), net.DialUDP("udp", nil, s).
    // (Go threw away the first error; a bad address failed later.)
    let server = resolve(connect)?;
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let c = UdpSocket::bind(local).context("opening a UDP socket")?;
    c.connect(server)
        .with_context(|| format!("connecting to {server}"))?;
    c.set_read_timeout(Some(REPLY_TIMEOUT))
        .context("setting the read timeout")?;
    println!("The UDP server is {}", c.peer_addr()?);
    // ANCHOR_END: dial

    // ANCHOR: exchange
    let data = b"Hello UDP Echo server!\n";
    c.send(data)
        .with_context(|| format!("sending to {server}"))?;

    // Go: c.ReadFromUDP(buffer), error ignored. Here the error is the
    // answer to "is anybody there?": refused, or no reply in time.
    let mut buffer = [0u8; MAX_DATAGRAM + 1];
    let n = c
        .recv(&mut buffer)
        .map_err(|e| recv_error(e, server, "the echo"))?;
    if n > MAX_DATAGRAM {
        bail!(
            "the reply from {server} is longer than {MAX_DATAGRAM} bytes; the rest was cut off"
        );
    }
    // Go: fmt.Print("Reply: ", string(buffer[:n])).
    println!("Reply: {}", printable(&buffer[..n]));
    // ANCHOR_END: exchange
    Ok(())
}
