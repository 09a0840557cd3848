//! daytime-client: ask a daytime server for the time and print it.
//!
//! Source: Newmarch, *Socket-level Programming*, "A Daytime server".
//! The text gives no client of its own: it says to take the previous
//! client (GetHeadInfo) and leave out the initial write. So this is
//! GetHeadInfo without its request: resolve, connect, read until the
//! server closes, print.
//!
//! It demonstrates the client side of a TCP connection and the one
//! signal a daytime server gives that the reply is complete: EOF.
//!
//! Run it against daytime-server (or any RFC 867 server):
//!
//! ```sh
//! cargo run -p daytime --bin daytime-client -- localhost:1200
//! ```
//!
//! Limits: 5 s to connect; 5 s for each read (a timeout per read, not
//! for the whole reply: exercise 1 is about that); 1024 bytes of
//! reply. `NETPROG_TIME_SCALE` scales the two times (src/cli.rs).
//! Exit status: 0 printed the time; 1 usage error (a bad
//! `NETPROG_TIME_SCALE` too) or any failure (`Fatal error: ...` on
//! stderr); 141 when stdout is closed.

use anyhow::{Context, Result, anyhow, bail};
use daytime::{cli, elogln, print_bytes};
use std::io::{self, ErrorKind, Read};
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::process::exit;
use std::time::Duration;

// ANCHOR: limits
/// How long to wait for the server to answer the handshake.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long any one read may wait for data (SO_RCVTIMEO). This is a
/// timeout per read, not a deadline for the whole reply.
const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// A daytime reply is one short line. A server that sends more than
/// this is not a daytime server, and we stop reading.
const MAX_REPLY: usize = 1024;
// ANCHOR_END: limits

/// The time limits of one run: the constants above, each times
/// NETPROG_TIME_SCALE when that is set (cli::time_limit), so that the
/// tests need not wait 5 s for a client to give up.
#[derive(Clone, Copy)]
struct Limits {
    connect: Duration,
    read: Duration,
}

impl Limits {
    fn scaled() -> Result<Limits, String> {
        Ok(Limits {
            connect: cli::time_limit(CONNECT_TIMEOUT)?,
            read: cli::time_limit(READ_TIMEOUT)?,
        })
    }
}

const USAGE: &str = "Usage: daytime-client host:port";

fn main() {
    // ANCHOR: args
    let args = cli::args();
    let [service] = args.as_slice() else {
        // Go: fmt.Fprintf(os.Stderr, "Usage: %s host:port", ...)
        elogln!("{USAGE}");
        exit(1);
    };
    // ANCHOR_END: args
    // Read once, before any socket: a bad factor is a usage error.
    let limits = match Limits::scaled() {
        Ok(limits) => limits,
        Err(e) => {
            elogln!("Fatal error: {e}");
            exit(1);
        }
    };
    let service = cli::text(service).map_err(anyhow::Error::msg);
    if let Err(err) = service.and_then(|service| run(service, limits)) {
        // Go's checkError: `Fatal error: ...`, exit status 1.
        elogln!("Fatal error: {err:#}");
        exit(1);
    }
}

fn run(service: &str, limits: Limits) -> Result<()> {
    // ANCHOR: dial
    // Go: net.ResolveTCPAddr("tcp4", service) then net.DialTCP.
    let addr = resolve(service)?;
    // connect() sends SYN and waits for SYN-ACK. With nothing
    // listening, the kernel at the other end answers RST at once
    // ("Connection refused"); with no answer at all we give up after
    // CONNECT_TIMEOUT instead of the kernel's two minutes.
    let mut conn = TcpStream::connect_timeout(&addr, limits.connect)
        .map_err(|e| connect_error(e, addr, limits.connect))?;
    // ANCHOR_END: dial

    // ANCHOR: read
    // No write: a daytime server talks first and needs no request.
    // Go: ioutil.ReadAll(conn), which reads until EOF, that is until
    // the server closes. Here with a timeout per read and a size cap.
    conn.set_read_timeout(Some(limits.read))
        .context("setting the read timeout")?;
    let reply = read_reply(&mut conn, addr, limits.read)?;
    // ANCHOR_END: read

    // ANCHOR: print
    // Go: fmt.Println(string(result)). Go's server sends no line end
    // and Println adds one; ours sends CR LF. Dropping the server's
    // line end and adding "\n" prints the same for both.
    // The bytes are printed as they came, like Go's string(result).
    let line = reply
        .strip_suffix(b"\n")
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .unwrap_or(&reply);
    print_bytes(&[line, b"\n"].concat());
    // ANCHOR_END: print
    Ok(())
}

/// `host:port` to one socket address. Like Go's "tcp4" we take an
/// IPv4 address when the name has one, but IPv6 works too.
fn resolve(service: &str) -> Result<SocketAddr> {
    if !service.contains(':') {
        bail!("`{service}` has no port: give host:port, e.g. localhost:1200");
    }
    if service.starts_with(':') {
        // Go's Dial(":1200") means the local machine; say it instead.
        bail!(
            "`{service}` has no host: give host:port, e.g. localhost{service}"
        );
    }
    // getaddrinfo(3): /etc/hosts, then DNS. std's own errors for a
    // bad port ("invalid port value") are kept, with our context.
    let addrs: Vec<SocketAddr> = service
        .to_socket_addrs()
        .with_context(|| format!("resolving {service}"))?
        .collect();
    let addr = addrs.iter().find(|a| a.is_ipv4()).or(addrs.first());
    addr.copied()
        .with_context(|| format!("resolving {service}: no address found"))
}

// ANCHOR: read_reply
/// Read until the server closes (EOF), at most MAX_REPLY bytes. Each
/// read waits at most `limit` (the read timeout set on `conn`).
fn read_reply(
    conn: &mut TcpStream,
    addr: SocketAddr,
    limit: Duration,
) -> Result<Vec<u8>> {
    let mut reply = Vec::with_capacity(64);
    // take(MAX_REPLY + 1): one byte more than allowed tells us that
    // the server had more to say, without reading all of it.
    conn.take(MAX_REPLY as u64 + 1)
        .read_to_end(&mut reply)
        .map_err(|e| read_error(e, addr, limit))?;
    if reply.len() > MAX_REPLY {
        bail!(
            "{addr} sent more than {MAX_REPLY} bytes: that is not a \
             daytime reply"
        );
    }
    if reply.is_empty() {
        bail!("{addr} closed the connection without sending the time");
    }
    Ok(reply)
}
// ANCHOR_END: read_reply

/// A connect error after waiting at most `limit`, saying what it
/// means. The three answers a
/// connect can get (docs/src/daytime.md, "In the lab") are told apart
/// here: a RST (refused), an ICMP error or none from the link
/// (unreachable, or a firewall's "prohibited"), and silence (timed
/// out).
fn connect_error(
    err: io::Error,
    addr: SocketAddr,
    limit: Duration,
) -> anyhow::Error {
    let why = match err.kind() {
        // ECONNREFUSED: the host's kernel answered the SYN with a RST
        // (no socket listens on that address and port), or a firewall
        // answered in its place (a forged RST, or an ICMP "port
        // unreachable", which Linux turns into the same errno).
        ErrorKind::ConnectionRefused => {
            "nothing listens there (is the server running?)"
        }
        // EHOSTUNREACH: the host did not answer ARP (or neighbour
        // discovery) on its link, or an ICMP error came back: a router
        // that could not reach it, or a firewall that rejects with
        // "administratively prohibited" (Linux maps that to this errno
        // for IPv4). In SYN-SENT Linux ends the connect at the first
        // such ICMP error (tcp_v4_err).
        ErrorKind::HostUnreachable => {
            "the host cannot be reached: it did not answer on its link, \
             or a router or firewall on the way said so"
        }
        // ENETUNREACH: no route to that network, in this host's table
        // (at once) or at a router on the way (ICMP "net unreachable").
        ErrorKind::NetworkUnreachable => {
            "no route to that network, here or at a router on the way"
        }
        // EACCES (or EPERM): an ICMPv6 "administratively prohibited"
        // from a firewall on the way (Linux's icmpv6_err_convert maps
        // it to EACCES). connect(2) names a local firewall rule too;
        // a local nftables drop of the SYN made the connect time out
        // instead, in a try here.
        ErrorKind::PermissionDenied => "a firewall refused the connection",
        // Nothing came back within `limit`: the SYNs (or the
        // answers) were dropped on the way, and whatever dropped them
        // said nothing. connect_timeout's own error, not the kernel's
        // ETIMEDOUT, which would come only after all its SYN retries.
        ErrorKind::TimedOut => {
            return anyhow!(
                "connecting to {addr}: no answer to the handshake within \
                 {} (a firewall that drops says nothing)",
                cli::Secs(limit)
            );
        }
        _ => return anyhow!("connecting to {addr}: {err}"),
    };
    anyhow!("connecting to {addr}: {err}; {why}")
}

/// A read error after waiting at most `limit`, saying what we were
/// waiting for.
fn read_error(
    err: io::Error,
    addr: SocketAddr,
    limit: Duration,
) -> anyhow::Error {
    match err.kind() {
        // SO_RCVTIMEO expiring shows up as EAGAIN (WouldBlock).
        ErrorKind::WouldBlock | ErrorKind::TimedOut => anyhow!(
            "reading from {addr}: timed out after {} (waiting for the time, \
             then for the server to close)",
            cli::Secs(limit)
        ),
        _ => anyhow!("reading from {addr}: {err}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limits_are_the_page_s_5_s_and_their_messages_say_so() {
        assert_eq!(CONNECT_TIMEOUT, Duration::from_secs(5));
        assert_eq!(READ_TIMEOUT, Duration::from_secs(5));
        let addr = SocketAddr::from(([127, 0, 0, 1], 1200));
        let e =
            connect_error(ErrorKind::TimedOut.into(), addr, CONNECT_TIMEOUT);
        assert!(e.to_string().contains("handshake within 5 s ("), "{e}");
        let e = read_error(ErrorKind::WouldBlock.into(), addr, READ_TIMEOUT);
        assert!(e.to_string().contains("timed out after 5 s ("), "{e}");
        // A scaled limit is named as it was used.
        let half = Duration::from_millis(500);
        let e = read_error(ErrorKind::WouldBlock.into(), addr, half);
        assert!(e.to_string().contains("timed out after 0.5 s ("), "{e}");
    }
}
