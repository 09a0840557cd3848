//! Service names to port numbers, the way Go's `net.LookupPort` does it.
//!
//! Rust's standard library has no `LookupPort`. The C library has
//! `getservbyname(3)`, and `getaddrinfo(3)` with no host and a service
//! name (glibc's follow the `services` line of /etc/nsswitch.conf,
//! musl's read /etc/services), but calling C from Rust needs `unsafe`
//! (or a crate that wraps it). Go has both ways: its cgo resolver asks
//! `getaddrinfo(NULL, service)` (`net/cgo_unix.go`, Go 1.19), and its
//! own resolver reads `/etc/services` itself (`net/port_unix.go`), on
//! top of a small table built into the `net` package.
//!
//! Go asks the C library for a port when it would for a host name that
//! is empty (`canUseCgo`, `net/conf.go`). On Linux the common reasons:
//!
//! - `GODEBUG=netdns=cgo`; `RES_OPTIONS` or `HOSTALIASES` set and not
//!   empty, or `LOCALDOMAIN` set at all (even empty);
//! - a line or option in /etc/resolv.conf that Go 1.19 does not know
//!   (`options edns0`, `sortlist`), or a resolv.conf it cannot open (a
//!   missing or forbidden one does not count);
//! - a `hosts` line in /etc/nsswitch.conf with a source Go does not
//!   handle (systemd's `resolve`), with `[...]` actions on `files` or
//!   `dns` that Go counts as non-default (`[SUCCESS=continue]`; oddly,
//!   a lone `[NOTFOUND=return]` passes), or with sources but neither
//!   `files` nor `dns`; an nsswitch.conf Go cannot read or parse (a
//!   missing one, or an empty `hosts:` line, does not count).
//!
//! `myhostname` counts only when the machine's own host name is empty
//! or cannot be read, `.local` never (the name asked for is empty). And
//! nothing counts in a program built without cgo (`CGO_ENABLED=0`) or
//! with the `netgo` tag, or run with `GODEBUG=netdns=go`. Otherwise
//! (Debian's `hosts: files dns`, a resolv.conf without options) Go uses
//! its own resolver, and this module does what that one does:
//!
//! 1. [`parse_port`]: a service written as a decimal number *is* the port
//!    (`"23"`); nothing is looked up, not even the network.
//! 2. Otherwise the network must be one Go knows (`tcp`, `udp`, ...).
//! 3. The name is searched, ignoring ASCII case (Go lowers only the
//!    name asked for), in a [`ServiceTable`]: Go's built-in entries
//!    ([`BUILTIN`]) plus what the services file adds
//!    ([`parse_services`]).
//! 4. Whatever came out must fit in 16 bits (0 to 65535).
//!
//! Errors are worded as Go 1.19 words them when its own resolver
//! answers (see [`LookupError`]).
//!
//! Examples: the unit test `lookup_examples` at the end of this file.

pub mod cli;

use std::fmt;

/// The file Go reads on Unix. The binary lets `NETPROG_SERVICES` name
/// another one (see [`SERVICES_ENV`]).
pub const SERVICES_PATH: &str = "/etc/services";

/// The environment variable that names another services file. Go has
/// no such knob; tests and the page use it to bring their own file.
pub const SERVICES_ENV: &str = "NETPROG_SERVICES";

// ANCHOR: builtin
/// The table built into Go 1.19's `net` package (`services` in
/// `net/lookup.go`; a test compares the two), as `(network, name,
/// port)`. On Unix the services file adds to it and wins where both
/// name the same service. On Windows Go reads no file: its own
/// resolver (`PreferGo`, `GODEBUG=netdns=go`) knows only this table;
/// otherwise Go asks `GetAddrInfoW` and falls back to the table when
/// that fails (`net/lookup_windows.go`). Plan 9 does without it.
/// Later Go releases may add entries.
pub const BUILTIN: &[(&str, &str, u32)] = &[
    ("udp", "domain", 53),
    ("tcp", "ftp", 21),
    ("tcp", "ftps", 990),
    ("tcp", "gopher", 70),
    ("tcp", "http", 80),
    ("tcp", "https", 443),
    ("tcp", "imap2", 143),
    ("tcp", "imap3", 220),
    ("tcp", "imaps", 993),
    ("tcp", "pop3", 110),
    ("tcp", "pop3s", 995),
    ("tcp", "smtp", 25),
    ("tcp", "ssh", 22),
    ("tcp", "telnet", 23),
];
// ANCHOR_END: builtin

/// Go gives up on a services file line whose port is this or more (its
/// `dtoi`, `net/parse.go`, stops at 0xFFFFFF). Numbers from 65536 to
/// below this are kept, and refused later as "invalid port", exactly
/// as Go's own resolver does. (On the cgo path glibc keeps only the
/// low 16 bits instead: a line `big 70000/tcp` gives port 4464.)
const FILE_PORT_LIMIT: u32 = 0xFF_FFFF;

/// One line of a services file: `name port/network alias...`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// `tcp`, `udp`, or whatever the line says after the slash.
    pub network: String,
    /// The number before the slash (not yet checked against 65535).
    pub port: u32,
    /// The official name first, then the aliases.
    pub names: Vec<String>,
}

// ANCHOR: parse_line
/// Parse one line of a services file, or `None` for a line that holds
/// no entry (blank, comment, or malformed: Go skips those silently).
///
/// Examples: the unit test `parse_services_line_examples` below.
pub fn parse_services_line(line: &str) -> Option<Service> {
    // Everything after a '#' is a comment. Go splits the rest at
    // spaces, tabs, CR and LF (getFields in net/parse.go).
    let line = line.split('#').next().unwrap_or("");
    let mut fields = line
        .split([' ', '\t', '\r', '\n'])
        .filter(|f| !f.is_empty());
    let name = fields.next()?;
    let port_net = fields.next()?; // "80/tcp"
    let (port, network) = port_net.split_once('/')?;
    // Go takes only decimal digits and wants at least one.
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let port: u32 = port.parse().ok().filter(|&p| p < FILE_PORT_LIMIT)?;
    if port == 0 {
        return None;
    }
    let names = std::iter::once(name).chain(fields).map(String::from);
    Some(Service {
        network: network.to_string(),
        port,
        names: names.collect(),
    })
}

#[test]
fn parse_services_line_examples() {
    use crate::parse_services_line;
    let s = parse_services_line("http 80/tcp www # WWW");
    let port_net = s.as_ref().map(|s| (s.port, s.network.as_str()));
    assert_eq!(port_net, Some((80, "tcp")));
    assert_eq!(s.map(|s| s.names), Some(vec!["http".into(), "www".into()]));
    assert!(parse_services_line("# just a comment").is_none());
    assert!(parse_services_line("bad 0/tcp").is_none()); // port 0
}
// ANCHOR_END: parse_line

/// Parse a whole services file; lines that hold no entry are skipped.
pub fn parse_services(text: &str) -> Vec<Service> {
    text.lines().filter_map(parse_services_line).collect()
}

/// Every service the program knows: Go's built-in entries first, then
/// the file's lines in order. A later entry wins over an earlier one
/// for the same name, as in Go's own resolver, where the file's lines
/// are stored into the same map as the built-in table, one after the
/// other (glibc, on Go's cgo path, takes the first matching line of
/// the file instead). Go's map keeps each name's case, though: there a
/// later `FOO` does not replace `foo` (and is never found); here it
/// does.
#[derive(Debug, Clone, Default)]
pub struct ServiceTable {
    entries: Vec<Service>,
}

impl ServiceTable {
    /// An empty table (not even Go's built-in entries).
    pub fn empty() -> ServiceTable {
        ServiceTable::default()
    }

    /// Go's built-in entries only: what Go knows when the services
    /// file is missing.
    pub fn builtin() -> ServiceTable {
        let entries = BUILTIN.iter().map(|&(network, name, port)| Service {
            network: network.to_string(),
            port,
            names: vec![name.to_string()],
        });
        ServiceTable {
            entries: entries.collect(),
        }
    }

    /// Add entries (from a services file) after those already there.
    pub fn add(&mut self, services: Vec<Service>) {
        self.entries.extend(services);
    }

    /// Every entry, built-in ones first, in the order they were added.
    pub fn entries(&self) -> &[Service] {
        &self.entries
    }

    // ANCHOR: find
    /// The port of `name` on `network` (`tcp` or `udp`), ignoring ASCII
    /// case. The last entry that matches wins.
    pub fn find(&self, network: &str, name: &str) -> Option<u32> {
        self.entries
            .iter()
            .rev()
            .filter(|s| s.network == network)
            .find(|s| s.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
            .map(|s| s.port)
    }
    // ANCHOR_END: find
}

/// What can go wrong, worded as Go 1.19's `*net.AddrError`:
/// `address <what>: <problem>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupError {
    /// A network Go does not look names up on, e.g. `sctp`.
    UnknownNetwork { network: String },
    /// The name is in neither the file nor the built-in table.
    /// `network` is the table searched (`tcp4` is searched as `tcp`).
    UnknownPort { network: String, service: String },
    /// A number (given, or from the file) outside 0..=65535.
    InvalidPort { service: String },
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::UnknownNetwork { network } => {
                write!(f, "address {network}: unknown network")
            }
            LookupError::UnknownPort { network, service } => {
                write!(f, "address {network}/{service}: unknown port")
            }
            LookupError::InvalidPort { service } => {
                write!(f, "address {service}: invalid port")
            }
        }
    }
}

impl std::error::Error for LookupError {}

// ANCHOR: parse_port
/// Go's `parsePort` (`net/port.go`, Go 1.19): is the service a decimal
/// number, with an optional `+` or `-` sign? `Some(n)` if so, `None`
/// if it is a name to look up. The empty string means port 0.
///
/// Go checks that a character is a digit before it looks at the number
/// so far: once that has reached 2^30, the next digit ends the reading,
/// and the rest is never read. `10737418240x` is a number (an invalid
/// port); `1073741824x` is a name, its `x` read just after 2^30. The
/// result is clamped to 2^30 - 1 (or -2^30), out of range either way.
///
/// `99999999999x` gets the same answer in Go by another road: its
/// first ten digits wrap round (see below) to 1410065407, still past
/// 2^30, so Go too stops before the `x`.
///
/// A difference, on purpose: Go keeps the number in a `uint32` and
/// multiplies it by ten unchecked (only adding the digit is checked),
/// so a product past 2^32 wraps round, modulo 2^32, and if what is
/// left is below 2^30 Go reads on: `4294967300` is port 4,
/// `8589934672` port 80, `42949673000` port 40, `42949673000x` a name
/// (golang/go#80168). Here nothing wraps: all four are out of range,
/// invalid ports. (Where it is adding the digit that passes 2^32, as
/// in `4294967296` to `4294967299`, Go stops too: an invalid port.)
///
/// Examples: the unit test `parse_port_examples` below.
pub fn parse_port(service: &str) -> Option<i64> {
    const CUTOFF: i64 = 1 << 30;
    if service.is_empty() {
        return Some(0);
    }
    let (negative, digits) = match service.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, service.strip_prefix('+').unwrap_or(service)),
    };
    let mut n: i64 = 0;
    for b in digits.bytes() {
        if !b.is_ascii_digit() {
            return None; // a name after all
        }
        if n >= CUTOFF {
            break; // far out of range: the rest is not read
        }
        n = n * 10 + i64::from(b - b'0');
    }
    Some(match negative {
        false => n.min(CUTOFF - 1),
        true => -n.min(CUTOFF),
    })
}

#[test]
fn parse_port_examples() {
    use crate::parse_port;
    assert_eq!(parse_port("23"), Some(23));
    assert_eq!(parse_port("-1"), Some(-1));
    assert_eq!(parse_port("99999999999x"), Some((1 << 30) - 1));
    assert_eq!(parse_port("1073741824x"), None); // a name
    assert_eq!(parse_port("8589934672"), Some((1 << 30) - 1)); // Go: 80
    assert_eq!(parse_port("telnet"), None);
    assert_eq!(parse_port(""), Some(0));
}
// ANCHOR_END: parse_port

// ANCHOR: lookup_port
/// Go's `net.LookupPort(network, service)`, searching `table`.
pub fn lookup_port(
    table: &ServiceTable,
    network: &str,
    service: &str,
) -> Result<u16, LookupError> {
    let port = match parse_port(service) {
        // A number: no lookup, and the network is not even checked.
        Some(n) => n,
        None => {
            // Which table to search. Go treats an empty network as
            // "ip": Go's table has no entries for it, so only `/ip`
            // lines in the services file (a usual one has none) could
            // answer.
            let table_name = match network {
                "tcp" | "tcp4" | "tcp6" => "tcp",
                "udp" | "udp4" | "udp6" => "udp",
                "" => "ip",
                _ => {
                    let network = network.to_string();
                    return Err(LookupError::UnknownNetwork { network });
                }
            };
            match table.find(table_name, service) {
                Some(p) => i64::from(p),
                None => {
                    return Err(LookupError::UnknownPort {
                        network: table_name.to_string(),
                        service: service.to_string(),
                    });
                }
            }
        }
    };
    u16::try_from(port).map_err(|_| LookupError::InvalidPort {
        service: service.to_string(),
    })
}
// ANCHOR_END: lookup_port

#[test]
fn lookup_examples() {
    use crate::{ServiceTable, lookup_port, parse_services};

    let mut table = ServiceTable::builtin();
    table.add(parse_services("http 80/tcp www # the web\n"));
    assert_eq!(lookup_port(&table, "tcp", "WWW"), Ok(80));
    assert_eq!(lookup_port(&table, "tcp", "telnet"), Ok(23)); // built in
    assert_eq!(lookup_port(&table, "foo", "8080"), Ok(8080)); // a number
    let err = lookup_port(&table, "tcp", "nosuchservice");
    let err = err.map_err(|e| e.to_string());
    let want = "address tcp/nosuchservice: unknown port";
    assert_eq!(err, Err(want.to_string()));
}

#[cfg(test)]
mod tests;
