//! The pure parts of the daytime programs: the time line the server
//! sends and a cache that formats it once a second. The server's
//! optional port-or-address argument is read by `listen.rs`, which
//! every server of the workspace shares.
//!
//! The binaries in `src/bin/` do the networking; everything here can
//! be tested without a socket.

pub mod cli;
pub mod listen;

use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use jiff::{Timestamp, Zoned};
use std::io::Write;

// ANCHOR: format
/// The layout `date` uses in the C locale: weekday, month, day padded
/// with a space (`Nov  2`), 24-hour time, the zone's abbreviation
/// (`UTC`, `EST`, `IST`), year. It is the form the book's telnet
/// sample shows (`Sun Aug 29 17:25:19 EST 2010`).
pub const DATE_FORMAT: &str = "%a %b %e %H:%M:%S %Z %Y";

/// One daytime line, without a line ending, as `date` would print it.
///
/// Examples: the unit test `daytime_line_examples` below.
pub fn daytime_line(zdt: &Zoned) -> Result<String, jiff::Error> {
    let mut line = String::with_capacity(32);
    BrokenDownTime::from(zdt).format(DATE_FORMAT, &mut line)?;
    Ok(line)
}

#[test]
fn daytime_line_examples() -> Result<(), Box<dyn std::error::Error>> {
    use jiff::{civil::date, tz::TimeZone};

    let tz = TimeZone::posix("EST5EDT,M3.2.0,M11.1.0")?;
    let zdt = date(2026, 11, 2).at(0, 0, 0, 0).to_zoned(tz)?;
    assert_eq!(daytime_line(&zdt)?, "Mon Nov  2 00:00:00 EST 2026");
    Ok(())
}
// ANCHOR_END: format

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

/// A client's result on stdout, as the bytes are: a server's reply
/// need not be UTF-8, and Go prints it unchanged. A closed stdout ends
/// the program as `outln!` does (quietly, status 141); any other
/// failure is one line on stderr, and status 141 too.
pub fn print_bytes(bytes: &[u8]) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            elogln!("cannot write to stdout: {e}");
        }
        std::process::exit(cli::EXIT_PIPE);
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use jiff::civil::date;

    fn est() -> TimeZone {
        TimeZone::posix("EST5EDT,M3.2.0,M11.1.0").unwrap()
    }

    #[test]
    fn single_digit_days_are_space_padded_like_date() {
        let zdt = date(2026, 11, 2).at(0, 0, 0, 0).to_zoned(est()).unwrap();
        assert_eq!(daytime_line(&zdt).unwrap(), "Mon Nov  2 00:00:00 EST 2026");
    }

    #[test]
    fn summer_time_changes_the_abbreviation() {
        let zdt = date(2026, 7, 14).at(13, 5, 9, 0).to_zoned(est()).unwrap();
        assert_eq!(daytime_line(&zdt).unwrap(), "Tue Jul 14 13:05:09 EDT 2026");
    }

    #[test]
    fn utc_and_half_hour_zones() {
        let ts: Timestamp = "2026-11-22T02:17:06.984501214Z".parse().unwrap();
        let utc = ts.to_zoned(TimeZone::UTC);
        assert_eq!(daytime_line(&utc).unwrap(), "Sun Nov 22 02:17:06 UTC 2026");
        let ist = ts.to_zoned(TimeZone::posix("IST-5:30").unwrap());
        assert_eq!(daytime_line(&ist).unwrap(), "Sun Nov 22 07:47:06 IST 2026");
    }

    #[test]
    fn the_reply_ends_with_cr_lf() {
        let ts: Timestamp = "2026-11-22T02:17:06Z".parse().unwrap();
        let mut clock = DaytimeClock::new();
        let reply = clock.reply_at(ts, || TimeZone::UTC).unwrap();
        assert_eq!(reply, b"Sun Nov 22 02:17:06 UTC 2026\r\n");
    }

    #[test]
    fn the_clock_formats_once_per_second() {
        let mut clock = DaytimeClock::new();
        let t0: Timestamp = "2026-11-22T02:17:06.1Z".parse().unwrap();
        let t1: Timestamp = "2026-11-22T02:17:06.9Z".parse().unwrap();
        let t2: Timestamp = "2026-11-22T02:17:07Z".parse().unwrap();
        let mut asked = 0;
        let mut tz = || {
            asked += 1;
            TimeZone::UTC
        };
        clock.reply_at(t0, &mut tz).unwrap();
        let same = clock.reply_at(t1, &mut tz).unwrap().to_vec();
        assert_eq!(same, b"Sun Nov 22 02:17:06 UTC 2026\r\n");
        let next = clock.reply_at(t2, &mut tz).unwrap().to_vec();
        assert_eq!(next, b"Sun Nov 22 02:17:07 UTC 2026\r\n");
        assert_eq!(asked, 2, "the zone is looked up once per new second");
    }

    #[test]
    fn the_system_zone_gives_a_line() {
        let mut clock = DaytimeClock::new();
        let reply = clock.reply_now().unwrap();
        assert!(reply.ends_with(b"\r\n"));
        assert!(reply.is_ascii());
    }
}
