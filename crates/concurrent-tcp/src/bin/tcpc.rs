//! tcpc: a TCP client that sends one fixed message and prints the one
//! answer it reads.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, section "Using
//! alternative functions for the TCP client" (TCPc.go).
//!
//! It sends `Hello from TCP client!` and a newline, prints it as
//! `-> ...`, then reads once (up to 1024 bytes) and prints what came
//! back as `>> ...`. Where TCPclient uses `net.Dial`, TCPc resolves the
//! address first (`net.ResolveTCPAddr`) and then connects to it
//! (`net.DialTCP`); this program takes the same two steps.
//!
//! Run it (with tcps, tcp-server or conc-tcp listening on port 1234):
//!
//! ```text
//! cargo run -p concurrent-tcp --bin tcpc -- 127.0.0.1:1234
//! ```
//!
//! Timeouts: 5 s for the connection, 5 s for the answer;
//! `NETPROG_TIME_SCALE` multiplies both (src/cli.rs).
//! Exit status: 0 when an answer was printed; 100 for a bad argument
//! or `NETPROG_TIME_SCALE`, a failed lookup or connection, a timeout,
//! or no answer at all.

use anyhow::Context;
use concurrent_tcp::{
    CONNECT_TIMEOUT, READ_TIMEOUT, cli, describe_connect_error, elogln,
    is_timeout, out, show_received,
};
use std::ffi::OsString;
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};

const USAGE: &str = "usage: tcpc HOST:PORT";

fn main() {
    if let Err(e) = run(&cli::args()) {
        // Tsoukalos' programs print the error and exit with status 100.
        elogln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: main
fn run(args: &[OsString]) -> anyhow::Result<()> {
    let [connect] = args else {
        anyhow::bail!("Please provide a server:port string! {USAGE}");
    };
    let connect = cli::text(connect).map_err(anyhow::Error::msg)?;
    let my_message = "Hello from TCP client!\n";
    // The time limits, scaled by NETPROG_TIME_SCALE (src/cli.rs).
    let connect_limit =
        cli::time_limit(CONNECT_TIMEOUT).map_err(anyhow::Error::msg)?;
    let read_limit =
        cli::time_limit(READ_TIMEOUT).map_err(anyhow::Error::msg)?;

    // Go: tcpAddr, err := net.ResolveTCPAddr("tcp", CONNECT)
    // A name is looked up (getaddrinfo), and one address kept, the one
    // Go keeps (net/ipsock.go, `forResolve`): the first IPv4 address,
    // or the first IPv6 one if the host was written in brackets, or
    // else simply the first.
    let addrs: Vec<_> = connect
        .to_socket_addrs()
        .with_context(|| format!("looking up {connect} (expected host:port)"))?
        .collect();
    let want6 = connect.contains('[');
    let tcp_addr = *addrs
        .iter()
        .find(|a| a.is_ipv6() == want6)
        .or(addrs.first())
        .with_context(|| format!("{connect} has no address"))?;

    // Go: conn, err := net.DialTCP("tcp", nil, tcpAddr)
    // connect(2): the three-way handshake. Go's DialTCP waits as long
    // as the kernel does (minutes, for a host that does not answer);
    // here we give up after the connect limit.
    let mut conn = TcpStream::connect_timeout(&tcp_addr, connect_limit)
        .map_err(|e| describe_connect_error(e, tcp_addr, connect_limit))?;
    conn.set_read_timeout(Some(read_limit))
        .context("setting a read timeout")?;

    // Go: _, err = conn.Write([]byte(myMessage))
    conn.write_all(my_message.as_bytes())
        .context("sending the message")?;
    out!("-> {my_message}");

    // Go: buffer := make([]byte, 1024); n, err := conn.Read(buffer)
    // One read(2), so the read timeout bounds the whole wait.
    let mut buffer = [0u8; 1024];
    let n = match conn.read(&mut buffer) {
        Ok(0) => {
            anyhow::bail!("the server closed the connection without answering")
        }
        Ok(n) => n,
        Err(e) if is_timeout(&e) => anyhow::bail!(
            "no answer from {tcp_addr} within {} (waiting for the echo of \
             our message)",
            cli::Secs(read_limit)
        ),
        Err(e) => return Err(e).context("reading the answer"),
    };
    // Go: fmt.Print(">> ", string(buffer[0:n])). Exactly the n bytes
    // read, as they came (a newline is added only if they end without
    // one, to leave the terminal tidy).
    show_received(">> ", &buffer[..n]);
    // Go: conn.Close(). `conn` is dropped (closed) as `run` returns.
    Ok(())
}
// ANCHOR_END: main
