//! What the echo servers of this crate share beyond `listen.rs`: the
//! listening socket they make (a long accept queue, both address
//! families on `[::]`), the keep-alive they turn on for every client,
//! and small pieces of logic worth a unit test.
//!
//! Everything that teaches the echo itself lives in the binaries under
//! `src/bin/`, each read top to bottom like the Go program it mirrors.

pub mod cli;
pub mod deadline;
pub mod listen;

use socket2::{Domain, Protocol, SockRef, Socket, TcpKeepalive, Type};
use std::ffi::OsStr;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// The longest option value in seconds that the servers accept (a day).
pub const MAX_SECONDS: u64 = 86_400;

// ANCHOR: keepalive
/// The keep-alive period Go gives every connection its listeners
/// accept: `defaultTCPKeepAlive` (net/dial.go, Go 1.19), set by
/// `TCPListener.accept` (net/tcpsock_posix.go) since Go 1.13. A test
/// builds a Go server and reads the options off its sockets.
pub const GO_KEEPALIVE: Duration = Duration::from_secs(15);

/// Turn on TCP keep-alive as Go does on an accepted connection:
/// `SO_KEEPALIVE`, and both `TCP_KEEPIDLE` (silence before the first
/// probe) and `TCP_KEEPINTVL` (between probes) set to `period`. The
/// number of probes stays the kernel's (`net.ipv4.tcp_keepalive_probes`,
/// 9 by default); Go 1.19 has no way to set it either.
///
/// A probe is an empty segment numbered one below the next byte, so
/// the peer's kernel must answer it with an ACK, without waking the
/// peer program. A host that no longer has the connection (it
/// rebooted) answers with a reset, and a host that is gone does not
/// answer: either way the blocked `read` then fails and the thread is
/// freed. Std has no call for these options; socket2 makes the
/// `setsockopt(2)` calls.
pub fn keep_alive(conn: &TcpStream, period: Duration) -> io::Result<()> {
    let ka = TcpKeepalive::new().with_time(period).with_interval(period);
    SockRef::from(conn).set_tcp_keepalive(&ka)
}
// ANCHOR_END: keepalive

// ANCHOR: listen
/// socket(2), bind(2) and listen(2), as `TcpListener::bind` does, with
/// two differences that make the listener Go's:
///
/// - the accept queue is as long as the kernel allows (see
///   [`listen_backlog`]), not std's 128, so that a crowd of clients
///   connecting at once is not turned away;
/// - an IPv6 socket also accepts IPv4 clients (`IPV6_V6ONLY` off),
///   so `[::]:PORT` listens on both families whatever the system's
///   `net.ipv6.bindv6only` says. Go turns the option off the same way
///   (net/sockopt_linux.go), which is why its `":1201"` is dual-stack.
pub fn listen_tcp(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(
        Domain::for_address(addr),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    if addr.is_ipv6() {
        socket.set_only_v6(false)?;
    }
    // SO_REUSEADDR: bind even while old connections on this port are
    // in TIME_WAIT (std and Go set it too), so a restart works at once.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(listen_backlog())?;
    Ok(socket.into())
}

/// The accept queue to ask for: the system's maximum,
/// `net.core.somaxconn`, read from /proc the way Go 1.19 does
/// (`maxListenerBacklog`, net/sock_linux.go). The kernel caps any
/// larger request at that value (listen(2)); since Linux 5.4 its
/// default is 4096, before that 128. Where the file cannot be read we
/// ask for 4096 and let the kernel cap it (Go falls back to 128).
pub fn listen_backlog() -> i32 {
    std::fs::read_to_string("/proc/sys/net/core/somaxconn")
        .ok()
        .and_then(|s| s.trim().parse::<i32>().ok())
        .filter(|&n| n > 0)
        .unwrap_or(4096)
}
// ANCHOR_END: listen

/// Listen on the first of `addrs` that binds. The error, when none
/// does, is the first address's, as Go reports the first failure of a
/// dial (net/dial.go, `firstErr`: "the error from the first address
/// is most relevant").
pub fn listen_first(
    addrs: impl ToSocketAddrs,
) -> Result<TcpListener, (io::Error, Option<SocketAddr>)> {
    let mut first = None;
    for addr in addrs.to_socket_addrs().map_err(|e| (e, None))? {
        match listen_tcp(addr) {
            Ok(l) => return Ok(l),
            Err(e) => {
                first.get_or_insert((e, Some(addr)));
            }
        }
    }
    Err(first
        .unwrap_or_else(|| (io::Error::other("the name has no address"), None)))
}

// ANCHOR: place
/// Where threaded-ip-echo-server listens: an address as the other
/// servers take it, or a host name to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A port (on 127.0.0.1) or an address with a port, as
    /// [`listen::listen_addr`] reads it.
    Addr(SocketAddr),
    /// `HOST:PORT`: the system resolver turns HOST into addresses.
    Host(String, u16),
}

/// Read the generic server's argument. What `listen_addr` accepts is
/// used as it says, and a port or `:PORT` that it refuses gets its
/// message, which names the port problem. Anything else must be
/// `HOST:PORT` with a number for PORT; the name is looked up later.
///
/// Examples: the unit test `listen_place_examples` below.
pub fn listen_place(
    arg: Option<&str>,
    default_port: u16,
) -> Result<Place, String> {
    let refused = match listen::listen_addr(arg, default_port) {
        Ok(addr) => return Ok(Place::Addr(addr)),
        Err(e) => e.to_string(),
    };
    let arg = arg.unwrap_or_default();
    if arg.starts_with(':') || arg.bytes().all(|b| b.is_ascii_digit()) {
        return Err(refused); // a port out of range, or Go's ":PORT"
    }
    let host_port = arg.rsplit_once(':');
    let Some((host, port)) = host_port
        .filter(|(h, _)| !h.is_empty() && !h.contains([':', '[', ']']))
    else {
        return Err(format!(
            "invalid address \"{arg}\": give a port, an address with a \
             port ([::]:{default_port}) or HOST:PORT (localhost:{default_port})"
        ));
    };
    match port.parse::<u16>() {
        Ok(p) if port.bytes().all(|b| b.is_ascii_digit()) => {
            Ok(Place::Host(host.to_string(), p))
        }
        _ => Err(format!(
            "invalid port \"{port}\" in \"{arg}\": a port is a number from \
             0 to 65535 (names such as http are not looked up here)"
        )),
    }
}

#[test]
fn listen_place_examples() -> Result<(), std::net::AddrParseError> {
    use crate::{Place, listen_place};
    let p = |a| listen_place(Some(a), 1200);
    let err = |a| p(a).err().unwrap_or_default();
    assert_eq!(p("[::1]:7"), Ok(Place::Addr("[::1]:7".parse()?)));
    assert_eq!(p("localhost:7"), Ok(Place::Host("localhost".into(), 7)));
    assert!(err("70000").contains("0 to 65535"));
    assert!(err(":1301").contains("0.0.0.0:1301"));
    assert!(err("localhost:http").contains("http"));
    Ok(())
}
// ANCHOR_END: place

// ANCHOR: idle
/// How long threaded-ip-echo-server and smoke-test-server let a
/// client be silent (no byte read, none of ours taken) before they
/// close it. Go's originals have no limit. Here it ends connections
/// whose client is gone but whose socket never heard so: after a burst
/// that overflowed the accept queue, Linux can leave such connections
/// established on the server, and keep-alive does not end them (see
/// the page). A minute is long for a program and short for a person.
pub const IDLE_LIMIT: Duration = Duration::from_secs(60);

/// The environment variable that sets another idle limit, in whole
/// seconds.
pub const IDLE_ENV: &str = "NETPROG_IDLE_TIMEOUT";

/// The idle limit: [`IDLE_ENV`] if set, else [`IDLE_LIMIT`], times
/// the factor in `NETPROG_TIME_SCALE` if that is set (the tests use
/// 0.01: the minute becomes 0.6 s). Read once, at start.
pub fn idle_limit() -> Result<Duration, String> {
    let limit = match std::env::var_os(IDLE_ENV) {
        None => IDLE_LIMIT,
        Some(v) => cli::text(&v).and_then(|v| seconds(IDLE_ENV, v))?,
    };
    cli::time_limit(limit)
}
// ANCHOR_END: idle

/// Does a command-line argument look like an option (`-h`, `--x`)?
/// The servers take none they do not know, so it is a usage error.
pub fn is_option(arg: &OsStr) -> bool {
    arg.as_encoded_bytes().starts_with(b"-")
}

/// Read an option's value: a whole number of seconds, 1 to a day.
///
/// Examples: the unit test `seconds_examples` below.
pub fn seconds(option: &str, value: &str) -> Result<Duration, String> {
    match value.parse::<u64>() {
        Ok(s) if (1..=MAX_SECONDS).contains(&s) => Ok(Duration::from_secs(s)),
        _ => Err(format!(
            "{option} wants a whole number of seconds from 1 to \
             {MAX_SECONDS}, not {value:?}"
        )),
    }
}

#[test]
fn seconds_examples() {
    use crate::seconds;
    use std::time::Duration;
    let secs = |v| seconds("--idle-timeout", v);
    assert_eq!(secs("30"), Ok(Duration::from_secs(30)));
    assert!(secs("0").is_err());
    assert!(secs("1.5").is_err());
    assert!(secs("").is_err());
}

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
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn seconds_are_whole_and_bounded() {
        assert_eq!(seconds("--x", "86400"), Ok(Duration::from_secs(86_400)));
        for bad in ["86401", "-1", " 1", "1s", "0x10"] {
            let e = seconds("--x", bad).unwrap_err();
            assert!(e.starts_with("--x wants") && e.contains(bad), "{e}");
        }
    }

    /// The page says a minute (and --idle-timeout's range, 1 s to a
    /// day); the tests shorten it through NETPROG_TIME_SCALE only.
    #[test]
    fn the_idle_limit_is_a_minute() {
        assert_eq!(IDLE_LIMIT, Duration::from_secs(60));
        assert_eq!(cli::Secs(IDLE_LIMIT).to_string(), "60 s");
        assert_eq!(MAX_SECONDS, 24 * 60 * 60);
    }

    #[test]
    fn timeouts_are_told_apart() {
        assert!(is_timeout(&io::Error::from(io::ErrorKind::WouldBlock)));
        assert!(is_timeout(&io::Error::from(io::ErrorKind::TimedOut)));
        assert!(!is_timeout(&io::Error::from(
            io::ErrorKind::ConnectionReset
        )));
    }

    #[test]
    fn the_backlog_is_somaxconn() {
        let want = std::fs::read_to_string("/proc/sys/net/core/somaxconn")
            .unwrap()
            .trim()
            .parse::<i32>()
            .unwrap();
        assert_eq!(listen_backlog(), want);
    }

    #[test]
    fn ipv6_any_takes_ipv4_clients_too() {
        let l = listen_tcp("[::]:0".parse().unwrap()).unwrap();
        let port = l.local_addr().unwrap().port();
        TcpStream::connect(("127.0.0.1", port)).unwrap();
        TcpStream::connect(("::1", port)).unwrap();
    }

    #[test]
    fn the_first_failure_is_reported() {
        let taken = listen_tcp("127.0.0.1:0".parse().unwrap()).unwrap();
        let a = taken.local_addr().unwrap();
        let bad: SocketAddr = "192.0.2.1:0".parse().unwrap();
        let (e, at) = listen_first([a, bad].as_slice()).unwrap_err();
        assert_eq!(at, Some(a));
        assert_eq!(e.kind(), io::ErrorKind::AddrInUse);
    }
}
