//! udp-daytime-client: ask a UDP daytime server for the time.
//!
//! Source: Newmarch, *Socket-level Programming*, "UDP Datagrams"
//! (UDPDaytimeClient). The TCP client with its TCP calls turned into
//! UDP ones: "dial" a connected UDP socket, send any datagram as the
//! request, read one datagram back, print it.
//!
//! It demonstrates what a connected UDP socket is (a default peer and
//! a filter, no handshake), and what a client must do that TCP did
//! for it: decide how long to wait for a reply that may never come.
//!
//! Run it against udp-daytime-server:
//!
//! ```sh
//! cargo run -p udp-daytime --bin udp-daytime-client -- localhost:1200
//! ```
//!
//! Exit status: 0 with the time printed; 1 for every error (Go's
//! checkError), a bad `NETPROG_TIME_SCALE` too, with one line on
//! stderr; 141 when stdout is closed.

use anyhow::{Context, Result, anyhow, bail};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::exit;
use std::time::Duration;
use udp_daytime::{REPLY_TIMEOUT, cli, printable, recv_error, resolve};
use udp_daytime::{elogln, outln};

// ANCHOR: limits
/// The book's buffer for the reply. A daytime reply is about 30 bytes.
const MAX_REPLY: usize = 512;
// ANCHOR_END: limits

const USAGE: &str = "Usage: udp-daytime-client host:port";

fn main() {
    let args = cli::args();
    if args.len() != 1 {
        elogln!("{USAGE}");
        exit(1);
    }
    // How long to wait for the reply, read once before any socket:
    // REPLY_TIMEOUT, or a fraction of it when NETPROG_TIME_SCALE says
    // so (cli.rs; the tests do).
    let limit = match cli::time_limit(REPLY_TIMEOUT) {
        Ok(limit) => limit,
        Err(e) => {
            elogln!("Fatal error: {e}");
            exit(1);
        }
    };
    let result = cli::text(&args[0])
        .map_err(|e| anyhow!(e))
        .and_then(|service| run(service, limit));
    if let Err(err) = result {
        // Go printed `Fatal error %!(EXTRA string=...)` here: its
        // format string had no %s. This is the message it meant.
        elogln!("Fatal error: {err:#}");
        exit(1);
    }
}

fn run(service: &str, limit: Duration) -> Result<()> {
    // Go: net.ResolveUDPAddr("udp4", service), net.DialUDP("udp", ...).
    let server = resolve(service)?;
    let socket = dial_udp(server, limit)?;

    // ANCHOR: request
    // The request: any datagram will do. Go sent "anything"; so do
    // we. send() on a connected socket goes to the connected peer.
    socket
        .send(b"anything")
        .with_context(|| format!("sending the request to {server}"))?;
    // ANCHOR_END: request

    // ANCHOR: reply
    // recv() takes one datagram. One byte more than MAX_REPLY in the
    // buffer lets us see that a datagram was longer than we accept:
    // the kernel would cut it to the buffer's size without a word.
    let mut buf = [0u8; MAX_REPLY + 1];
    let n = socket
        .recv(&mut buf)
        .map_err(|e| recv_error(e, server, "the time", limit))?;
    if n > MAX_REPLY {
        bail!("{server}: reply over {MAX_REPLY} bytes: not a daytime server");
    }
    // ANCHOR_END: reply

    // Go: fmt.Println(string(buf[0:n])). Our server ends its line
    // with CR LF and Go's sends none: printable drops one line end,
    // and shows control bytes as escapes, so that whoever answers
    // cannot write to our terminal; outln! adds "\n", and ends the
    // program (status 141) if stdout is closed.
    outln!("{}", printable(&buf[..n]));
    Ok(())
}

// ANCHOR: dial_udp
/// Go's DialUDP: a UDP socket on any local port, connected to `server`,
/// whose receives wait at most `limit`.
fn dial_udp(server: SocketAddr, limit: Duration) -> Result<UdpSocket> {
    // Port 0: the kernel picks a free local port for us.
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local).context("opening a UDP socket")?;
    // connect() on UDP sends nothing: it records the peer, so that
    // send() needs no address, the kernel gives us datagrams from
    // that address and port only, and ICMP errors about our datagrams
    // are reported to us.
    socket
        .connect(server)
        .with_context(|| format!("connecting to {server}"))?;
    // SO_RCVTIMEO: recv() gives up after this long. (Go has no such
    // option: SetReadDeadline sets a point in time that its runtime
    // watches. The book's client sets none and can wait for ever.)
    socket
        .set_read_timeout(Some(limit))
        .context("setting the read timeout")?;
    Ok(socket)
}
// ANCHOR_END: dial_udp
