//! Small pieces shared by the echo servers of this crate.
//!
//! Everything that teaches sockets lives in the binaries under
//! `src/bin/`. What is here is plain logic worth a unit test: turning
//! the command-line argument into an address to listen on, reading a
//! number of seconds, and telling a timeout or a "too many open
//! files" error apart from the others.

pub mod cli;

use std::io;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::Duration;

/// How long an accept loop pauses after `EMFILE`/`ENFILE` (the process
/// or the system has no file descriptor left for the new connection).
///
/// Without a pause the loop would spin: the pending connection stays
/// in the kernel's queue, so the next `accept(2)` fails again at once.
/// A short rest lets other connections finish and free descriptors.
pub const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// The longest option value in seconds that the servers accept (a day).
pub const MAX_SECONDS: u64 = 86_400;

/// Turn a server's optional argument into an IPv4 address to bind.
///
/// - no argument: `127.0.0.1:<default_port>`;
/// - a bare port (`1201`, or `0` for "any free port"): `127.0.0.1:PORT`;
/// - an IPv4 address and port (`0.0.0.0:1201`): as given.
///
/// IPv6 is refused on purpose: these servers mirror Go programs that
/// resolve their address with the `"tcp4"` network, which is IPv4 only.
/// The error text says what to give instead.
///
/// ```
/// use echo_threaded::listen_addr_v4;
/// assert_eq!(listen_addr_v4(None, 1201).unwrap().to_string(), "127.0.0.1:1201");
/// assert_eq!(listen_addr_v4(Some("0"), 1201).unwrap().to_string(), "127.0.0.1:0");
/// assert_eq!(
///     listen_addr_v4(Some("0.0.0.0:7"), 1201).unwrap().to_string(),
///     "0.0.0.0:7"
/// );
/// assert!(listen_addr_v4(Some("[::1]:7"), 1201).is_err());
/// assert!(listen_addr_v4(Some("localhost:7"), 1201).is_err());
/// ```
pub fn listen_addr_v4(
    arg: Option<&str>,
    default_port: u16,
) -> Result<SocketAddrV4, String> {
    let Some(arg) = arg else {
        return Ok(SocketAddrV4::new(Ipv4Addr::LOCALHOST, default_port));
    };
    if let Ok(port) = arg.parse::<u16>() {
        return Ok(SocketAddrV4::new(Ipv4Addr::LOCALHOST, port));
    }
    match arg.parse::<SocketAddr>() {
        Ok(SocketAddr::V4(a)) => Ok(a),
        Ok(SocketAddr::V6(_)) => Err(format!(
            "{arg} is an IPv6 address: this server listens on IPv4 only, like the \
             book's \"tcp4\" (give 0.0.0.0:PORT, or use threaded-ip-echo-server)"
        )),
        Err(_) if arg.bytes().all(|b| b.is_ascii_digit()) => Err(format!(
            "{arg} is not a port: a port is a number from 0 to 65535"
        )),
        Err(_) => Err(format!(
            "{arg} is not a port or an IPv4 address with a port \
             (give e.g. {default_port} or 0.0.0.0:{default_port})"
        )),
    }
}

/// The string that `threaded-ip-echo-server` hands to
/// `TcpListener::bind`: a bare port means `127.0.0.1:PORT`, anything
/// else is passed on untouched for the system resolver to read.
///
/// ```
/// use echo_threaded::listen_service;
/// assert_eq!(listen_service(None, 1200), "127.0.0.1:1200");
/// assert_eq!(listen_service(Some("1300"), 1200), "127.0.0.1:1300");
/// assert_eq!(listen_service(Some("[::1]:0"), 1200), "[::1]:0");
/// assert_eq!(listen_service(Some("localhost:0"), 1200), "localhost:0");
/// ```
pub fn listen_service(arg: Option<&str>, default_port: u16) -> String {
    match arg {
        None => format!("127.0.0.1:{default_port}"),
        Some(a) if a.parse::<u16>().is_ok() => format!("127.0.0.1:{a}"),
        Some(a) => a.to_string(),
    }
}

/// Read an option's value: a whole number of seconds, 1 to a day.
///
/// ```
/// use echo_threaded::seconds;
/// use std::time::Duration;
/// assert_eq!(seconds("--idle-timeout", "30"), Ok(Duration::from_secs(30)));
/// assert!(seconds("--idle-timeout", "0").is_err());
/// assert!(seconds("--idle-timeout", "1.5").is_err());
/// assert!(seconds("--keepalive", "").is_err());
/// ```
pub fn seconds(option: &str, value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(s) if (1..=MAX_SECONDS).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err(format!(
            "{option} wants a whole number of seconds from 1 to {MAX_SECONDS}, not {value:?}"
        )),
    }
}

/// Did a read or write fail because its timeout (`SO_RCVTIMEO` /
/// `SO_SNDTIMEO`, set by `set_read_timeout`) expired?
///
/// On Linux the kernel reports an expired socket timeout as `EAGAIN`,
/// which Rust calls `WouldBlock`; other systems say `ETIMEDOUT`.
/// Go turns both into its own "i/o timeout" error.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Is this `accept(2)` error "no file descriptor left"? (`EMFILE` = 24:
/// this process is at its `ulimit -n`; `ENFILE` = 23: the whole
/// system is.) The accept loop then pauses for [`ACCEPT_BACKOFF`].
pub fn is_out_of_descriptors(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn ports_out_of_range_and_garbage_are_refused() {
        assert!(listen_addr_v4(Some("65536"), 1).is_err());
        assert!(listen_addr_v4(Some("-1"), 1).is_err());
        assert!(listen_addr_v4(Some(""), 1).is_err());
        assert!(listen_addr_v4(Some("1.2.3:4"), 1).is_err());
        assert!(listen_addr_v4(Some("1.2.3.4"), 1).is_err());
    }

    #[test]
    fn the_message_names_the_bad_argument() {
        let e = listen_addr_v4(Some("99999"), 1201).unwrap_err();
        assert!(e.contains("99999") && e.contains("65535"), "{e}");
        let e = listen_addr_v4(Some("[::]:1201"), 1201).unwrap_err();
        assert!(e.contains("IPv6"), "{e}");
    }

    #[test]
    fn errors_are_classified() {
        assert!(is_timeout(&io::Error::from(io::ErrorKind::WouldBlock)));
        assert!(!is_timeout(&io::Error::from(
            io::ErrorKind::ConnectionReset
        )));
        assert!(is_out_of_descriptors(&io::Error::from_raw_os_error(24)));
        assert!(!is_out_of_descriptors(&io::Error::from_raw_os_error(104)));
    }
}
