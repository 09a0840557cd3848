//! What the four UDP programs share: the daytime text and its
//! once-a-second cache, the clients' address lookup and their error
//! messages, and how a timeout is recognised. The servers' address
//! argument and bind errors are in `listen.rs`, the same file in every
//! crate with a server; the safe printing of a stranger's bytes is in
//! `printable.rs`.
//!
//! The binaries in `src/bin/` do the socket calls, so that each reads
//! like the Go program it mirrors.

pub mod cli;
pub mod listen;
pub mod printable;

pub use printable::printable;

use anyhow::{Context, Result, anyhow, bail};
use jiff::Timestamp;
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use std::io::{self, ErrorKind};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

// ANCHOR: timeout
/// How long a client waits for the reply datagram. UDP never resends
/// a lost datagram, so without a limit a lost request or reply would
/// leave the client waiting forever. One `recv` waits for one
/// datagram, and a connected socket takes datagrams from its peer
/// only, so this limit is for the whole wait. `NETPROG_TIME_SCALE`
/// scales it ([`cli::time_limit`]: the tests wait a tenth of it).
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(3);
// ANCHOR_END: timeout

/// The layout `date` uses in the C locale: weekday, month, day padded
/// with a space (`Nov  2`), 24-hour time, the zone's abbreviation
/// (`UTC`, `EST`, `IST`), year. It is the form the book's telnet
/// sample shows (`Sun Aug 29 17:25:19 EST 2010`).
pub const DATE_FORMAT: &str = "%a %b %e %H:%M:%S %Z %Y";

// ANCHOR: clock
/// The bytes the server sends, formatted at most once per second.
///
/// The text only changes once a second, but a busy server is asked
/// for it thousands of times a second. Reading the clock is cheap (a
/// vDSO call, no system call); converting to local time and
/// formatting is not. So the last line is kept with the second it
/// belongs to and reused until the clock moves on. No allocation
/// happens per request: the buffer is reused.
#[derive(Debug, Default)]
pub struct DaytimeClock {
    /// The Unix second `line` was made for (None: nothing yet).
    second: Option<i64>,
    /// The line with its `\r\n`, ready to write to the socket.
    line: String,
}

impl DaytimeClock {
    /// An empty cache: the first call formats.
    pub fn new() -> DaytimeClock {
        DaytimeClock::default()
    }

    /// The reply for this moment in the system's time zone (`TZ` or
    /// `/etc/localtime`, as `date` uses).
    pub fn reply_now(&mut self) -> Result<&[u8], jiff::Error> {
        self.reply_at(Timestamp::now(), TimeZone::system)
    }

    /// The reply for `now`. `tz` is only asked for when the second
    /// changed, since finding the system zone takes a lock.
    pub fn reply_at(
        &mut self,
        now: Timestamp,
        tz: impl FnOnce() -> TimeZone,
    ) -> Result<&[u8], jiff::Error> {
        let second = now.as_second();
        if self.second != Some(second) {
            self.second = None; // stays None if formatting fails
            self.line.clear();
            let zdt = now.to_zoned(tz());
            BrokenDownTime::from(&zdt).format(DATE_FORMAT, &mut self.line)?;
            // RFC 867 asks for one line of ASCII; Internet text
            // protocols end lines with CR LF (inetd's daytime does).
            self.line.push_str("\r\n");
            self.second = Some(second);
        }
        Ok(self.line.as_bytes())
    }
}
// ANCHOR_END: clock

/// `host:port` to one socket address, an IPv4 one when the name has
/// one (Go's "udp4" takes IPv4 only, and finds nothing for a name that
/// has IPv6 addresses alone). getaddrinfo(3) asks the sources that
/// /etc/nsswitch.conf names: usually /etc/hosts, then DNS.
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
/// What a failed receive on a connected client socket means, after
/// waiting at most `limit` (the read timeout that was set).
pub fn recv_error(
    err: io::Error,
    server: SocketAddr,
    waiting_for: &str,
    limit: Duration,
) -> anyhow::Error {
    if err.kind() == ErrorKind::ConnectionRefused {
        // The kernel got "ICMP port unreachable" for our request and
        // hands it to the connected socket as ECONNREFUSED: nothing
        // listens on that UDP port.
        return anyhow!("{server}: Connection refused (ICMP port unreachable)");
    }
    if is_timeout(&err) {
        // SO_RCVTIMEO ran out: EAGAIN, which std calls WouldBlock.
        return anyhow!(
            "{server}: no reply within {} (lost, or nobody answers)",
            cli::Secs(limit)
        );
    }
    anyhow!("{server}: waiting for {waiting_for}: {err}")
}
// ANCHOR_END: recv_error

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
        let est = || TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap();
        let t3: Timestamp = "2026-11-02T05:00:00Z".parse().unwrap();
        let reply = clock.reply_at(t3, est).unwrap();
        assert_eq!(reply, b"Mon Nov  2 00:00:00 EST 2026\r\n");
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
    fn the_reply_timeout_is_the_page_s_3_s() {
        assert_eq!(REPLY_TIMEOUT, Duration::from_secs(3));
    }

    #[test]
    fn receive_errors_say_what_was_awaited() {
        let a: SocketAddr = "127.0.0.1:1200".parse().unwrap();
        let t = REPLY_TIMEOUT;
        let refused = io::Error::from(ErrorKind::ConnectionRefused);
        let e = recv_error(refused, a, "the time", t).to_string();
        assert_eq!(
            e,
            "127.0.0.1:1200: Connection refused (ICMP port unreachable)"
        );
        let timeout = io::Error::from(ErrorKind::WouldBlock);
        let e = recv_error(timeout, a, "the echo", t).to_string();
        assert!(e.starts_with("127.0.0.1:1200: no reply within 3 s"), "{e}");
        // The limit named is the one used: a scaled one, to the ms.
        let timeout = io::Error::from(ErrorKind::WouldBlock);
        let short = Duration::from_millis(300);
        let e = recv_error(timeout, a, "the echo", short).to_string();
        assert!(
            e.starts_with("127.0.0.1:1200: no reply within 0.3 s"),
            "{e}"
        );
        let other = io::Error::from(ErrorKind::PermissionDenied);
        let e = recv_error(other, a, "the echo", t).to_string();
        assert!(e.starts_with("127.0.0.1:1200: waiting for the echo"), "{e}");
    }
}
