//! udp-echo-client: send one datagram to an echo server, print the reply.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, "Developing
//! a simple UDP client" (UDPclient). It connects a UDP socket to the
//! server, sends `Hello UDP Echo server!`, and prints what comes back.
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
//!
//! Exit status: 0 with the reply printed; 100 for every error (as the
//! book's), a bad `NETPROG_TIME_SCALE` too, with one line on stderr;
//! 141 when stdout is closed.

use anyhow::{Context, Result, anyhow, bail};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::exit;
use std::time::Duration;
use udp_daytime::{REPLY_TIMEOUT, cli, printable, recv_error, resolve};
use udp_daytime::{elogln, outln};

// ANCHOR: limits
/// The book's buffer size: the longest reply we accept.
const MAX_DATAGRAM: usize = 1024;
// ANCHOR_END: limits

fn main() {
    let args = cli::args();
    if args.len() != 1 {
        // Go printed this on stdout; an error belongs on stderr.
        elogln!("Please provide a host:port string");
        exit(100);
    }
    // How long to wait for the reply, read once before any socket:
    // REPLY_TIMEOUT, or a fraction of it when NETPROG_TIME_SCALE says
    // so (cli.rs; the tests do).
    let limit = match cli::time_limit(REPLY_TIMEOUT) {
        Ok(limit) => limit,
        Err(e) => {
            elogln!("{e}");
            exit(100);
        }
    };
    let result = cli::text(&args[0])
        .map_err(|e| anyhow!(e))
        .and_then(|connect| run(connect, limit));
    if let Err(err) = result {
        // Tsoukalos: print the error, exit status 100.
        elogln!("{err:#}");
        exit(100);
    }
}

fn run(connect: &str, limit: Duration) -> Result<()> {
    // ANCHOR: dial
    // Go: s, err := net.ResolveUDPAddr("udp", CONNECT) and then
    // c, err := net.DialUDP("udp", nil, s), which overwrites the first
    // err: a bad address is reported as `dial udp: missing address`.
    let server = resolve(connect)?;
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let c = UdpSocket::bind(local).context("opening a UDP socket")?;
    c.connect(server)
        .with_context(|| format!("connecting to {server}"))?;
    c.set_read_timeout(Some(limit))
        .context("setting the read timeout")?;
    outln!("The UDP server is {}", c.peer_addr()?);
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
        .map_err(|e| recv_error(e, server, "the echo", limit))?;
    if n > MAX_DATAGRAM {
        bail!(
            "{server}: reply over {MAX_DATAGRAM} bytes: the rest was cut off"
        );
    }
    // Go: fmt.Print("Reply: ", string(buffer[:n])).
    outln!("Reply: {}", printable(&buffer[..n]));
    // ANCHOR_END: exchange
    Ok(())
}
