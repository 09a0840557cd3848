//! ping: send ICMP echo requests over a raw IPv4 socket and time the
//! replies.
//!
//! Source: Jan Newmarch, "Socket-level Programming", section "Raw
//! sockets and the type IPConn", program Ping.
//!
//! It demonstrates a protocol that is neither TCP nor UDP: we build the
//! ICMP message byte by byte (type, code, checksum, identifier,
//! sequence, payload), hand it to the kernel on a raw socket, which
//! only adds the IPv4 header, and pick our reply out of everything the
//! raw socket receives. The book's program sends one request and reads
//! one packet; this one follows it step by step and then does what
//! ping(8) users expect: matching, timing, counting, a summary.
//!
//! Run it (a raw socket needs CAP_NET_RAW, which root has; see the
//! page for the unprivileged datagram socket):
//!
//! ```text
//! cargo build -p raw-ping
//! sudo setcap cap_net_raw+ep target/debug/ping   # again after each build
//! ./target/debug/ping -c 3 -i 0.5 -W 1 127.0.0.1
//! ```
//!
//! Exit status: 0 when at least one reply came back; 1 on usage
//! errors, fatal errors (as Newmarch's `checkError`), name resolution
//! errors (as the book's `Resolution error` branch), and when no
//! request at all was answered within the timeout; 141 when stdout is
//! closed (`ping ... | head -1`), as for a program killed by SIGPIPE.

use anyhow::{Context, Result, anyhow};
use raw_ping::{Framing, Received, Stats, Verdict, cli, elogln, outln};
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
use std::ffi::OsString;
use std::io::{self, Read};
use std::net::{Ipv4Addr, SocketAddrV4, ToSocketAddrs};
use std::process::exit;
use std::thread;
use std::time::{Duration, Instant};

const USAGE: &str = concat!(
    "Usage: ping [-c count] [-i interval] [-W timeout] [-v] ",
    "[--book-checksum] host"
);

/// The largest read: an IPv4 datagram is at most 65535 bytes.
const MAX_DATAGRAM: usize = 65535;

/// What the command line asked for.
#[derive(Debug)]
struct Options {
    host: String,
    /// Requests to send (-c). The book sends one; so do we by default.
    count: u32,
    /// Time from one request to the next (-i), as ping(8).
    interval: Duration,
    /// How long to wait for each reply (-W). The book waits forever.
    timeout: Duration,
    /// Print every packet we ignore, and why (-v).
    verbose: bool,
    /// Send the checksum the book's loop computes (a wrong one).
    book_checksum: bool,
}

fn main() {
    // ANCHOR: main
    let opts = match parse_args(cli::args()) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            outln!("{USAGE}");
            return;
        }
        Err(msg) => {
            elogln!("{msg}");
            exit(1);
        }
    };
    // Go: net.ResolveIPAddr("ip", os.Args[1]); the book prints
    // "Resolution error" and exits 1 when it fails.
    let target = match resolve(&opts.host) {
        Ok(addr) => addr,
        Err(e) => {
            elogln!("Resolution error: {e:#}");
            exit(1);
        }
    };
    match run(&opts, target) {
        Ok(stats) if stats.received > 0 => {}
        Ok(stats) => {
            elogln!(
                "Fatal error: timed out: {target} answered none of {} \
                 request(s) in {} s each",
                stats.transmitted,
                opts.timeout.as_secs_f64()
            );
            exit(1);
        }
        Err(e) => {
            // Go: checkError prints "Fatal error: ..." and exits 1.
            elogln!("Fatal error: {e:#}");
            exit(1);
        }
    }
    // ANCHOR_END: main
}

/// Parse `[options] host`. Ok(None) means --help; an error is the one
/// line to print on stderr.
///
/// The options are iputils ping's, not the lesson, so the lexopt crate
/// splits them: options before or after the host, `-c3` or `-c 3`,
/// `--count=3` or `--count 3`, short flags together (`-vc3`), `--`
/// before a host that starts with `-`. The values are checked here.
fn parse_args(args: Vec<OsString>) -> Result<Option<Options>, String> {
    use lexopt::Arg::{Long, Short, Value};
    let mut opts = Options {
        host: String::new(),
        count: 1,
        interval: Duration::from_secs(1),
        timeout: Duration::from_secs(1),
        verbose: false,
        book_checksum: false,
    };
    let mut hosts = Vec::new();
    let mut p = lexopt::Parser::from_args(args);
    while let Some(arg) = p.next().map_err(usage_error)? {
        // The option as it was typed, for the messages.
        let flag = match &arg {
            Short(c) => format!("-{c}"),
            Long(l) => format!("--{l}"),
            Value(_) => String::new(),
        };
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Short('v') | Long("verbose") => opts.verbose = true,
            Long("book-checksum") => opts.book_checksum = true,
            Short('c') | Long("count") => {
                opts.count = parse_count(&flag, &value(&mut p, &flag)?)?
            }
            Short('i') | Long("interval") => {
                opts.interval = parse_seconds(&flag, &value(&mut p, &flag)?)?
            }
            Short('W') | Long("timeout") => {
                opts.timeout = parse_seconds(&flag, &value(&mut p, &flag)?)?
            }
            Value(host) => hosts.push(host),
            _ => return Err(format!("ping: unknown option {flag} {TRY}")),
        }
    }
    match <[OsString; 1]>::try_from(hosts) {
        Ok([host]) if !host.is_empty() => {
            opts.host =
                cli::text(&host).map_err(|e| format!("ping: {e}"))?.into()
        }
        _ => return Err(USAGE.to_string()),
    }
    Ok(Some(opts))
}

/// The end of every usage message.
const TRY: &str = "(try ping --help)";

/// The value after an option, as text.
fn value(p: &mut lexopt::Parser, flag: &str) -> Result<String, String> {
    let v = p
        .value()
        .map_err(|_| format!("ping: {flag} needs a value {TRY}"))?;
    cli::text(&v)
        .map(str::to_string)
        .map_err(|e| format!("ping: {flag}: {e}"))
}

/// What lexopt itself refuses: a value given to a flag that takes
/// none (`--verbose=yes`), or an option that is not valid text.
fn usage_error(e: lexopt::Error) -> String {
    match e {
        lexopt::Error::UnexpectedValue { option, .. } => {
            format!("ping: {option} takes no value {TRY}")
        }
        other => format!("ping: {other} {TRY}"),
    }
}

/// `-c N`: a whole number of requests, at least 1.
fn parse_count(flag: &str, v: &str) -> Result<u32, String> {
    match v.parse::<u32>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!(
            "ping: {flag} wants a whole number of requests, at least 1, \
             not {v:?}"
        )),
    }
}

/// `-i S` and `-W S`: seconds, fractions allowed, 0.001 to 3600.
fn parse_seconds(flag: &str, v: &str) -> Result<Duration, String> {
    match v.parse::<f64>() {
        // The range check also refuses NaN and the infinities, so the
        // conversion below cannot panic.
        Ok(s) if (0.001..=3600.0).contains(&s) => {
            Ok(Duration::from_secs_f64(s))
        }
        _ => Err(format!(
            "ping: {flag} wants a number of seconds from 0.001 to 3600, \
             not {v:?}"
        )),
    }
}

// ANCHOR: resolve
/// Go: `net.ResolveIPAddr("ip", host)`. Rust's std has no "resolve a
/// bare host" call; `ToSocketAddrs` on `(host, 0)` parses a literal or
/// asks the system resolver (getaddrinfo), and we keep the first IPv4
/// address: ICMP for IPv6 is a different protocol (ICMPv6, number 58)
/// on a different socket, and the book dials "ip4:icmp".
fn resolve(host: &str) -> Result<Ipv4Addr> {
    let addrs = (host, 0).to_socket_addrs().map_err(|e| {
        // std words a getaddrinfo failure "failed to lookup address
        // information: " and the resolver's own words; keep the latter.
        let msg = e.to_string();
        let gai = "failed to lookup address information: ";
        anyhow!("lookup {host}: {}", msg.strip_prefix(gai).unwrap_or(&msg))
    })?;
    addrs
        .filter_map(|a| match a.ip() {
            std::net::IpAddr::V4(v4) => Some(v4),
            std::net::IpAddr::V6(_) => None,
        })
        .next()
        .ok_or_else(|| {
            anyhow!(
                "{host} has no IPv4 address (this ping speaks ICMP over IPv4)"
            )
        })
}
// ANCHOR_END: resolve

/// An ICMP socket connected to one target.
struct Pinger {
    sock: Socket,
    /// Raw socket (IP header in every read) or datagram socket (not).
    framing: Framing,
    /// The identifier our requests carry and our replies must carry.
    identifier: u16,
    target: Ipv4Addr,
}

/// Send `opts.count` requests to `target`, print a line per reply and
/// the summary; return the statistics.
fn run(opts: &Options, target: Ipv4Addr) -> Result<Stats> {
    let pinger = Pinger::open(target)?;
    if opts.book_checksum && pinger.framing == Framing::IcmpOnly {
        elogln!(
            "note: --book-checksum does nothing here: the kernel \
             checksums datagram ICMP"
        );
    }
    let payload = raw_ping::payload(raw_ping::DEFAULT_PAYLOAD_LEN);
    // ping(8)'s first line: payload size, and with both headers added.
    outln!(
        "PING {} ({target}) {}({}) bytes of data.",
        opts.host,
        payload.len(),
        payload.len() + raw_ping::ICMP_HEADER_LEN + raw_ping::IPV4_HEADER_LEN
    );
    if opts.verbose {
        let kind = match pinger.framing {
            Framing::Ipv4Header => "raw",
            Framing::IcmpOnly => "datagram",
        };
        outln!("ping: {kind} ICMP socket, identifier {}", pinger.identifier);
    }
    let mut stats = Stats::default();
    for i in 0..opts.count {
        // ping(8) numbers from 1; the sequence field is 16 bits, so
        // `as u16` wraps it after 65535 back to 0, as ping(8)'s does.
        let seq = i.wrapping_add(1) as u16;
        let sent_at = pinger.send(seq, &payload, opts.book_checksum)?;
        stats.transmitted += 1;
        match pinger.wait_for_reply(seq, &payload, sent_at, opts)? {
            Some((reply, rtt)) => {
                stats.reply(rtt.as_secs_f64() * 1000.0);
                print_reply(&pinger, &reply, rtt);
            }
            None => outln!(
                "no reply for icmp_seq={seq} within {} s",
                opts.timeout.as_secs_f64()
            ),
        }
        if i + 1 < opts.count {
            // The next request leaves `interval` after this one did,
            // as in ping(8), or at once when the wait for this reply
            // took longer. (ping(8) would send it on time and keep
            // waiting for this reply meanwhile.)
            let next = sent_at + opts.interval;
            if let Some(pause) = next.checked_duration_since(Instant::now()) {
                thread::sleep(pause);
            }
        }
    }
    outln!("\n--- {} ping statistics ---", opts.host);
    outln!("{}", stats.summary());
    Ok(stats)
}

// ANCHOR: print
/// `64 bytes from 127.0.0.1: icmp_seq=1 ttl=64 time=0.045 ms`: the ICMP
/// length (header and payload, not the IP header), who answered, our
/// sequence number, the TTL left in the reply's IP header, and the time
/// from our send to our read.
fn print_reply(pinger: &Pinger, reply: &Received, rtt: Duration) {
    let ms = rtt.as_secs_f64() * 1000.0;
    let from = reply.ip.as_ref().map_or(pinger.target, |ip| ip.source);
    // A datagram socket hands us no IP header, so no TTL. ping(8)
    // turns on the IP_RECVTTL option and reads the TTL from a control
    // message beside the data (recvmsg); std has neither, socket2 has
    // no setter for IP_RECVTTL, and this workspace has no unsafe code.
    let ttl = match &reply.ip {
        Some(ip) => format!(" ttl={}", ip.ttl),
        None => String::new(),
    };
    outln!(
        "{} bytes from {from}: icmp_seq={}{ttl} time={ms:.3} ms",
        reply.icmp_len(),
        reply.sequence
    );
}
// ANCHOR_END: print

impl Pinger {
    // ANCHOR: open
    /// Go: `net.DialIP("ip4:icmp", addr, addr)`.
    ///
    /// First a raw socket: `socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)`.
    /// The kernel hands it a copy of every ICMP message that reaches
    /// this host, and adds only the IPv4 header to what we send. It
    /// needs CAP_NET_RAW (root has it), else EPERM. Go's DialIP tries
    /// this socket only.
    ///
    /// Then, without privilege, the "ping socket":
    /// `socket(AF_INET, SOCK_DGRAM, IPPROTO_ICMP)`. Linux allows it
    /// when one of our groups is inside `net.ipv4.ping_group_range`
    /// (icmp(7)). It only carries echo requests, writes the identifier
    /// and checksum itself, and delivers only our replies to us.
    fn open(target: Ipv4Addr) -> Result<Pinger> {
        let icmp = Some(Protocol::ICMPV4);
        let raw = Socket::new(Domain::IPV4, Type::RAW, icmp);
        let (sock, framing) = match raw {
            Ok(s) => (s, Framing::Ipv4Header),
            Err(raw) if raw.kind() == io::ErrorKind::PermissionDenied => {
                match Socket::new(Domain::IPV4, Type::DGRAM, icmp) {
                    Ok(s) => (s, Framing::IcmpOnly),
                    Err(dgram) => return Err(no_privilege(&raw, &dgram)),
                }
            }
            Err(e) => return Err(e).context("opening a raw ICMP socket"),
        };
        // connect() on a raw socket sends nothing: it fixes where send()
        // goes, and makes the kernel drop incoming packets whose source
        // is not the target. Go's DialIP does the same.
        let to = SockAddr::from(SocketAddrV4::new(target, 0));
        if let Err(e) = sock.connect(&to) {
            // EACCES here is not about privilege: the route to the
            // target is a broadcast one (allowed only with SO_BROADCAST,
            // ping(8)'s -b) or a `prohibit` route.
            let why = match e.kind() {
                io::ErrorKind::PermissionDenied => {
                    " (a broadcast address, or a prohibit route)"
                }
                _ => "",
            };
            return Err(e)
                .with_context(|| format!("connecting to {target}{why}"));
        }
        let identifier = match framing {
            // ping(8)'s choice: our process id, cut to 16 bits, so that
            // two pings running at once tell their replies apart.
            Framing::Ipv4Header => std::process::id() as u16,
            // The kernel picked one (shown as the socket's "port") and
            // will write it into every request we send.
            Framing::IcmpOnly => local_port(&sock)?,
        };
        Ok(Pinger {
            sock,
            framing,
            identifier,
            target,
        })
    }
    // ANCHOR_END: open

    // ANCHOR: send
    /// Build request `seq` and send it; return when it left.
    fn send(
        &self,
        seq: u16,
        payload: &[u8],
        book_checksum: bool,
    ) -> Result<Instant> {
        let mut msg = raw_ping::echo_request(self.identifier, seq, payload);
        if book_checksum {
            // Redo the checksum the way the printed program did.
            raw_ping::put_checksum(&mut msg, 0);
            let bad = raw_ping::book_checksum(&msg);
            raw_ping::put_checksum(&mut msg, bad);
        }
        let sent_at = Instant::now();
        // Go: conn.Write(msg[0:len]). One send = one IP datagram; the
        // kernel prepends the IPv4 header (our source address, the TTL
        // of net.ipv4.ip_default_ttl, 64 unless changed, protocol 1).
        self.sock.send(&msg).with_context(|| {
            format!("sending the echo request to {}", self.target)
        })?;
        Ok(sent_at)
    }
    // ANCHOR_END: send

    // ANCHOR: wait
    /// Read until the reply to `seq` arrives or `opts.timeout` after
    /// `sent_at` has passed (Ok(None)). Everything else is skipped:
    /// on loopback the first thing a raw socket reads is our own
    /// request, and other pings' traffic arrives here too.
    fn wait_for_reply(
        &self,
        seq: u16,
        payload: &[u8],
        sent_at: Instant,
        opts: &Options,
    ) -> Result<Option<(Received, Duration)>> {
        let deadline = sent_at + opts.timeout;
        let mut buf = vec![0u8; MAX_DATAGRAM];
        loop {
            let Some(left) = deadline.checked_duration_since(Instant::now())
            else {
                return Ok(None);
            };
            // SO_RCVTIMEO, set to what is left of the deadline before
            // every read, so that the wait is -W in all, however many
            // other packets arrive. (At least 1 ms: std refuses zero.)
            self.sock
                .set_read_timeout(Some(left.max(Duration::from_millis(1))))
                .context("setting the read timeout")?;
            // Go: conn.Read(msg[0:]). One read = one datagram.
            let n = match (&self.sock).read(&mut buf) {
                Ok(n) => n,
                Err(e) if is_timeout(&e) => return Ok(None),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    return Err(e).with_context(|| {
                        format!(
                            "waiting for the echo reply from {}",
                            self.target
                        )
                    });
                }
            };
            let rtt = sent_at.elapsed();
            let got = match raw_ping::decode(&buf[..n], self.framing) {
                Ok(got) => got,
                Err(e) => {
                    if opts.verbose {
                        outln!("ignored {n} bytes: {e}");
                    }
                    continue;
                }
            };
            match raw_ping::classify(&got, self.identifier, seq, payload) {
                Verdict::Match => return Ok(Some((got, rtt))),
                other if opts.verbose => self.print_ignored(&got, &other),
                _ => {}
            }
        }
    }
    // ANCHOR_END: wait

    /// -v: one line for a packet we skipped, with the reason.
    fn print_ignored(&self, got: &Received, why: &Verdict) {
        let (from, ttl) = match &got.ip {
            Some(ip) => (ip.source, format!(" ttl={}", ip.ttl)),
            None => (self.target, String::new()),
        };
        outln!(
            "ignored {} bytes from {from}{ttl} icmp_seq={}: {why}",
            got.icmp_len(),
            got.sequence
        );
    }
}

/// Did a socket call time out? An expired `SO_RCVTIMEO` or
/// `SO_SNDTIMEO` (std's `set_read_timeout`, `set_write_timeout`)
/// makes the call fail with EAGAIN on Linux (socket(7)), which std
/// calls `WouldBlock`; std's docs warn that other systems may say
/// `TimedOut`, as std's `connect_timeout` does. Both count.
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// The identifier the kernel chose for a datagram ICMP socket.
fn local_port(sock: &Socket) -> Result<u16> {
    let local = sock
        .local_addr()
        .context("reading the ICMP socket's identifier")?;
    local
        .as_socket_ipv4()
        .map(|a| a.port())
        .ok_or_else(|| anyhow!("the ICMP socket has no IPv4 local address"))
}

// ANCHOR: privilege
/// Neither socket could be opened: say why, and the three fixes.
fn no_privilege(raw: &io::Error, dgram: &io::Error) -> anyhow::Error {
    let range = "/proc/sys/net/ipv4/ping_group_range";
    let range = std::fs::read_to_string(range)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unreadable".to_string());
    let gid = effective_gid().unwrap_or_else(|| "?".to_string());
    let exe = std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "<this binary>".to_string());
    anyhow!(
        "opening an ICMP socket: a raw socket needs CAP_NET_RAW ({raw}), \
         and the datagram socket was refused ({dgram}): none of your \
         groups (effective group {gid}) is in \
         net.ipv4.ping_group_range ({range}). Fix one: run as root; or \
         give this binary the capability (again after each build): \
         sudo setcap cap_net_raw+ep {exe}; or allow your group: \
         sudo sysctl -w net.ipv4.ping_group_range=\"{gid} {gid}\""
    )
}

/// Our effective group id, from /proc (no unsafe getegid call).
fn effective_gid() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Gid:"))?;
    // Gid: real, effective, saved, filesystem.
    line.split_whitespace().nth(2).map(str::to_string)
}
// ANCHOR_END: privilege

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn options_anywhere_and_defaults() {
        let o = parse_args(args("-c 3 localhost -W 0.5 -v"))
            .unwrap()
            .unwrap();
        assert_eq!(
            (o.host.as_str(), o.count, o.verbose),
            ("localhost", 3, true)
        );
        assert_eq!(o.timeout, Duration::from_millis(500));
        assert_eq!(o.interval, Duration::from_secs(1));
        let o = parse_args(args("h")).unwrap().unwrap();
        assert_eq!((o.count, o.book_checksum), (1, false));
    }

    #[test]
    fn joined_and_long_forms() {
        let o = parse_args(args("-vc3 --interval=0.2 h")).unwrap().unwrap();
        assert_eq!((o.count, o.verbose), (3, true));
        assert_eq!(o.interval, Duration::from_millis(200));
        let o = parse_args(args("--count 2 -W0.1 -- h")).unwrap().unwrap();
        assert_eq!((o.count, o.timeout), (2, Duration::from_millis(100)));
    }

    #[test]
    fn bad_arguments_are_one_line_errors() {
        for bad in [
            "",
            "a b",
            "-c 0 h",
            "-c x h",
            "-W 0 h",
            "-i nan h",
            "-i inf h",
            "-W 1e20 h",
            "-x h",
            "--nope h",
            "h -c",
            "--verbose=yes h",
        ] {
            let e = parse_args(args(bad)).unwrap_err();
            assert!(!e.contains('\n'), "{bad}: {e}");
        }
        assert!(parse_args(args("--help")).unwrap().is_none());
        assert!(parse_args(args("h -h")).unwrap().is_none());
    }

    #[test]
    fn a_host_that_is_not_text_is_an_error() {
        use std::os::unix::ffi::OsStringExt;
        let bad = OsString::from_vec(vec![0xff]);
        let e = parse_args(vec![bad]).unwrap_err();
        assert!(e.contains("not valid UTF-8"), "{e}");
    }
}
