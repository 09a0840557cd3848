//! get-head-info: Newmarch, *Socket-level Programming*, "TCP client",
//! program `GetHeadInfo`.
//!
//! A first TCP client. It resolves `host:port` to an IPv4 address (the
//! book's "tcp4"), connects, sends an HTTP `HEAD` request, reads the
//! answer until the server closes the connection, and prints it.
//!
//!     cargo run -q -p get-head -- 127.0.0.1:8000
//!
//! Limits (see src/lib.rs): 5 s to connect; 5 s for each read, or
//! `NETPROG_READ_TIMEOUT` seconds; at most 1 MiB of response.
//!
//! Exit status: 0 printed the response; 1 usage error or failure
//! (`Fatal error: ...` on stderr), as Go's `checkError` does; 141 when
//! the answer cannot be written (quietly if stdout's pipe has no reader).

use anyhow::{Context, Result, anyhow, bail};
use get_head::{
    CONNECT_TIMEOUT, MAX_RESPONSE, REQUEST, cli, elogln, is_timeout,
    parse_port, print_answer, read_timeout, split_host_port, timeout_message,
    too_big_message,
};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

// ANCHOR: main
fn main() -> ExitCode {
    let args = cli::args();
    // Go: `if len(os.Args) != 2`. As printed, the book's listing does
    // not exit here (stray braces close the `if` and `main` before its
    // `os.Exit(1)`); a usage error must stop the program.
    let [service] = args.as_slice() else {
        elogln!(
            "Usage: get-head-info host:port (for example: get-head-info \
             127.0.0.1:8000)"
        );
        return ExitCode::from(1);
    };
    let service = cli::text(service).map_err(|e| anyhow!(e));
    match service.and_then(get_head_info) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            // Go's checkError: "Fatal error: ..." and exit 1. `{:#}`
            // prints anyhow's chain of context on one line.
            elogln!("Fatal error: {err:#}");
            ExitCode::from(1)
        }
    }
}
// ANCHOR_END: main

// ANCHOR: steps
/// The body of Go's `main`, one step per Go statement.
fn get_head_info(service: &str) -> Result<()> {
    // Fail on a bad NETPROG_READ_TIMEOUT before touching the network.
    let timeout = read_timeout().map_err(|e| anyhow!(e))?;

    // Go: tcpAddr, err := net.ResolveTCPAddr("tcp4", service)
    let tcp_addr = resolve_tcp4(service)?;

    // Go: conn, err := net.DialTCP("tcp", nil, tcpAddr)
    // The kernel sends SYN, the server's kernel answers SYN-ACK, ours
    // sends ACK: connected. The server program takes no part in this:
    // on Linux the connection waits in its listening socket's accept
    // queue until the program calls accept.
    let mut conn = TcpStream::connect_timeout(&tcp_addr, CONNECT_TIMEOUT)
        .with_context(|| format!("connecting to {tcp_addr}"))?;

    // Go: _, err = conn.Write([]byte("HEAD / HTTP/1.0\r\n\r\n"))
    // write_all loops until every byte is in the kernel's send buffer
    // (Go's Write does the same for a TCPConn). Sent is not received:
    // success here only means the bytes are queued.
    conn.write_all(REQUEST)
        .with_context(|| format!("sending the request to {tcp_addr}"))?;

    // Go: result, err := ioutil.ReadAll(conn)
    let result = read_all(&mut conn, timeout)
        .with_context(|| format!("reading the response from {tcp_addr}"))?;

    // Go: fmt.Println(string(result)). The bytes are printed as they
    // came, and Println's newline after them.
    print_answer(&result);
    Ok(())
}
// ANCHOR_END: steps

// ANCHOR: resolve_tcp4
/// Go's `net.ResolveTCPAddr("tcp4", service)`: split `host:port`, ask
/// the system resolver (`getaddrinfo(3)`, which asks the sources the
/// `hosts` line of /etc/nsswitch.conf lists, commonly /etc/hosts and
/// then DNS), and keep the first IPv4 answer. (Go 1.19 here resolves
/// with its own code instead, reading /etc/hosts and asking DNS
/// itself; `GODEBUG=netdns=2` shows the choice.)
fn resolve_tcp4(service: &str) -> Result<SocketAddr> {
    let (host, port) = split_host_port(service)?;
    let port = parse_port(port, service)?;
    // An empty host (":8000") means this machine, as in Go (which
    // connects to 0.0.0.0, and Linux takes that for loopback).
    let host = if host.is_empty() { "127.0.0.1" } else { host };
    let mut addrs = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {service}"))?;
    match addrs.find(SocketAddr::is_ipv4) {
        Some(addr) => Ok(addr),
        None => bail!(
            "resolving {service}: no IPv4 address (this program dials tcp4, \
             as the book's does; ip-get-head-info also tries IPv6)"
        ),
    }
}
// ANCHOR_END: resolve_tcp4

// ANCHOR: read_all
/// Go's `ioutil.ReadAll(conn)`: read until end of file, which for a TCP
/// socket means the server has closed its side (its FIN arrived).
///
/// Two changes from Go, so that a bad server can neither keep us
/// waiting in silence for ever nor fill our memory: every read waits
/// at most `timeout` (the socket option SO_RCVTIMEO), and at most
/// MAX_RESPONSE bytes are accepted. (A server that sends a byte now
/// and then still keeps us: each read has its own `timeout`.)
fn read_all(conn: &mut TcpStream, timeout: Duration) -> Result<Vec<u8>> {
    conn.set_read_timeout(Some(timeout))
        .context("setting the read timeout")?;
    let mut result = Vec::new();
    // `take` stops after one byte more than the limit: enough to tell
    // "exactly the limit" from "over it" without reading further.
    let limit = u64::try_from(MAX_RESPONSE).unwrap_or(u64::MAX);
    let mut reader = Read::by_ref(conn).take(limit.saturating_add(1));
    match reader.read_to_end(&mut result) {
        Ok(_) => {}
        Err(e) if is_timeout(&e) => bail!(timeout_message(timeout)),
        Err(e) => return Err(e.into()),
    }
    if result.len() > MAX_RESPONSE {
        bail!(too_big_message());
    }
    Ok(result)
}
// ANCHOR_END: read_all
