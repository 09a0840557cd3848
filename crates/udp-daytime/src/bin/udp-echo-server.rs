//! udp-echo-server: send every datagram back to whoever sent it.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, "Developing
//! a simple UDP server" (UDPserver). It prints each datagram after
//! `-> `, echoes it to its sender, and stops when a datagram says
//! `STOP`.
//!
//! It demonstrates ReadFromUDP/WriteToUDP: one socket, many senders,
//! and the sender's address arriving with every datagram. It also
//! shows how a datagram longer than the buffer is caught instead of
//! being cut short in silence.
//!
//! Run it (the port is required, as in the book; a bare port means
//! 127.0.0.1, `0` picks a free port):
//!
//! ```sh
//! cargo run -p udp-daytime --bin udp-echo-server -- 1234
//! ```
//!
//! Exit status: 0 after `STOP`; 100 when it cannot start (as the
//! book's), with one line on stderr.

use anyhow::{Context, Result, anyhow};
use std::net::UdpSocket;
use std::process::exit;
use udp_daytime::listen::{bind_error, listen_addr};
use udp_daytime::{cli, elogln, logln, printable};

// ANCHOR: limits
/// The book's buffer size, and so the largest datagram we echo.
const MAX_DATAGRAM: usize = 1024;
// ANCHOR_END: limits

fn main() {
    // ANCHOR: args
    let args = cli::args();
    if args.len() != 1 {
        // Go printed this on stdout; an error belongs on stderr.
        elogln!(
            "Please provide a port number! (one argument: PORT or \
             ADDRESS:PORT)"
        );
        exit(100);
    }
    // ANCHOR_END: args
    let result = cli::text(&args[0]).map_err(|e| anyhow!(e)).and_then(run);
    if let Err(err) = result {
        // Tsoukalos: print the error, exit status 100.
        elogln!("{err:#}");
        exit(100);
    }
}

fn run(port: &str) -> Result<()> {
    // Go: net.ResolveUDPAddr("udp", ":"+port) then net.ListenUDP. The
    // port is required, so listen_addr's default port is never used.
    let addr = listen_addr(Some(port), 0)?;
    let connection =
        UdpSocket::bind(addr).map_err(|e| anyhow!(bind_error(e, addr)))?;
    let local = connection
        .local_addr()
        .context("reading the bound address")?;
    logln!("listening on {local}");

    // ANCHOR: loop
    // One byte more than we accept: a datagram that fills all of it
    // was longer than MAX_DATAGRAM, and recv_from has cut it (the
    // rest is gone). Echoing the cut copy would be a silent lie.
    let mut buffer = [0u8; MAX_DATAGRAM + 1];
    loop {
        let (n, client) = match connection.recv_from(&mut buffer) {
            Ok(got) => got,
            Err(err) => {
                // Go ignored this error and went on to write to a nil
                // address, which failed and ended the server.
                elogln!("udp-echo-server: receiving: {err}");
                continue;
            }
        };
        if n > MAX_DATAGRAM {
            elogln!(
                "udp-echo-server: {client}: over {MAX_DATAGRAM} bytes: \
                 dropped, not echoed"
            );
            continue;
        }
        let data = &buffer[..n];
        // Go: fmt.Print("-> ", string(buffer[0:n])). logln! ignores a
        // failed write: `udp-echo-server 1234 | head -1` loses the
        // log, not the server.
        logln!("-> {}", printable(data));
        // Go: connection.WriteToUDP(data, addr); on error it exited.
        // One bad sender (a forged address, port 0) is no reason to
        // stop: log it.
        if let Err(err) = connection.send_to(data, client) {
            elogln!("udp-echo-server: replying to {client}: {err}");
        }
        // Go: strings.TrimSpace(string(data)) == "STOP". trim_ascii
        // takes off ASCII blanks; TrimSpace also takes \v and Unicode
        // spaces (U+0085, U+00A0, ...), a difference no client meets.
        if data.trim_ascii() == b"STOP" {
            logln!("Exiting UDP server!");
            return Ok(());
        }
    }
    // ANCHOR_END: loop
}
