//! What the two get-head programs share: the request they send, their
//! limits, the parsing of `host:port` and of the timeout setting, the
//! dial over several addresses, and printing the answer.
//!
//! The programs themselves are in `src/bin/`; they read top to bottom
//! like Newmarch's `GetHeadInfo` and `IPGetHeadInfo`.

pub mod cli;

use std::fmt;
use std::io::{self, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

// ANCHOR: request
/// The whole request: an HTTP/1.0 `HEAD` for the root document. The
/// first `\r\n` ends the request line, the second is the empty line
/// that ends the (here absent) header fields (RFC 9112, section 2.1).
/// Without a keep-alive option, the server closes an HTTP/1.0
/// connection after answering (RFC 9112, section 9.3), so "read to
/// end of file" is how the client knows the answer is complete.
pub const REQUEST: &[u8] = b"HEAD / HTTP/1.0\r\n\r\n";
// ANCHOR_END: request

// ANCHOR: limits
/// The largest response the programs accept: 1 MiB, this program's
/// choice, so that a broken or hostile server cannot fill memory.
/// HTTP sets no limit on a header section's size (RFC 9110, section
/// 5.4, leaves limits to each recipient); a `HEAD` answer is
/// typically a few hundred bytes. Go's `ioutil.ReadAll` has no limit:
/// it reads until end of file or an error.
pub const MAX_RESPONSE: usize = 1 << 20;

/// How long to wait for the connection to be set up (the TCP
/// three-way handshake) before giving up. Go's `DialTCP` waits as long
/// as the kernel does: on Linux, about two minutes of SYN
/// retransmissions (tcp(7), `tcp_syn_retries`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long one read may wait for data when the environment does not
/// say otherwise. Go's program has no read timeout: a server that
/// accepts and never answers makes it wait forever.
pub const DEFAULT_READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The environment variable that sets the read timeout, in seconds
/// (`0.5` and `30` are both fine).
pub const READ_TIMEOUT_ENV: &str = "NETPROG_READ_TIMEOUT";
// ANCHOR_END: limits

/// What is wrong with a `host:port` argument. The wording is Go's
/// (`net.SplitHostPort`, and `address 99999: invalid port`), plus one
/// case Go does not have: this crate does not look up port *names*
/// such as `http`. A test runs go/dial.go and compares the messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrError {
    /// The text that was wrong.
    pub addr: String,
    /// What was wrong with it.
    pub why: &'static str,
}

impl fmt::Display for AddrError {
    /// Go's `AddrError.Error`: `address ADDR: WHY`, or only WHY when
    /// the address is empty.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.addr.is_empty() {
            return f.write_str(self.why);
        }
        write!(f, "address {}: {}", self.addr, self.why)
    }
}

impl std::error::Error for AddrError {}

fn addr_error<T>(addr: &str, why: &'static str) -> Result<T, AddrError> {
    Err(AddrError {
        addr: addr.to_string(),
        why,
    })
}

// ANCHOR: split_host_port
/// Split `host:port` as Go's `net.SplitHostPort` does: the port
/// follows the last colon, and an IPv6 host must be in brackets
/// (`[::1]:80`). The brackets are removed from the host.
///
/// Examples: the unit test `split_host_port_examples` below.
pub fn split_host_port(hostport: &str) -> Result<(&str, &str), AddrError> {
    const MISSING_PORT: &str = "missing port in address";
    const TOO_MANY_COLONS: &str = "too many colons in address";
    let Some(colon) = hostport.rfind(':') else {
        return addr_error(hostport, MISSING_PORT);
    };
    let port = &hostport[colon + 1..];
    let host = if let Some(rest) = hostport.strip_prefix('[') {
        // "[host]:port": the first ']' must come just before the last ':'.
        let Some(close) = rest.find(']') else {
            return addr_error(hostport, "missing ']' in address");
        };
        let after = 1 + close + 1; // index just past the ']'
        if after == hostport.len() {
            return addr_error(hostport, MISSING_PORT);
        }
        if after != colon {
            let why = if hostport[after..].starts_with(':') {
                TOO_MANY_COLONS
            } else {
                MISSING_PORT
            };
            return addr_error(hostport, why);
        }
        &rest[..close]
    } else {
        let host = &hostport[..colon];
        if host.contains(':') {
            return addr_error(hostport, TOO_MANY_COLONS);
        }
        host
    };
    // No other bracket may appear. (Both are one byte, so the slices
    // below cut at character boundaries.)
    let bracketed = hostport.starts_with('[');
    let after_open = if bracketed { &hostport[1..] } else { hostport };
    if after_open.contains('[') {
        return addr_error(hostport, "unexpected '[' in address");
    }
    let after_close = if bracketed {
        &hostport[colon..]
    } else {
        hostport
    };
    if after_close.contains(']') {
        return addr_error(hostport, "unexpected ']' in address");
    }
    Ok((host, port))
}

#[test]
fn split_host_port_examples() -> Result<(), AddrError> {
    use crate::split_host_port;
    assert_eq!(split_host_port("127.0.0.1:80")?, ("127.0.0.1", "80"));
    assert_eq!(split_host_port("[::1]:80")?, ("::1", "80"));
    let err = split_host_port("localhost").err().map(|e| e.to_string());
    let want = "address localhost: missing port in address";
    assert_eq!(err.as_deref(), Some(want));
    Ok(())
}
// ANCHOR_END: split_host_port

// ANCHOR: parse_port
/// The port of a `host:port` argument: a decimal number from 0 to
/// 65535. Go also accepts a service name (`localhost:http`) and looks
/// it up as `net.LookupPort` does (see the lookup-port crate), and
/// reads an empty port (`localhost:`) as 0; this crate keeps to
/// numbers and says so.
///
/// Examples: the unit test `parse_port_examples` below.
pub fn parse_port(port: &str, hostport: &str) -> Result<u16, AddrError> {
    if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
        return addr_error(
            hostport,
            "the port must be a number (names such as http are not looked \
             up here)",
        );
    }
    match port.parse::<u16>() {
        Ok(p) => Ok(p),
        Err(_) => addr_error(port, "invalid port"),
    }
}

#[test]
fn parse_port_examples() {
    use crate::parse_port;
    assert_eq!(parse_port("8000", "x:8000"), Ok(8000));
    assert!(parse_port("99999", "x:99999").is_err());
    assert!(parse_port("http", "x:http").is_err());
}
// ANCHOR_END: parse_port

/// Parse a timeout in seconds: a positive, finite number such as `5`
/// or `0.25`. `None` for anything else.
///
/// Examples: the unit test `parse_timeout_examples` below.
pub fn parse_timeout(text: &str) -> Option<Duration> {
    let secs: f64 = text.trim().parse().ok()?;
    // Zero would be refused by set_read_timeout (std returns an
    // InvalidInput error for a zero Duration), and below a millisecond
    // is taken for a typo.
    if !(0.001..=86_400.0).contains(&secs) {
        return None;
    }
    Some(Duration::from_secs_f64(secs))
}

#[test]
fn parse_timeout_examples() {
    use crate::parse_timeout;
    use std::time::Duration;
    assert_eq!(parse_timeout("0.5"), Some(Duration::from_millis(500)));
    assert_eq!(parse_timeout("0"), None);
    assert_eq!(parse_timeout("soon"), None);
}

// ANCHOR: read_timeout
/// The read timeout: `NETPROG_READ_TIMEOUT` seconds if set, else
/// [`DEFAULT_READ_TIMEOUT`]. An unusable value is an error that says
/// what is expected, rather than being silently ignored.
pub fn read_timeout() -> Result<Duration, String> {
    match std::env::var(READ_TIMEOUT_ENV) {
        Err(std::env::VarError::NotPresent) => Ok(DEFAULT_READ_TIMEOUT),
        Ok(text) => parse_timeout(&text).ok_or_else(|| {
            format!(
                "{READ_TIMEOUT_ENV}={text} is not a number of seconds \
                 between 0.001 and 86400 (for example 0.5 or 10)"
            )
        }),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("{READ_TIMEOUT_ENV} is not valid text"))
        }
    }
}
// ANCHOR_END: read_timeout

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

// ANCHOR: connect_each
/// Connect to each address in turn, giving each `timeout`, until one
/// answers. When none does, the error is the first address's, as Go
/// reports it (net/dial.go, `dialSerial`: "The error from the first
/// address is most relevant"); `None` when there was no address.
pub fn connect_each(
    addrs: impl IntoIterator<Item = SocketAddr>,
    timeout: Duration,
) -> Result<TcpStream, Option<(SocketAddr, io::Error)>> {
    let mut first = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(conn) => return Ok(conn),
            Err(e) => {
                first.get_or_insert((addr, e));
            }
        }
    }
    Err(first)
}
// ANCHOR_END: connect_each

/// The answer on stdout, as the bytes came (Go's `string(result)`
/// copies them unchanged too), and the newline `fmt.Println` adds. A
/// stdout pipe whose reader has gone (EPIPE) ends the program quietly
/// with status 141, as `outln!` does; any other failed write (a full
/// disk, `> /dev/full`) says so on stderr, status 141 too.
pub fn print_answer(answer: &[u8]) {
    let mut out = io::stdout().lock();
    let written = out
        .write_all(answer)
        .and_then(|()| out.write_all(b"\n"))
        .and_then(|()| out.flush());
    if let Err(e) = written {
        if e.kind() != io::ErrorKind::BrokenPipe {
            elogln!("cannot write to stdout: {e}");
        }
        std::process::exit(cli::EXIT_PIPE);
    }
}

/// The message for a read that timed out: what we were waiting for,
/// how long, and how to wait longer.
pub fn timeout_message(timeout: Duration) -> String {
    format!(
        "no data for {timeout:?}: the connection is set up, but the server \
         sent nothing in that time (the read timeout; set {READ_TIMEOUT_ENV} \
         to wait longer)"
    )
}

/// The message for a response over [`MAX_RESPONSE`].
pub fn too_big_message() -> String {
    format!(
        "the response is larger than {MAX_RESPONSE} bytes (1 MiB), the most \
         this program accepts; a HEAD answer is typically a few hundred bytes"
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn err(s: &str) -> String {
        split_host_port(s).unwrap_err().to_string()
    }

    #[test]
    fn good_host_ports() {
        assert_eq!(
            split_host_port("localhost:80").unwrap(),
            ("localhost", "80")
        );
        assert_eq!(split_host_port(":80").unwrap(), ("", "80"));
        assert_eq!(split_host_port("[::1]:8000").unwrap(), ("::1", "8000"));
        assert_eq!(
            split_host_port("[fe80::1%lo]:1").unwrap(),
            ("fe80::1%lo", "1")
        );
        assert_eq!(split_host_port("host:").unwrap(), ("host", ""));
        assert_eq!(split_host_port("[]:80").unwrap(), ("", "80"));
        assert_eq!(split_host_port("é:80").unwrap(), ("é", "80"));
        assert_eq!(err("é"), "address é: missing port in address");
    }

    #[test]
    fn go_s_messages_for_bad_host_ports() {
        assert_eq!(
            err("localhost"),
            "address localhost: missing port in address"
        );
        assert_eq!(err(""), "missing port in address");
        assert_eq!(err("::1:80"), "address ::1:80: too many colons in address");
        assert_eq!(err("[::1]"), "address [::1]: missing port in address");
        assert_eq!(err("[::1"), "address [::1: missing ']' in address");
        assert_eq!(
            err("[::1]:80:81"),
            "address [::1]:80:81: too many colons in address"
        );
        assert_eq!(
            err("[::1]x:80"),
            "address [::1]x:80: missing port in address"
        );
        assert_eq!(err("a[b:80"), "address a[b:80: unexpected '[' in address");
        assert_eq!(err("ab]:80"), "address ab]:80: unexpected ']' in address");
        assert_eq!(
            err("[a]:8]0"),
            "address [a]:8]0: unexpected ']' in address"
        );
        assert_eq!(
            err("[a[b]:80"),
            "address [a[b]:80: unexpected '[' in address"
        );
    }

    #[test]
    fn ports() {
        assert_eq!(parse_port("0", "h:0"), Ok(0));
        assert_eq!(parse_port("65535", "h:65535"), Ok(65535));
        assert_eq!(
            parse_port("65536", "h:65536").unwrap_err().to_string(),
            "address 65536: invalid port"
        );
        for bad in ["", "http", "-1", "+80", "8 0", "٣"] {
            let e = parse_port(bad, "h").unwrap_err().to_string();
            assert!(e.contains("must be a number"), "{bad:?}: {e}");
        }
    }

    #[test]
    fn timeouts() {
        assert_eq!(parse_timeout("10"), Some(Duration::from_secs(10)));
        assert_eq!(parse_timeout(" 0.25 "), Some(Duration::from_millis(250)));
        for bad in ["", "-1", "0", "0.0001", "NaN", "inf", "1e9", "5s"] {
            assert_eq!(parse_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn timeout_errors_are_recognised() {
        assert!(is_timeout(&io::Error::from(io::ErrorKind::WouldBlock)));
        assert!(is_timeout(&io::Error::from(io::ErrorKind::TimedOut)));
        assert!(!is_timeout(&io::Error::from(
            io::ErrorKind::ConnectionReset
        )));
    }

    #[test]
    fn the_first_failure_is_reported() {
        let refused = |_| {
            let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
            l.local_addr().unwrap() // closed again at the end of scope
        };
        let addrs: Vec<SocketAddr> = (0..3).map(refused).collect();
        let t = Duration::from_secs(5);
        let (at, e) = connect_each(addrs.clone(), t).unwrap_err().unwrap();
        assert_eq!(at, addrs[0]);
        assert_eq!(e.kind(), io::ErrorKind::ConnectionRefused);
        assert!(connect_each([], t).unwrap_err().is_none());
    }

    #[test]
    fn messages_say_what_was_awaited() {
        let m = timeout_message(Duration::from_millis(300));
        assert!(m.contains("300ms") && m.contains(READ_TIMEOUT_ENV), "{m}");
        assert!(too_big_message().contains("1048576"));
    }
}
