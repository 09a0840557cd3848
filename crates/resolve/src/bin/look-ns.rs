//! look-ns: the name servers (NS records) of a domain.
//!
//! Source: Mihalis Tsoukalos, *Mastering Go*, network chapter, section
//! "Getting NS records for a domain", program lookNS. Go's
//! `net.LookupNS` does the whole DNS conversation for it. Rust's std
//! has no DNS client, so this program does what Go's resolver does
//! inside: it builds the query, sends it to a DNS server over UDP,
//! waits (with a timeout) for the answer, and decodes it. The codec is
//! in src/lib.rs; this file is the conversation.
//!
//! The book notes that Go's standard library cannot be told which DNS
//! server to ask. This program can: `--server ADDR`. By default it
//! asks the first `nameserver` of /etc/resolv.conf, as the C library
//! and Go's pure-Go resolver do.
//!
//! Run it (against a DNS server you started yourself, see the page):
//!
//! ```sh
//! cargo run -p resolve --bin look-ns -- --server 127.0.0.1:5300 example.test
//! ```
//!
//! Exit status: 0 on success, 100 on any error (as the book's program).

use anyhow::{Context, Result, anyhow, bail};
use bytes::{BufMut, BytesMut};
use resolve::{Message, RData};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::exit;
use std::time::{Duration, Instant};

/// How long to wait for an answer to one UDP query, and how many
/// queries to send before giving up: 2 x 2 s. (Go's resolver and the
/// C library wait 5 s and try twice; a learner should not wait 10 s.)
const TRY_TIMEOUT: Duration = Duration::from_secs(2);
const TRIES: u32 = 2;
/// Connect and read timeout for the retry over TCP.
const TCP_TIMEOUT: Duration = Duration::from_secs(3);
/// Where the default server comes from.
const RESOLV_CONF: &str = "/etc/resolv.conf";
const USAGE: &str = "usage: look-ns [--server ADDR] DOMAIN";

fn main() {
    let arguments = match resolve::utf8_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            exit(100);
        }
    };
    // ANCHOR: main
    // Everything after the program's name (`get`: argv may be empty).
    let (domain, server) =
        match parse_args(arguments.get(1..).unwrap_or_default()) {
            Ok(opts) => opts,
            Err(message) => {
                eprintln!("{message}");
                exit(100);
            }
        };

    // net.LookupNS(domain), with a server of our choice.
    let nss = match lookup_ns(&domain, server) {
        Ok(nss) => nss,
        Err(e) => {
            eprintln!("{e:#}");
            exit(100);
        }
    };

    for ns in nss {
        println!("{ns}");
    }
    // ANCHOR_END: main
}

/// `[--server ADDR] DOMAIN`, in any order. Returns the domain and the
/// server, or the one line to print.
fn parse_args(args: &[String]) -> Result<(String, Option<SocketAddr>), String> {
    let mut domain = None;
    let mut server = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let value = if arg == "--server" {
            let v = rest.next();
            Some(
                v.ok_or(format!("--server needs an address ({USAGE})"))?
                    .as_str(),
            )
        } else {
            arg.strip_prefix("--server=")
        };
        if let Some(v) = value {
            let addr = resolve::parse_server(v).ok_or(format!(
                "not a DNS server address: {v:?} (use an IP address and maybe a port, \
                 e.g. 127.0.0.1:5300 or [::1]:53)"
            ))?;
            server = Some(addr);
        } else if arg.starts_with('-') {
            return Err(format!("unknown option {arg:?} ({USAGE})"));
        } else if domain.is_some() {
            // Go ignores extra arguments; we say so.
            return Err(format!(
                "Too many arguments: look-ns takes one domain ({USAGE})"
            ));
        } else {
            domain = Some(arg.clone());
        }
    }
    let domain = domain.ok_or(format!("Please provide a domain! ({USAGE})"))?;
    Ok((domain, server))
}

// ANCHOR: lookup_ns
/// Ask `server` (or the system's first name server) for the NS records
/// of `domain`, and return the host names they give.
fn lookup_ns(domain: &str, server: Option<SocketAddr>) -> Result<Vec<String>> {
    let server = match server {
        Some(s) => s,
        None => default_server()?,
    };
    let id = query_id();
    let query = resolve::build_query(id, domain, resolve::TYPE_NS)
        .with_context(|| format!("lookup {domain}: not a valid domain name"))?;
    // Go's words: "lookup DOMAIN on SERVER: <what went wrong>".
    let context = || format!("lookup {domain} on {server}");
    let answer = exchange(&query, id, server).with_context(context)?;
    ns_hosts(&answer).with_context(context)
}
// ANCHOR_END: lookup_ns

/// The first `nameserver` of /etc/resolv.conf, on port 53.
fn default_server() -> Result<SocketAddr> {
    let text = std::fs::read_to_string(RESOLV_CONF).with_context(|| {
        format!("reading {RESOLV_CONF} (or name a server: --server ADDR)")
    })?;
    let ip = resolve::first_nameserver(&text).ok_or_else(|| {
        anyhow!(
            "no nameserver line in {RESOLV_CONF} (name a server: --server ADDR)"
        )
    })?;
    Ok(SocketAddr::new(ip, resolve::DNS_PORT))
}

/// A query id that an off-path attacker cannot guess easily. std has
/// no random number generator, but its HashMap keys are seeded from
/// the operating system's randomness: hash anything with them. A
/// production resolver uses a cryptographic generator, and also a
/// random source port (the kernel picks one for us when we bind to
/// port 0).
fn query_id() -> u16 {
    use std::hash::BuildHasher;
    let h = std::collections::hash_map::RandomState::new()
        .hash_one(std::process::id());
    (h & 0xffff) as u16
}

/// What came back for our query.
enum Reply {
    Full(Message),
    /// The TC bit: the answer did not fit in a UDP datagram.
    Truncated,
}

// ANCHOR: exchange
/// Send the query over UDP; if the answer was truncated, ask again
/// over TCP, where there is no size limit (RFC 1035 section 4.2).
fn exchange(query: &[u8], id: u16, server: SocketAddr) -> Result<Message> {
    match udp_exchange(query, id, server)? {
        Reply::Full(answer) => Ok(answer),
        Reply::Truncated => {
            let retry = tcp_exchange(query, id, server).context(
                "the UDP answer was truncated (TC bit set) and the retry over TCP failed",
            )?;
            let Reply::Full(answer) = retry else {
                bail!("the answer over TCP is truncated too (TC bit set)");
            };
            // Not an error, but worth knowing: say it on stderr.
            eprintln!(
                "look-ns: the UDP answer was truncated (TC bit set); this one came over TCP"
            );
            Ok(answer)
        }
    }
}
// ANCHOR_END: exchange

// ANCHOR: udp
/// One UDP conversation: send, wait up to TRY_TIMEOUT, send again.
fn udp_exchange(query: &[u8], id: u16, server: SocketAddr) -> Result<Reply> {
    // Port 0: the kernel picks a random free source port.
    let local = if server.is_ipv4() {
        "0.0.0.0:0"
    } else {
        "[::]:0"
    };
    let sock = UdpSocket::bind(local).context("creating a UDP socket")?;
    // connect() on UDP sends nothing. It fixes the peer, so the kernel
    // drops datagrams from anybody else, and an ICMP "port
    // unreachable" comes back to us as ECONNREFUSED on recv.
    sock.connect(server)
        .with_context(|| format!("setting {server} as the UDP peer"))?;
    // The largest UDP payload. Without EDNS a server sends at most
    // 512 bytes, but a short buffer would silently cut a datagram.
    let mut buf = vec![0u8; 65_535];
    let mut ignored = 0;
    for _ in 0..TRIES {
        sock.send(query).context("sending the query")?;
        let deadline = Instant::now() + TRY_TIMEOUT;
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            if left.is_zero() {
                break;
            }
            sock.set_read_timeout(Some(left))
                .context("setting the read timeout")?;
            let n = match sock.recv(&mut buf) {
                Ok(n) => n,
                Err(e)
                    if matches!(
                        e.kind(),
                        ErrorKind::WouldBlock | ErrorKind::TimedOut
                    ) =>
                {
                    break;
                }
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    bail!(
                        "connection refused: nothing listens on {server} (ICMP port unreachable)"
                    )
                }
                Err(e) => return Err(e).context("waiting for the answer"),
            };
            // `recv` may give us a late answer to an earlier try, or
            // (without connect) anybody's datagram: skip wrong ids.
            match check_reply(&buf[..n], id)? {
                Some(reply) => return Ok(reply),
                None => ignored += 1,
            }
        }
    }
    let also = match ignored {
        0 => String::new(),
        1 => "; ignored 1 reply with another id".to_string(),
        n => format!("; ignored {n} replies with another id"),
    };
    bail!(
        "i/o timeout: no answer from {server} ({TRIES} tries, {}s each{also})",
        TRY_TIMEOUT.as_secs()
    )
}
// ANCHOR_END: udp

// ANCHOR: check_reply
/// Is this datagram the answer to our query? `None`: another id,
/// ignore it. An error: it is ours but unusable.
fn check_reply(bytes: &[u8], id: u16) -> Result<Option<Reply>> {
    let header = resolve::decode_header(bytes).context("malformed answer")?;
    if header.id != id {
        return Ok(None);
    }
    if !header.is_response() {
        bail!(
            "malformed answer: the QR bit says it is a query, not a response"
        );
    }
    // A truncated answer may end in the middle of a record: do not
    // decode it, just report it.
    if header.truncated() {
        return Ok(Some(Reply::Truncated));
    }
    let msg = resolve::decode(bytes).context("malformed answer")?;
    Ok(Some(Reply::Full(msg)))
}
// ANCHOR_END: check_reply

/// The same query over TCP, where each message is preceded by its
/// length in two bytes (RFC 1035 section 4.2.2).
fn tcp_exchange(query: &[u8], id: u16, server: SocketAddr) -> Result<Reply> {
    let mut stream = TcpStream::connect_timeout(&server, TCP_TIMEOUT)
        .with_context(|| format!("connecting to {server} over TCP"))?;
    stream.set_read_timeout(Some(TCP_TIMEOUT))?;
    stream.set_write_timeout(Some(TCP_TIMEOUT))?;
    let mut framed = BytesMut::with_capacity(2 + query.len());
    // A query is at most 12 + 255 + 4 bytes: it fits in a u16.
    framed.put_u16(u16::try_from(query.len()).context("query too long")?);
    framed.put_slice(query);
    stream
        .write_all(&framed)
        .map_err(timed_out)
        .context("sending the query over TCP")?;
    let mut len = [0u8; 2];
    stream
        .read_exact(&mut len)
        .map_err(timed_out)
        .context("reading the length of the answer over TCP")?;
    // At most 65535 bytes: a bound we can afford to allocate.
    let len = usize::from(u16::from_be_bytes(len));
    let mut buf = vec![0u8; len];
    stream
        .read_exact(&mut buf)
        .map_err(timed_out)
        .with_context(|| format!("reading the {len}-byte answer over TCP"))?;
    check_reply(&buf, id)?
        .ok_or_else(|| anyhow!("malformed answer: over TCP, with another id"))
}

/// Say "timed out" rather than "Resource temporarily unavailable".
fn timed_out(e: std::io::Error) -> anyhow::Error {
    match e.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => {
            anyhow!("timed out after {}s", TCP_TIMEOUT.as_secs())
        }
        ErrorKind::UnexpectedEof => {
            anyhow!("the server closed the connection early")
        }
        _ => e.into(),
    }
}

// ANCHOR: ns_hosts
/// Turn the response code and answer records into Go's result: the
/// NS host names, or the error Go would give (in clearer words).
fn ns_hosts(answer: &Message) -> Result<Vec<String>> {
    match answer.header.rcode() {
        resolve::RCODE_NOERROR => {}
        resolve::RCODE_NXDOMAIN => {
            bail!("no such host (NXDOMAIN: the name does not exist)")
        }
        resolve::RCODE_SERVFAIL => {
            bail!("server misbehaving (SERVFAIL: it could not find the answer)")
        }
        resolve::RCODE_REFUSED => {
            bail!(
                "server refused the query (REFUSED: it does not answer for this name)"
            )
        }
        other => bail!("server misbehaving ({})", resolve::rcode_name(other)),
    }
    let hosts: Vec<String> = answer
        .answers
        .iter()
        .filter_map(|r| match &r.data {
            RData::Ns(host) => Some(host.clone()),
            _ => None,
        })
        .collect();
    if hosts.is_empty() {
        // NOERROR with no NS record ("NODATA"): the name exists but is
        // a host, not a zone. Go calls this "no such host" too.
        bail!("no such host (the name exists but has no NS records)");
    }
    Ok(hosts)
}
// ANCHOR_END: ns_hosts
