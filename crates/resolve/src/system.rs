//! The system resolver: the C library's getaddrinfo(3) and
//! getnameinfo(3), wrapped so that they answer as Go's `net` package
//! does, and their errors in Go's words.
//!
//! The C library reads /etc/nsswitch.conf to learn where to look; its
//! `hosts:` line (usually `files dns`) says "/etc/hosts first, then
//! the DNS servers of /etc/resolv.conf". This is what Go's cgo
//! resolver calls too. Go's default on Linux is its own pure-Go
//! resolver, which reads the same files and gives the same answers
//! in most cases; the page says where they differ.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};

/// An address as Go's `net.IPAddr` holds it: the IP, and for a
/// link-local IPv6 address the zone it was given with (`fe80::1%lo`:
/// the interface the address belongs to). `Display` writes what Go's
/// `IPAddr.String` writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoIpAddr {
    pub ip: IpAddr,
    /// Empty when there is none. Kept as text, as Go keeps it: it is
    /// not checked against the machine's interfaces.
    pub zone: String,
}

impl fmt::Display for GoIpAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.zone.as_str() {
            "" => write!(f, "{}", self.ip),
            zone => write!(f, "{}%{zone}", self.ip),
        }
    }
}

// ANCHOR: literal
/// `name` as an IP address literal, the way Go's `parseIPZone` reads
/// one (`net/ip.go`, Go 1.19): whichever of `.` and `:` comes first
/// decides, so `127.0.0.1` is IPv4 and `::ffff:127.0.0.1` is IPv6; only
/// IPv6 takes a `%zone`. Go keeps IPv4 addresses in the 16-byte
/// IPv4-mapped form and prints `::ffff:127.0.0.1` as `127.0.0.1`;
/// `to_canonical` does the same here. `None`: a name to look up.
pub fn parse_literal(name: &str) -> Option<GoIpAddr> {
    let first = name.find(['.', ':'])?;
    if name[first..].starts_with('.') {
        let ip = name.parse::<std::net::Ipv4Addr>().ok()?;
        return Some(GoIpAddr {
            ip: IpAddr::V4(ip),
            zone: String::new(),
        });
    }
    // Go's splitHostZone: the zone follows the last '%', if that is
    // not the first byte.
    let (host, zone) = match name.rfind('%') {
        Some(i) if i > 0 => (&name[..i], &name[i + 1..]),
        _ => (name, ""),
    };
    let ip = host.parse::<Ipv6Addr>().ok()?;
    Some(GoIpAddr {
        ip: IpAddr::V6(ip).to_canonical(),
        zone: zone.to_string(),
    })
}
// ANCHOR_END: literal

// ANCHOR: lookup_ip_addr
/// Every address of `name`, as Go's resolver hands them to
/// `ResolveIPAddr`: a literal is the answer itself, zone and all, and
/// nobody is asked; any other name goes to getaddrinfo(3), in the
/// order it gives.
///
/// std's `ToSocketAddrs` calls getaddrinfo too, but its error only
/// carries text; the dns-lookup crate's `lookup_host` gives the error
/// code as well, so we can say "no such host" as Go does. getaddrinfo
/// also reads literals, more kinds than Go does: `127.1` and
/// `010.0.0.1` are not literals to Go, but they are to glibc's
/// inet_aton(3) (127.0.0.1 and 8.0.0.1), and so they come back here.
pub fn lookup_ip_addr(name: &str) -> Result<Vec<GoIpAddr>, LookupFailure> {
    if let Some(literal) = parse_literal(name) {
        return Ok(vec![literal]);
    }
    let found = dns_lookup::lookup_host(name)
        .map_err(|e| LookupFailure::new(name, e))?;
    Ok(found
        .map(|ip| GoIpAddr {
            ip: ip.to_canonical(),
            zone: String::new(),
        })
        .collect())
}
// ANCHOR_END: lookup_ip_addr

// ANCHOR: lookup_host
/// Go's `net.LookupHost(name)`: the addresses as text. A literal comes
/// back exactly as it was written (`0:0:0:0:0:0:0:1`, not `::1`),
/// because Go returns it without parsing further (`net/lookup.go`).
pub fn lookup_host(name: &str) -> Result<Vec<String>, LookupFailure> {
    if parse_literal(name).is_some() {
        return Ok(vec![name.to_string()]);
    }
    let addrs = lookup_ip_addr(name)?;
    Ok(addrs.iter().map(GoIpAddr::to_string).collect())
}
// ANCHOR_END: lookup_host

// ANCHOR: pick_like_go
/// The one address Go's `ResolveIPAddr("ip", name)` returns out of
/// several (`addrList.forResolve`, `net/ipsock.go`): the first IPv4
/// address, unless the name contains a colon (an IPv6 literal), then
/// the first IPv6 one; and the first address of all if none is of the
/// preferred kind.
pub fn pick_like_go(name: &str, addrs: &[GoIpAddr]) -> Option<GoIpAddr> {
    let want_v6 = name.contains(':');
    addrs
        .iter()
        .find(|a| a.ip.is_ipv6() == want_v6)
        .or_else(|| addrs.first())
        .cloned()
}
// ANCHOR_END: pick_like_go

/// The name of `ip`, through the system resolver: getnameinfo(3) with
/// NI_NAMEREQD ("a name or an error, never the number back"). It looks
/// in /etc/hosts, then asks the DNS for the PTR record of the
/// address's `in-addr.arpa` name (see [`crate::reverse_name`]), as
/// nsswitch.conf says. An IPv4-mapped address (`::ffff:127.0.0.1`) is
/// asked as the IPv4 address it carries, as Go does: glibc would look
/// for the IPv6 form and find nothing.
pub fn lookup_addr(ip: IpAddr) -> Result<String, LookupFailure> {
    let ip = ip.to_canonical();
    dns_lookup::lookup_addr(&ip)
        .map_err(|e| LookupFailure::new(&ip.to_string(), e))
}

/// A failed lookup through the system resolver, worded like Go's
/// error (`lookup NAME: no such host`) followed by the C library's own
/// words in parentheses (gai_strerror's text for the code), so that a
/// learner can search for either.
#[derive(Debug)]
pub struct LookupFailure {
    name: String,
    go_words: &'static str,
    libc_words: String,
}

// ANCHOR: failure
impl LookupFailure {
    fn new(name: &str, e: dns_lookup::LookupError) -> LookupFailure {
        use dns_lookup::LookupErrorKind as K;
        // What glibc 2.36 answered, measured against a DNS server of
        // the tests' own (tests/system.rs), and what Go says instead.
        let go_words = match e.kind() {
            // EAI_NONAME: the name is in no file and the DNS server
            // said NXDOMAIN (glibc also says it for FORMERR).
            // EAI_NODATA: the name exists but has no address. Go says
            // "no such host" to both.
            K::NoName | K::NoData => "no such host",
            // EAI_AGAIN: no server answered in time, none listens, or
            // one answered SERVFAIL or REFUSED. Go names each case
            // ("i/o timeout", "connection refused", "server
            // misbehaving"); the C library's code cannot tell them
            // apart.
            K::Again => {
                "temporary failure: no DNS server answered, or it \
                 said SERVFAIL or REFUSED"
            }
            _ => "lookup failed",
        };
        LookupFailure {
            name: name.to_string(),
            go_words,
            // dns-lookup puts std's generic prefix in front of the
            // C library's message (gai_strerror); keep only the latter.
            libc_words: std::io::Error::from(e)
                .to_string()
                .trim_start_matches("failed to lookup address information: ")
                .to_string(),
        }
    }
}
// ANCHOR_END: failure

impl fmt::Display for LookupFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lookup {}: {} ({})",
            self.name, self.go_words, self.libc_words
        )
    }
}

impl std::error::Error for LookupFailure {}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn addr(s: &str) -> GoIpAddr {
        GoIpAddr {
            ip: s.parse().unwrap(),
            zone: String::new(),
        }
    }

    #[test]
    fn go_prefers_ipv4_unless_asked_for_a_v6_literal() {
        let (v4, v6) = (addr("127.0.0.1"), addr("::1"));
        let both = [v6.clone(), v4.clone()];
        let only_v6 = [v6.clone()];
        assert_eq!(pick_like_go("localhost", &both), Some(v4));
        assert_eq!(pick_like_go("localhost", &only_v6), Some(v6.clone()));
        assert_eq!(pick_like_go("::1", &only_v6), Some(v6));
        assert_eq!(pick_like_go("x", &[]), None);
    }

    #[test]
    fn literals_as_go_reads_them() {
        let lit = |s: &str| parse_literal(s).map(|a| a.to_string());
        assert_eq!(lit("127.0.0.1").as_deref(), Some("127.0.0.1"));
        assert_eq!(lit("0:0:0:0:0:0:0:1").as_deref(), Some("::1"));
        assert_eq!(lit("fe80:0::1%lo").as_deref(), Some("fe80::1%lo"));
        assert_eq!(lit("fe80::1%").as_deref(), Some("fe80::1"));
        assert_eq!(lit("::ffff:127.0.0.1").as_deref(), Some("127.0.0.1"));
        // Not literals: names to look up.
        for name in ["127.1", "010.0.0.1", "127.0.0.1%lo", "localhost", ""] {
            assert_eq!(lit(name), None, "{name}");
        }
    }

    #[test]
    fn a_literal_is_its_own_answer() {
        let got = lookup_ip_addr("fe80::1%nosuchif").unwrap();
        assert_eq!(got[0].to_string(), "fe80::1%nosuchif");
        let got = lookup_host("0:0:0:0:0:0:0:1").unwrap();
        assert_eq!(got, ["0:0:0:0:0:0:0:1"]);
    }
}
