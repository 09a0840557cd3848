//! udp-echo-server: send every datagram back to whoever sent it.
//!
//! Source: Tsoukalos, *Mastering Go*, "Developing a simple UDP server"
//! (UDPserver). It prints each datagram after `-> `, echoes it to its
//! sender, and stops when a datagram says `STOP`.
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

use anyhow::{Context, Result, anyhow};
use std::net::UdpSocket;
use std::process::exit;
use udp_daytime::{listen_addr, printable};

/// The book's buffer size, and so the largest datagram we echo.
const MAX_DATAGRAM: usize = 1024;

fn main() {
    // ANCHOR: args
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() != 1 {
        // Go printed this on stdout; an error belongs on stderr.
        eprintln!(
            "Please provide a port number! (one argument: PORT or ADDRESS:PORT)"
        );
        exit(100);
    }
    // ANCHOR_END: args
    if let Err(err) = run(&args[0]) {
        // Tsoukalos: print the error, exit status 100.
        eprintln!("{err:#}");
        exit(100);
    }
}

fn run(port: &str) -> Result<()> {
    // ANCHOR: listen
    // Go: net.ResolveUDPAddr("udp", ":"+port) then net.ListenUDP.
    let addr = listen_addr(port)?;
    let connection =
        UdpSocket::bind(addr).map_err(|e| anyhow!("binding to {addr}: {e}"))?;
    let local = connection
        .local_addr()
        .context("reading the bound address")?;
    println!("listening on {local}");
    // ANCHOR_END: listen

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
                eprintln!("udp-echo-server: receiving: {err}");
                continue;
            }
        };
        if n > MAX_DATAGRAM {
            eprintln!(
                "udp-echo-server: {client}: datagram longer than {MAX_DATAGRAM} bytes \
                 dropped, nothing echoed"
            );
            continue;
        }
        let data = &buffer[..n];
        // Go: fmt.Print("-> ", string(buffer[0:n])).
        println!("-> {}", printable(data));
        // Go: connection.WriteToUDP(data, addr); on error it exited.
        // One unreachable client is no reason to stop: log it.
        if let Err(err) = connection.send_to(data, client) {
            eprintln!("udp-echo-server: replying to {client}: {err}");
        }
        // Go: strings.TrimSpace(string(data)) == "STOP".
        if data.trim_ascii() == b"STOP" {
            println!("Exiting UDP server!");
            return Ok(());
        }
    }
    // ANCHOR_END: loop
}
