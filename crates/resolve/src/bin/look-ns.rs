//! look-ns: the name servers (NS records) of a domain.
//!
//! Source: Mihalis Tsoukalos, *Go Systems Programming*, chapter 12, section
//! "Getting NS records for a domain", program lookNS. Go's
//! `net.LookupNS` does the whole DNS conversation for it. Rust's std
//! has no DNS client, so this program does what Go's resolver does
//! inside: it builds the query, sends it to a DNS server over UDP,
//! waits (with a time limit) for the answer, and decodes it. The codec
//! is in src/ (query.rs, decode.rs); this file is the conversation.
//!
//! The book says Go's lookup functions cannot be told which DNS server
//! to ask. The package-level ones (`net.LookupNS`) cannot; a
//! `net.Resolver` with `PreferGo: true` and a `Dial` function of your
//! own can (Go 1.9 and later), and the tests' Go program does just
//! that. This program takes `--server ADDR`. By default it asks the
//! first `nameserver` of /etc/resolv.conf, as the C library and Go's
//! pure-Go resolver do.
//!
//! Run it (against a DNS server you started yourself, see the page):
//!
//! ```sh
//! cargo run -p resolve --bin look-ns -- --server 127.0.0.1:5300 example.test
//! ```
//!
//! Its time limits are the constants under "limits" below, times the
//! environment variable `NETPROG_TIME_SCALE` when it is set (see
//! `cli::time_limit`; the tests make them short).
//!
//! Exit status: 0 on success, 100 on any error (as the book's program),
//! a bad command line or `NETPROG_TIME_SCALE` among them.

use anyhow::{Context, Result, anyhow, bail};
use bytes::{BufMut, BytesMut};
use resolve::cli::Secs;
use resolve::deadline::Deadline;
use resolve::{Message, RData, cli, elogln, outln};
use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::exit;
use std::time::Duration;

// ANCHOR: limits
/// How long to wait for an answer to one UDP query, and how many
/// queries to send before giving up: 2 x 2 s. (Go's resolver and the
/// C library wait 5 s and try twice: `net/dnsconfig_unix.go`, and
/// RES_TIMEOUT and RES_DFLRETRY in <resolv.h>. A learner should not
/// wait 10 s.)
const TRY_TIMEOUT: Duration = Duration::from_secs(2);
const TRIES: u32 = 2;
/// The whole retry over TCP (connect, send, read the answer) must be
/// over within this time, however slowly the server sends.
const TCP_TIMEOUT: Duration = Duration::from_secs(3);
// ANCHOR_END: limits

/// The limits this run keeps: the constants above, times
/// `NETPROG_TIME_SCALE`.
#[derive(Debug, Clone, Copy)]
struct Limits {
    /// One UDP try (`TRY_TIMEOUT`).
    try_timeout: Duration,
    /// The whole TCP step (`TCP_TIMEOUT`).
    tcp: Duration,
}

impl Limits {
    fn from_env() -> Result<Limits, String> {
        Ok(Limits {
            try_timeout: cli::time_limit(TRY_TIMEOUT)?,
            tcp: cli::time_limit(TCP_TIMEOUT)?,
        })
    }
}

/// A limit as this program's messages write it: `2s`, `0.2s`.
fn secs(limit: Duration) -> String {
    Secs(limit).to_string().replace(' ', "")
}

/// Where the default server comes from.
const RESOLV_CONF: &str = "/etc/resolv.conf";
const USAGE: &str = "usage: look-ns [--server ADDR] DOMAIN";

fn main() {
    // ANCHOR: main
    // Everything after the program's name, as text.
    let (domain, server) = match parse_args(&cli::args()) {
        Ok(opts) => opts,
        Err(message) => {
            elogln!("{message}");
            exit(100);
        }
    };
    // The time limits, read before anything goes on the network.
    let limits = match Limits::from_env() {
        Ok(limits) => limits,
        Err(message) => {
            elogln!("{message}");
            exit(100);
        }
    };

    // net.LookupNS(domain), with a server of our choice.
    let nss = match lookup_ns(&domain, server, limits) {
        Ok(nss) => nss,
        Err(e) => {
            elogln!("{e:#}");
            exit(100);
        }
    };

    for ns in nss {
        outln!("{ns}");
    }
    // ANCHOR_END: main
}

/// `[--server ADDR] DOMAIN`, in any order. Returns the domain and the
/// server, or the one line to print.
fn parse_args(
    args: &[std::ffi::OsString],
) -> Result<(String, Option<SocketAddr>), String> {
    let mut domain = None;
    let mut server = None;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        let arg = cli::text(arg)?;
        let value = if arg == "--server" {
            let v = rest
                .next()
                .ok_or(format!("--server needs an address ({USAGE})"))?;
            Some(cli::text(v)?)
        } else {
            arg.strip_prefix("--server=")
        };
        if let Some(v) = value {
            let addr = resolve::parse_server(v).ok_or(format!(
                "not a DNS server address: {v:?} (e.g. 127.0.0.1:5300, [::1]:53)"
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
            domain = Some(arg.to_string());
        }
    }
    let domain = domain.ok_or(format!("Please provide a domain! ({USAGE})"))?;
    Ok((domain, server))
}

// ANCHOR: lookup_ns
/// Ask `server` (or the system's first name server) for the NS records
/// of `domain`, and return the host names they give.
fn lookup_ns(
    domain: &str,
    server: Option<SocketAddr>,
    limits: Limits,
) -> Result<Vec<String>> {
    let server = server.unwrap_or_else(default_server);
    let id = query_id();
    let query = resolve::build_query(id, domain, resolve::TYPE_NS)
        .with_context(|| format!("lookup {domain}: not a valid domain name"))?;
    // Go's words: "lookup DOMAIN on SERVER: <what went wrong>".
    let context = || format!("lookup {domain} on {server}");
    let answer = exchange(&query, id, server, limits).with_context(context)?;
    ns_hosts(&answer).with_context(context)
}
// ANCHOR_END: lookup_ns

// ANCHOR: default_server
/// The first usable `nameserver` of /etc/resolv.conf, on port 53.
/// Without one (or without the file), 127.0.0.1:53, the server glibc
/// and Go fall back to.
fn default_server() -> SocketAddr {
    std::fs::read_to_string(RESOLV_CONF)
        .ok()
        .and_then(|text| resolve::first_nameserver(&text))
        .map_or(resolve::DEFAULT_SERVER, |ip| {
            SocketAddr::new(ip, resolve::DNS_PORT)
        })
}
// ANCHOR_END: default_server

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
    /// The TC bit: the answer did not fit in the 512 bytes (without
    /// EDNS) a server may send over UDP.
    Truncated,
}

// ANCHOR: exchange
/// Send the query over UDP; if the answer was truncated, ask again
/// over TCP, where a message may be as long as its two length bytes
/// can say, 65535 bytes (RFC 1035 section 4.2).
fn exchange(
    query: &[u8],
    id: u16,
    server: SocketAddr,
    limits: Limits,
) -> Result<Message> {
    match udp_exchange(query, id, server, limits.try_timeout)? {
        Reply::Full(answer) => Ok(answer),
        Reply::Truncated => {
            let retry = tcp_exchange(query, id, server, limits.tcp).context(
                "the UDP answer was truncated (TC bit set) \
                 and the retry over TCP failed",
            )?;
            let Reply::Full(answer) = retry else {
                bail!("the answer over TCP is truncated too (TC bit set)");
            };
            // Not an error, but worth knowing: say it on stderr.
            elogln!(
                "look-ns: the UDP answer was truncated (TC bit set); \
                 this one came over TCP"
            );
            Ok(answer)
        }
    }
}
// ANCHOR_END: exchange

// ANCHOR: udp
/// One UDP conversation: send, wait up to `limit` (TRY_TIMEOUT,
/// scaled), send again.
fn udp_exchange(
    query: &[u8],
    id: u16,
    server: SocketAddr,
    limit: Duration,
) -> Result<Reply> {
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
        let deadline = Deadline::after(limit);
        // Until this try's time is up: set the read timeout to what
        // is left, so that ignored datagrams cannot stretch it.
        while let Ok(left) = deadline.left() {
            sock.set_read_timeout(Some(left))
                .context("setting the read timeout")?;
            let n = match sock.recv(&mut buf) {
                Ok(n) => n,
                Err(e) if is_timeout(&e) => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
                    bail!("connection refused: nothing listens there")
                }
                Err(e) => return Err(e).context("waiting for the answer"),
            };
            // A late answer to the first try has our id and is as good
            // as one to the second: it is taken. Another id is a stray
            // answer to an earlier program that had this port, or a
            // forgery from someone spoofing the server: skip it.
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
        "i/o timeout: no answer from {server} ({TRIES} tries, {} each{also})",
        secs(limit)
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

// ANCHOR: tcp
/// The same query over TCP, where each message is preceded by its
/// length in two bytes (RFC 1035 section 4.2.2). One deadline covers
/// the whole exchange: before each call, the socket's timeout is set
/// to the time that is left, so a server that sends one byte a second
/// cannot keep us waiting longer than `limit` (TCP_TIMEOUT, scaled)
/// in all.
fn tcp_exchange(
    query: &[u8],
    id: u16,
    server: SocketAddr,
    limit: Duration,
) -> Result<Reply> {
    let deadline = Deadline::after(limit);
    let mut stream = deadline
        .left()
        .and_then(|left| TcpStream::connect_timeout(&server, left))
        .map_err(|e| timed_out(e, limit))
        .with_context(|| format!("connecting to {server} over TCP"))?;
    let mut framed = BytesMut::with_capacity(2 + query.len());
    // A query is at most 12 + 255 + 4 bytes: it fits in a u16.
    framed.put_u16(u16::try_from(query.len()).context("query too long")?);
    framed.put_slice(query);
    deadline
        .left()
        .and_then(|left| stream.set_write_timeout(Some(left)))
        .and_then(|()| stream.write_all(&framed))
        .map_err(|e| timed_out(e, limit))
        .context("sending the query over TCP")?;
    let mut len = [0u8; 2];
    read_by(&mut stream, &mut len, deadline)
        .map_err(|e| timed_out(e, limit))
        .context("reading the length of the answer over TCP")?;
    // At most 65535 bytes: a bound we can afford to allocate.
    let len = usize::from(u16::from_be_bytes(len));
    let mut buf = vec![0u8; len];
    read_by(&mut stream, &mut buf, deadline)
        .map_err(|e| timed_out(e, limit))
        .with_context(|| format!("reading the {len}-byte answer over TCP"))?;
    check_reply(&buf, id)?
        .ok_or_else(|| anyhow!("malformed answer: over TCP, with another id"))
}

/// `read_exact` against a deadline for all of it, not for each read.
fn read_by(
    stream: &mut TcpStream,
    mut buf: &mut [u8],
    deadline: Deadline,
) -> io::Result<()> {
    while !buf.is_empty() {
        stream.set_read_timeout(Some(deadline.left()?))?;
        match stream.read(buf) {
            Ok(0) => return Err(ErrorKind::UnexpectedEof.into()),
            Ok(n) => buf = &mut buf[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
// ANCHOR_END: tcp

/// Did a socket call time out? An expired `SO_RCVTIMEO` or
/// `SO_SNDTIMEO` (std's `set_read_timeout`, `set_write_timeout`)
/// makes the call fail with EAGAIN on Linux (socket(7)), which std
/// calls `WouldBlock`; std's docs warn that other systems may say
/// `TimedOut`, as std's `connect_timeout` does. Both count.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Say "timed out" rather than "Resource temporarily unavailable",
/// and name the limit that ran out.
fn timed_out(e: io::Error, limit: Duration) -> anyhow::Error {
    if is_timeout(&e) {
        let limit = secs(limit);
        return anyhow!("timed out ({limit} for the whole exchange)");
    }
    match e.kind() {
        ErrorKind::UnexpectedEof => {
            anyhow!("the server closed the connection early")
        }
        _ => e.into(),
    }
}

// ANCHOR: ns_hosts
/// Turn the response code and answer records into Go's result: the
/// NS host names, or the error Go would give, with what it means.
fn ns_hosts(answer: &Message) -> Result<Vec<String>> {
    match answer.header.rcode() {
        resolve::RCODE_NOERROR => {}
        resolve::RCODE_NXDOMAIN => {
            bail!("no such host (NXDOMAIN: the name does not exist)")
        }
        resolve::RCODE_SERVFAIL => {
            bail!("server misbehaving (SERVFAIL: it could not find the answer)")
        }
        resolve::RCODE_REFUSED => bail!(
            "server misbehaving (REFUSED: it does not answer for this name)"
        ),
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The page gives the defaults (2 s a try, two tries; 3 s for the
    /// TCP step) and quotes the timeout's message; the tests run with
    /// the limits scaled, so the defaults are pinned here.
    #[test]
    fn the_default_limits_are_those_the_page_shows() {
        let page =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/src/resolve.md");
        let page = std::fs::read_to_string(page).unwrap_or_default();
        let tries = format!("({TRIES} tries, {} each)", secs(TRY_TIMEOUT));
        assert_eq!(tries, "(2 tries, 2s each)");
        assert!(page.contains(&tries), "the page does not say {tries:?}");
        assert!(page.contains("`look-ns` waits 2 seconds and tries twice"));
        assert_eq!(secs(TCP_TIMEOUT), "3s");
        assert_eq!(secs(Duration::from_millis(300)), "0.3s");
    }
}
