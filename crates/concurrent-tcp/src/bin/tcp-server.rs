//! tcp-server: a TCP echo server that serves exactly one client.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, section
//! "Developing a simple TCP server" (TCPserver.go).
//!
//! It accepts the first client, prints every line it receives as
//! `-> LINE`, sends the line back, and stops (the whole server) when
//! the line is `STOP`. It is the simplest server there is: no loop
//! around `accept`, no threads. conc-tcp is the version that serves
//! many clients.
//!
//! Run it:
//!
//! ```text
//! cargo run -p concurrent-tcp --bin tcp-server -- 1234
//! ```
//!
//! then, in another terminal, `nc 127.0.0.1 1234` or
//! `cargo run -p concurrent-tcp --bin tcp-client -- 127.0.0.1:1234`.
//!
//! A line longer than 64 KiB is refused, and the client given a
//! second to stop sending before the connection is closed
//! (`say_goodbye` in src/lib.rs; `NETPROG_TIME_SCALE` multiplies it).
//!
//! Exit status: 0 after STOP; 100 for a bad argument or
//! `NETPROG_TIME_SCALE`, a port that cannot be bound, or a client
//! that leaves without STOP (the Go program exits 100 there too).

use anyhow::Context;
use concurrent_tcp::listen::{bind_error, listen_addr};
use concurrent_tcp::{
    DEFAULT_PORT, DRAIN_TIME, LineRead, MAX_LINE, READ_BUF, cli, elogln,
    is_stop, log_received, logln, read_line, say_goodbye,
};
use std::ffi::OsString;
use std::io::{BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::time::Duration;

const USAGE: &str = "usage: tcp-server [PORT | ADDRESS]";

fn main() {
    // Go: arguments := os.Args. The Go program requires the port; here
    // it is optional and defaults to 1234, the port of the book's runs.
    if let Err(e) = run(&cli::args()) {
        // Tsoukalos' programs print the error and exit with status 100.
        elogln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: main
fn run(args: &[OsString]) -> anyhow::Result<()> {
    if args.len() > 1 {
        anyhow::bail!("too many arguments. {USAGE}");
    }
    // The drain of a refused line, scaled by NETPROG_TIME_SCALE.
    let drain = cli::time_limit(DRAIN_TIME).map_err(anyhow::Error::msg)?;
    let arg = args.first().map(|a| cli::text(a)).transpose();
    let addr = listen_addr(arg.map_err(anyhow::Error::msg)?, DEFAULT_PORT)?;

    // Go: l, err := net.Listen("tcp", PORT); defer l.Close()
    // bind(2) claims the port, listen(2) lets the kernel complete
    // handshakes for us. The listener is closed when `l` is dropped,
    // at the end of this function: Rust's answer to `defer l.Close()`.
    let l = TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!(bind_error(e, addr)))?;
    let local = l.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");

    // Go: c, err := l.Accept(). Just once: this server has one client.
    let (c, _peer) = l.accept().context("accepting a client")?;

    echo_until_stop(&c, drain)?;
    logln!("Exiting TCP server!");
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: echo
/// Echo lines back to the client until it sends STOP.
fn echo_until_stop(c: &TcpStream, drain: Duration) -> anyhow::Result<()> {
    // One BufReader for the whole conversation, made before the loop.
    // The Go program calls bufio.NewReader(c) inside the loop, so a
    // second line that arrived together with the first (in the same
    // TCP segment) is read into a reader that is then thrown away.
    let mut reader = BufReader::with_capacity(READ_BUF, c);
    let mut line = Vec::new();
    let mut writer = c;
    loop {
        // Go: netData, err := bufio.NewReader(c).ReadString('\n')
        let got = read_line(&mut reader, &mut line, MAX_LINE)
            .context("reading from the client")?;
        match got {
            LineRead::Line | LineRead::Unterminated => {}
            LineRead::Eof => {
                anyhow::bail!("the client left without sending STOP")
            }
            LineRead::TooLong => {
                let msg = format!(
                    "line longer than {MAX_LINE} bytes: closing the \
                     connection\n"
                );
                say_goodbye(c, &msg, drain).context("refusing a long line")?;
                anyhow::bail!(
                    "the client sent a line longer than {MAX_LINE} bytes"
                );
            }
        }
        // Go: fmt.Print("-> ", string(netData)); c.Write([]byte(netData))
        log_received("-> ", &line);
        writer.write_all(&line).context("sending the line back")?;
        // Go: if strings.TrimSpace(string(netData)) == "STOP"
        if is_stop(&line) {
            return Ok(());
        }
        if got == LineRead::Unterminated {
            // A last line without a newline, then the end: answered,
            // but it was not STOP.
            anyhow::bail!("the client left without sending STOP");
        }
    }
}
// ANCHOR_END: echo
