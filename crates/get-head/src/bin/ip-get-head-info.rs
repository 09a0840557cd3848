//! ip-get-head-info: Newmarch, *Socket-level Programming*, "The types
//! Conn, PacketConn and Listener", program `IPGetHeadInfo`.
//!
//! The same HTTP `HEAD` client as get-head-info, written with the
//! generic dial (Go's `net.Dial("tcp", service)`: any address family,
//! the host's addresses tried until one connects) and a hand-written
//! read loop that grows a buffer, the text's `readFully`.
//!
//!     cargo run -q -p get-head --bin ip-get-head-info -- localhost:8000
//!
//! Limits (see src/lib.rs): 5 s to connect to each address; 5 s for
//! each read, or `NETPROG_READ_TIMEOUT` seconds; at most 1 MiB of
//! response.
//!
//! Exit status: 0 printed; 1 usage error or failure (`Fatal error: ...`
//! on stderr); 141 writing failed (quietly if stdout's pipe has no reader).

use anyhow::{Context, Result, anyhow, bail};
use bytes::{Bytes, BytesMut};
use get_head::{
    CONNECT_TIMEOUT, MAX_RESPONSE, REQUEST, cli, connect_each, elogln,
    is_timeout, parse_port, print_answer, read_timeout, split_host_port,
    timeout_message, too_big_message,
};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::process::ExitCode;
use std::time::Duration;

/// As get-head-info's `main`: one argument, Go's checkError on failure.
fn main() -> ExitCode {
    let args = cli::args();
    let [service] = args.as_slice() else {
        elogln!(
            "Usage: ip-get-head-info host:port (for example: \
             ip-get-head-info localhost:8000)"
        );
        return ExitCode::from(1);
    };
    let service = cli::text(service).map_err(|e| anyhow!(e));
    match service.and_then(ip_get_head_info) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            elogln!("Fatal error: {err:#}");
            ExitCode::from(1)
        }
    }
}

// ANCHOR: steps
fn ip_get_head_info(service: &str) -> Result<()> {
    let timeout = read_timeout().map_err(|e| anyhow!(e))?;

    // Go: conn, err := net.Dial("tcp", service)
    let mut conn = dial(service)?;
    let peer = conn
        .peer_addr()
        .map_or_else(|_| service.to_string(), |a| a.to_string());

    // Go: _, err = conn.Write([]byte("HEAD / HTTP/1.0\r\n\r\n"))
    conn.write_all(REQUEST)
        .with_context(|| format!("sending the request to {peer}"))?;

    // Go: result, err := readFully(conn)
    let result = read_fully(conn, timeout)
        .with_context(|| format!("reading the response from {peer}"))?;

    // Go: fmt.Println(string(result))
    print_answer(&result);
    Ok(())
}
// ANCHOR_END: steps

// ANCHOR: dial
/// Go's `net.Dial("tcp", service)`: resolve the host to every address
/// it has, IPv4 and IPv6, and try them in the order the resolver gave,
/// until one connects. Std's `TcpStream::connect(service)` loops too,
/// but without a timeout, and when all fail it returns the last
/// address's error (its documentation says so), where Go returns the
/// first's; so we write the loop out.
///
/// Go does a little more when a name has both families: it splits the
/// addresses into the first one's family and the other, and if the
/// first family has not connected within 300 ms (or has already
/// failed), it starts on the other family too and takes whichever
/// connects first (RFC 6555's "Happy Eyeballs", which net/dial.go
/// calls Fast Fallback: `dialParallel`, Go 1.19).
fn dial(service: &str) -> Result<TcpStream> {
    let (host, port) = split_host_port(service)?;
    let port = parse_port(port, service)?;
    // An empty host (":8000") means this machine, as in Go (which
    // connects to 0.0.0.0, and Linux takes that for loopback).
    let host = if host.is_empty() { "localhost" } else { host };
    let addrs = (host, port)
        .to_socket_addrs()
        .with_context(|| format!("resolving {service}"))?;
    // Each address in turn; the first failure is reported, as Go does.
    connect_each(addrs, CONNECT_TIMEOUT).map_err(|first| match first {
        Some((addr, e)) => anyhow!(e).context(format!("connecting to {addr}")),
        None => anyhow!("resolving {service}: no address found"),
    })
}
// ANCHOR_END: dial

// ANCHOR: read_fully
/// The text's `readFully`: read up to 512 bytes at a time, append them
/// to a buffer that grows, until the server closes the connection.
/// `BytesMut` plays the part of Go's `bytes.Buffer`. Taking `conn` by
/// value closes it when the function returns, like Go's
/// `defer conn.Close()`.
fn read_fully(mut conn: TcpStream, timeout: Duration) -> Result<Bytes> {
    // Each read waits at most `timeout` (SO_RCVTIMEO). Go's version
    // would wait for ever for a server that never answers.
    conn.set_read_timeout(Some(timeout))
        .context("setting the read timeout")?;

    let mut result = BytesMut::new();
    let mut buf = [0u8; 512];
    loop {
        // Go's Read can return data *and* an error together; Rust's
        // returns one or the other, so the cases are cleaner.
        let n = match conn.read(&mut buf) {
            Ok(0) => break, // end of file: the server closed (Go: io.EOF)
            Ok(n) => n,
            // A signal arrived during the read: just read again.
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => bail!(timeout_message(timeout)),
            Err(e) => return Err(e.into()),
        };
        // Check before growing: the buffer never exceeds the limit.
        if result.len() + n > MAX_RESPONSE {
            bail!(too_big_message());
        }
        // When full, BytesMut grows to about twice its size, as Go 1.19's
        // bytes.Buffer does (the steps depend on the append sizes).
        result.extend_from_slice(&buf[..n]);
    }
    // freeze: the bytes are final, and can be shared without copying.
    Ok(result.freeze())
}
// ANCHOR_END: read_fully
