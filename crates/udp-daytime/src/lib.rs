//! What the four UDP programs share: the daytime text and its
//! once-a-second cache, the servers' port-or-address argument, the
//! clients' address lookup and their error messages, and a safe way
//! to log bytes that came from anybody.
//!
//! The binaries in `src/bin/` do the socket calls, so that each reads
//! like the Go program it mirrors.

pub mod cli;

use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use std::fmt::Write as _;
use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// How long a client waits for the reply datagram. UDP never resends
/// a lost datagram, so without a limit a lost request or reply would
/// leave the client waiting forever.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(3);

// ANCHOR: clock
/// The layout `date` uses in the C locale, with the zone abbreviation:
/// `Sun Nov 22 02:17:06 UTC 2026`.
pub const DATE_FORMAT: &str = "%a %b %e %H:%M:%S %Z %Y";

/// The reply datagram, formatted at most once per second and reused
/// in between, so that a busy server neither allocates nor converts
/// to local time for every request.
#[derive(Debug, Default)]
pub struct DaytimeClock {
    second: Option<i64>,
    line: String,
}

impl DaytimeClock {
    pub fn new() -> DaytimeClock {
        DaytimeClock::default()
    }

    /// The reply for this moment, in the zone `date` would use.
    pub fn reply_now(&mut self) -> Result<&[u8], jiff::Error> {
        self.reply_at(Timestamp::now(), TimeZone::system)
    }

    /// The reply for `now`; `tz` is only called when the second changed.
    ///
    /// ```
    /// use jiff::{Timestamp, tz::TimeZone};
    /// let mut clock = udp_daytime::DaytimeClock::new();
    /// let t: Timestamp = "2026-11-02T05:00:00Z".parse()?;
    /// let est = || TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap();
    /// assert_eq!(clock.reply_at(t, est)?, b"Mon Nov  2 00:00:00 EST 2026\r\n");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn reply_at(
        &mut self,
        now: Timestamp,
        tz: impl FnOnce() -> TimeZone,
    ) -> Result<&[u8], jiff::Error> {
        let second = now.as_second();
        if self.second != Some(second) {
            self.second = None;
            self.line.clear();
            let zdt = now.to_zoned(tz());
            BrokenDownTime::from(&zdt).format(DATE_FORMAT, &mut self.line)?;
            // One line of ASCII, CR LF at the end, as inetd's daytime.
            self.line.push_str("\r\n");
            self.second = Some(second);
        }
        Ok(self.line.as_bytes())
    }
}
// ANCHOR_END: clock

/// Where a server listens: a bare port (`1200`; `0` for any free
/// port) means 127.0.0.1; an address with a port (`0.0.0.0:1200`,
/// `[::]:1200`) is used as given.
pub fn listen_addr(arg: &str) -> Result<SocketAddr> {
    if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
        let port: u16 = arg.parse().ok().with_context(|| {
            format!("port {arg} is out of range (0 to 65535)")
        })?;
        return Ok(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
    }
    if let Some(port) = arg.strip_prefix(':') {
        bail!(
            "`{arg}` is Go's way to say every interface: write 0.0.0.0:{port} \
             for that, or just {port} for this machine only"
        );
    }
    arg.parse().map_err(|_| {
        anyhow!(
            "`{arg}` is neither a port (1200) nor an IP address with a port \
             (0.0.0.0:1200, [::]:1200)"
        )
    })
}

/// `host:port` to one socket address, an IPv4 one when the name has
/// one (Go's "udp4"). getaddrinfo(3) reads /etc/hosts, then asks DNS.
pub fn resolve(service: &str) -> Result<SocketAddr> {
    if !service.contains(':') {
        bail!("`{service}` has no port: give host:port, e.g. localhost:1200");
    }
    if service.starts_with(':') {
        bail!(
            "`{service}` has no host: give host:port, e.g. localhost{service}"
        );
    }
    let addrs: Vec<SocketAddr> = service
        .to_socket_addrs()
        .with_context(|| format!("resolving {service}"))?
        .collect();
    let addr = addrs.iter().find(|a| a.is_ipv4()).or(addrs.first());
    addr.copied()
        .with_context(|| format!("resolving {service}: no address found"))
}

// ANCHOR: recv_error
/// What a failed receive on a connected client socket means.
pub fn recv_error(
    err: io::Error,
    server: SocketAddr,
    waiting_for: &str,
) -> anyhow::Error {
    match err.kind() {
        // The kernel got "ICMP port unreachable" for our request and
        // hands it to the connected socket as ECONNREFUSED.
        ErrorKind::ConnectionRefused => anyhow!(
            "waiting for {waiting_for} from {server}: {err}; nothing listens on that \
             UDP port (the kernel answered with ICMP port unreachable)"
        ),
        // SO_RCVTIMEO ran out: EAGAIN, which std calls WouldBlock.
        ErrorKind::WouldBlock | ErrorKind::TimedOut => anyhow!(
            "waiting for {waiting_for} from {server}: no reply within {} s \
             (lost on the way, or the server does not answer)",
            REPLY_TIMEOUT.as_secs()
        ),
        _ => anyhow!("waiting for {waiting_for} from {server}: {err}"),
    }
}
// ANCHOR_END: recv_error

// ANCHOR: printable
/// Bytes from the network, made safe to print on one line: one
/// trailing line end dropped, control characters and bytes that are
/// not UTF-8 written as escapes (`\x1b`, `\xff`), so a datagram
/// cannot move the cursor or clear the screen of whoever reads the
/// log.
///
/// ```
/// assert_eq!(udp_daytime::printable(b"Hi!\n"), "Hi!");
/// assert_eq!(udp_daytime::printable(b"\x1b[2J\xff\r\n"), "\\x1b[2J\\xff");
/// ```
pub fn printable(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                for b in c.to_string().bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}
// ANCHOR_END: printable

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn the_reply_is_date_s_layout_with_cr_lf() {
        let ts: Timestamp = "2026-11-22T02:17:06.98Z".parse().unwrap();
        let mut clock = DaytimeClock::new();
        let reply = clock.reply_at(ts, || TimeZone::UTC).unwrap();
        assert_eq!(reply, b"Sun Nov 22 02:17:06 UTC 2026\r\n");
        let ist = || TimeZone::posix("IST-5:30").unwrap();
        let t2: Timestamp = "2026-07-04T23:59:59Z".parse().unwrap();
        let reply = clock.reply_at(t2, ist).unwrap();
        assert_eq!(reply, b"Sun Jul  5 05:29:59 IST 2026\r\n");
    }

    #[test]
    fn the_clock_formats_once_per_second() {
        let mut clock = DaytimeClock::new();
        let mut asked = 0;
        let mut tz = || {
            asked += 1;
            TimeZone::UTC
        };
        for t in ["2026-11-22T02:17:06Z", "2026-11-22T02:17:06.999Z"] {
            let ts: Timestamp = t.parse().unwrap();
            clock.reply_at(ts, &mut tz).unwrap();
        }
        let ts: Timestamp = "2026-11-22T02:17:07Z".parse().unwrap();
        let r = clock.reply_at(ts, &mut tz).unwrap().to_vec();
        assert_eq!(r, b"Sun Nov 22 02:17:07 UTC 2026\r\n");
        assert_eq!(asked, 2);
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(listen_addr("1200").unwrap().to_string(), "127.0.0.1:1200");
        assert_eq!(listen_addr("0").unwrap().to_string(), "127.0.0.1:0");
        assert_eq!(listen_addr("0.0.0.0:9").unwrap().to_string(), "0.0.0.0:9");
        assert_eq!(listen_addr("[::]:1200").unwrap().to_string(), "[::]:1200");
        let e = listen_addr("65536").unwrap_err().to_string();
        assert_eq!(e, "port 65536 is out of range (0 to 65535)");
        let e = listen_addr(":1234").unwrap_err().to_string();
        assert!(e.contains("write 0.0.0.0:1234"), "{e}");
        for bad in ["", "x", "localhost:1", "1.2.3.4", "-5"] {
            let e = listen_addr(bad).unwrap_err().to_string();
            assert!(e.contains("is neither a port"), "{bad}: {e}");
        }
    }

    #[test]
    fn resolving() {
        assert_eq!(
            resolve("127.0.0.1:1200").unwrap().to_string(),
            "127.0.0.1:1200"
        );
        assert_eq!(resolve("[::1]:7").unwrap().to_string(), "[::1]:7");
        assert!(resolve("localhost:1200").unwrap().ip().is_loopback());
        let e = resolve("localhost").unwrap_err().to_string();
        assert!(e.contains("has no port"), "{e}");
        let e = resolve(":1200").unwrap_err().to_string();
        assert!(e.contains("has no host"), "{e}");
        let e = format!("{:#}", resolve("localhost:99999").unwrap_err());
        assert!(e.contains("invalid port value"), "{e}");
    }

    #[test]
    fn receive_errors_say_what_was_awaited() {
        let a: SocketAddr = "127.0.0.1:1200".parse().unwrap();
        let refused = io::Error::from(ErrorKind::ConnectionRefused);
        let e = recv_error(refused, a, "the time").to_string();
        assert!(
            e.starts_with("waiting for the time from 127.0.0.1:1200: "),
            "{e}"
        );
        assert!(e.contains("ICMP port unreachable"), "{e}");
        let timeout = io::Error::from(ErrorKind::WouldBlock);
        let e = recv_error(timeout, a, "the echo").to_string();
        assert!(
            e.contains("the echo from 127.0.0.1:1200: no reply within 3 s"),
            "{e}"
        );
    }

    #[test]
    fn printable_text() {
        assert_eq!(printable(b""), "");
        assert_eq!(printable(b"\n"), "");
        assert_eq!(printable(b"STOP\r\n"), "STOP");
        assert_eq!(printable(b"two\nlines\n"), "two\\x0alines");
        assert_eq!(printable(b"tab\there"), "tab\\x09here");
        assert_eq!(printable("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(printable(b"\x00\x80ok"), "\\x00\\x80ok");
        assert_eq!(printable("\u{85}".as_bytes()), "\\xc2\\x85");
    }
}
