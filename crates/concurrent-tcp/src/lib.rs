//! Small pieces shared by the concurrent-tcp programs.
//!
//! The programs themselves live in `src/bin/`, one file per Go program
//! of Tsoukalos' network chapter (and the port-4004 blog server). What
//! is here is the logic that several of them need and that deserves
//! its own tests:
//!
//! - [`listen_addr`]: the optional "port or address" argument of the
//!   servers;
//! - [`read_line`]: reading one line with a length limit, the Rust
//!   counterpart of Go's `bufio.Reader.ReadString('\n')`, made safe
//!   against a client that never sends a newline;
//! - [`say_goodbye`]: telling a client why it is being disconnected in
//!   a way that lets the message actually arrive;
//! - [`dial`]: connecting with a timeout, the counterpart of `net.Dial`.
//!
//! Nothing here hides the socket calls: every binary still makes its
//! own `bind`, `accept`, `read` and `write`, in the order the Go
//! program makes them.

pub mod cli;

use std::fmt;
use std::io::{self, BufRead, Read, Write};
use std::net::{
    IpAddr, Ipv4Addr, Shutdown, SocketAddr, TcpStream, ToSocketAddrs,
};
use std::time::Duration;

/// The port the book's sessions use for TCPserver, TCPs and concTCP
/// (`go run concTCP.go 1234`). The Go programs insist on a port
/// argument; the Rust ones fall back to this one.
pub const DEFAULT_PORT: u16 = 1234;

/// The longest line a server accepts, newline included: 64 KiB.
///
/// Go's `ReadString('\n')` has no limit: it keeps growing its buffer
/// until a newline comes, so one client that sends 100 MB without a
/// newline makes the server hold 100 MB. A limit turns that into a
/// clear refusal. 64 KiB is far more than anyone types at `nc`.
pub const MAX_LINE: usize = 64 * 1024;

/// How long a client waits for the TCP handshake to complete.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client waits for a reply before giving up.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The capacity of the `BufReader` each connection gets: 1 KiB.
///
/// A `BufReader` asks the kernel for up to this many bytes per
/// `read()` call, then hands them out line by line. Lines that span
/// several reads are still read correctly (they are assembled in the
/// caller's line buffer), so this only trades system calls against
/// memory. Measured with 3,000 connected clients, std's default of
/// 8 KiB cost about 3 KB more per client than 1 KiB (43 MB against
/// 34 MB in all; not the full 7 KiB, as the kernel gives RAM only to
/// the pages of a buffer that are used). Short request/reply lines fit
/// in one read either way.
pub const READ_BUF: usize = 1024;

/// Why a "port or address" argument was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrError(String);

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "invalid port or address \"{}\": give a port (0 to 65535) \
             or an address with a port, such as 0.0.0.0:1234 or [::]:1234",
            self.0
        )
    }
}

impl std::error::Error for AddrError {}

/// Turn the servers' optional argument into the address to bind.
///
/// - no argument: `127.0.0.1:default_port`;
/// - a bare port such as `1234`: `127.0.0.1:1234`. Go's `":1234"`
///   listens on every interface; binding loopback only is the safer
///   default, and listening on the network is then a choice you make
///   by writing `0.0.0.0:1234`;
/// - a full address: `0.0.0.0:1234`, `[::]:1234`, `[::1]:1234`.
///
/// Port 0 asks the kernel to pick a free port.
///
/// ```
/// use concurrent_tcp::listen_addr;
/// assert_eq!(listen_addr(None, 1234).unwrap().to_string(), "127.0.0.1:1234");
/// assert_eq!(listen_addr(Some("8000"), 1234).unwrap().to_string(), "127.0.0.1:8000");
/// assert_eq!(listen_addr(Some("[::]:80"), 1234).unwrap().to_string(), "[::]:80");
/// assert!(listen_addr(Some("123456"), 1234).is_err());
/// ```
pub fn listen_addr(
    arg: Option<&str>,
    default_port: u16,
) -> Result<SocketAddr, AddrError> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let Some(arg) = arg else {
        return Ok(SocketAddr::new(loopback, default_port));
    };
    if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: a port, which must fit in 16 bits.
        return match arg.parse::<u16>() {
            Ok(port) => Ok(SocketAddr::new(loopback, port)),
            Err(_) => Err(AddrError(arg.to_string())),
        };
    }
    arg.parse::<SocketAddr>()
        .map_err(|_| AddrError(arg.to_string()))
}

/// What [`read_line`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRead {
    /// A whole line, ending in `\n`, is in the buffer.
    Line,
    /// The peer closed the connection in the middle of a line: the
    /// buffer holds what came before the end (no `\n`).
    Unterminated,
    /// The peer closed the connection between lines (clean end).
    Eof,
    /// No newline within `max` bytes. The buffer holds those `max`
    /// bytes; the rest of the line is still waiting in the socket.
    TooLong,
}

/// Read one line (up to and including `\n`) into `line`, reading at
/// most `max` bytes.
///
/// This is what Go's `reader.ReadString('\n')` does, with a limit.
/// `line` is cleared first; keep one `Vec` per connection and pass it
/// in every time, so that its memory is reused from line to line.
///
/// The reader must be the *same* `BufRead` for the whole connection:
/// it may already hold the start of the next line (two lines often
/// arrive in one TCP segment), and a fresh reader would not see those
/// bytes. That is the bug of the Go programs, which build a new
/// `bufio.Reader` for every line.
///
/// ```
/// use concurrent_tcp::{read_line, LineRead};
/// let mut input: &[u8] = b"one\ntwo\nthree";
/// let mut line = Vec::new();
/// assert_eq!(read_line(&mut input, &mut line, 100).unwrap(), LineRead::Line);
/// assert_eq!(line, b"one\n");
/// assert_eq!(read_line(&mut input, &mut line, 100).unwrap(), LineRead::Line);
/// assert_eq!(read_line(&mut input, &mut line, 100).unwrap(), LineRead::Unterminated);
/// assert_eq!(line, b"three");
/// assert_eq!(read_line(&mut input, &mut line, 100).unwrap(), LineRead::Eof);
/// ```
// ANCHOR: read_line
pub fn read_line<R: BufRead>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead> {
    line.clear();
    // `take(max)` stops `read_until` after `max` bytes even when no
    // newline has come, so a hostile peer cannot make `line` grow
    // without bound. The bytes past the limit stay in the reader.
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    let n = reader.by_ref().take(limit).read_until(b'\n', line)?;
    Ok(if n == 0 {
        LineRead::Eof
    } else if line.ends_with(b"\n") {
        LineRead::Line
    } else if n >= max {
        LineRead::TooLong
    } else {
        LineRead::Unterminated
    })
}
// ANCHOR_END: read_line

/// Is this line the word that ends a conversation?
///
/// The Go programs compare `strings.TrimSpace(line) == "STOP"`, so
/// `STOP`, `STOP\r\n` (telnet) and `  STOP ` all count; so do we.
///
/// ```
/// use concurrent_tcp::is_stop;
/// assert!(is_stop(b"STOP\n"));
/// assert!(is_stop(b" STOP\r\n"));
/// assert!(!is_stop(b"stop\n"));
/// assert!(!is_stop(b"STOPPED\n"));
/// ```
pub fn is_stop(line: &[u8]) -> bool {
    line.trim_ascii() == b"STOP"
}

/// The most bytes [`say_goodbye`] reads and throws away (1 MiB).
const DRAIN_LIMIT: u64 = 1024 * 1024;

/// How long [`say_goodbye`] waits for the client's unread bytes.
const DRAIN_TIME: Duration = Duration::from_secs(1);

/// Send `message` to a client we are about to drop, so that it
/// arrives.
///
/// Simply writing the message and closing is not enough. If bytes
/// from the client are still unread in our receive buffer when we
/// close (the rest of an over-long line, say), Linux answers with a
/// reset (RST) instead of an orderly FIN, and a reset can make the
/// client's kernel throw away our message before the client has read
/// it. So: write the message, `shutdown(Write)` (our FIN goes out after
/// it), then read and discard what the client still sends until it
/// closes too, for at most [`DRAIN_TIME`] and [`DRAIN_LIMIT`] bytes.
/// This is called a "lingering close"; web servers do the same.
///
/// Only call this from a connection's own thread: it may block for
/// up to a second.
// ANCHOR: say_goodbye
pub fn say_goodbye(stream: &TcpStream, message: &str) -> io::Result<()> {
    let mut w = stream;
    w.write_all(message.as_bytes())?;
    stream.shutdown(Shutdown::Write)?;
    stream.set_read_timeout(Some(DRAIN_TIME))?;
    // Errors while draining (timeout, reset) mean we are done anyway.
    let _ = io::copy(&mut stream.take(DRAIN_LIMIT), &mut io::sink());
    Ok(())
}
// ANCHOR_END: say_goodbye

/// Connect to `target` (`host:port`), giving up after
/// [`CONNECT_TIMEOUT`], the way Go's `net.Dial("tcp", target)` does
/// (Go's default has no timeout of its own; the kernel's is about two
/// minutes).
///
/// `host` may be a name: it is looked up first (getaddrinfo, through
/// /etc/hosts and DNS), and each address it has is tried in turn,
/// as `net.Dial` does. A read timeout of [`READ_TIMEOUT`] is set on the
/// connection, so that a server that never answers cannot hang us.
pub fn dial(target: &str) -> anyhow::Result<TcpStream> {
    use anyhow::Context;
    let addrs: Vec<SocketAddr> = target
        .to_socket_addrs()
        .with_context(|| format!("looking up {target} (expected host:port)"))?
        .collect();
    let mut last_err = None;
    for addr in addrs {
        match TcpStream::connect_timeout(&addr, CONNECT_TIMEOUT) {
            Ok(stream) => {
                stream
                    .set_read_timeout(Some(READ_TIMEOUT))
                    .context("setting a read timeout")?;
                return Ok(stream);
            }
            Err(e) => last_err = Some(describe_connect_error(e, addr)),
        }
    }
    Err(last_err.unwrap_or_else(|| anyhow::anyhow!("{target} has no address")))
}

/// Name the usual connect failures in words a learner can act on.
pub fn describe_connect_error(e: io::Error, addr: SocketAddr) -> anyhow::Error {
    let what = format!("connecting to {addr}");
    match e.kind() {
        io::ErrorKind::TimedOut => anyhow::anyhow!(
            "{what}: no answer within {} s (is the host up? a firewall?)",
            CONNECT_TIMEOUT.as_secs()
        ),
        io::ErrorKind::ConnectionRefused => {
            anyhow::anyhow!(
                "{what}: connection refused (is the server running on that port?)"
            )
        }
        _ => anyhow::Error::new(e).context(what),
    }
}

/// Print one line a client sent, after `prefix`, as the Go programs'
/// `fmt.Print("-> ", netData)` does: the bytes as they came (Go does not
/// check that they are UTF-8 either), with a newline added when the
/// line had none.
///
/// Unlike `println!`, this never panics: if standard output is gone
/// (a closed pipe), the server goes on serving without its log. The
/// stdout lock makes each line one piece, so lines of different
/// threads never mix within a line.
pub fn print_received(prefix: &str, line: &[u8]) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(prefix.as_bytes());
    let _ = out.write_all(line);
    if !line.ends_with(b"\n") {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

/// Print one line of log on standard output without ever panicking
/// (see [`print_received`]): for messages printed by client threads.
pub fn print_line(text: &str) {
    print_received(text, b"");
}

/// Did `accept` fail because this process (EMFILE, 24) or the whole
/// system (ENFILE, 23) has no file descriptor left? std has no
/// `ErrorKind` for these, so we compare Linux's error numbers.
///
/// The waiting connection stays in the kernel's queue, so calling
/// `accept` again at once would fail again at once: a server should
/// pause a little (and a client may leave meanwhile, freeing one).
pub fn is_out_of_fds(e: &io::Error) -> bool {
    matches!(e.raw_os_error(), Some(23 | 24))
}

/// Name the usual `bind` failures in words a learner can act on.
pub fn describe_bind_error(e: io::Error, addr: SocketAddr) -> anyhow::Error {
    let what = format!("binding {addr}");
    match e.kind() {
        io::ErrorKind::AddrInUse => anyhow::anyhow!(
            "{what}: address already in use (another program has that port: \
             stop it or choose another port)"
        ),
        io::ErrorKind::PermissionDenied => anyhow::anyhow!(
            "{what}: permission denied (ports below 1024 need root: choose a port above 1023)"
        ),
        io::ErrorKind::AddrNotAvailable => anyhow::anyhow!(
            "{what}: no interface of this machine has that address (try 127.0.0.1 or 0.0.0.0)"
        ),
        _ => anyhow::Error::new(e).context(what),
    }
}

/// Is this error a read timeout firing? (Linux reports an expired
/// `SO_RCVTIMEO` as `EAGAIN`, which std calls `WouldBlock`.)
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
    use std::io::BufReader;

    #[test]
    fn ports_and_addresses() {
        let a = |s: &str| listen_addr(Some(s), 1).map(|a| a.to_string());
        assert_eq!(a("0").unwrap(), "127.0.0.1:0");
        assert_eq!(a("65535").unwrap(), "127.0.0.1:65535");
        assert_eq!(a("0.0.0.0:1234").unwrap(), "0.0.0.0:1234");
        assert_eq!(a("[::1]:9").unwrap(), "[::1]:9");
        for bad in [
            "", "65536", "123456", "abc", "-1", ":1234", "1.2.3.4", "1234x",
        ] {
            assert!(a(bad).is_err(), "{bad:?} should be refused");
        }
        let msg = a("x").unwrap_err().to_string();
        assert!(
            msg.contains("\"x\"") && msg.contains("0.0.0.0:1234"),
            "{msg}"
        );
    }

    #[test]
    fn limit_and_leftover() {
        let mut r = BufReader::with_capacity(4, &b"abcdefgh\nxy\n"[..]);
        let mut line = Vec::new();
        assert_eq!(read_line(&mut r, &mut line, 5).unwrap(), LineRead::TooLong);
        assert_eq!(line, b"abcde");
        // The rest of the long line is still there for the caller.
        assert_eq!(read_line(&mut r, &mut line, 50).unwrap(), LineRead::Line);
        assert_eq!(line, b"fgh\n");
        assert_eq!(read_line(&mut r, &mut line, 50).unwrap(), LineRead::Line);
        assert_eq!(line, b"xy\n");
        assert_eq!(read_line(&mut r, &mut line, 50).unwrap(), LineRead::Eof);
    }

    #[test]
    fn a_line_of_exactly_the_limit_fits() {
        let mut r: &[u8] = b"abcd\n";
        let mut line = Vec::new();
        assert_eq!(read_line(&mut r, &mut line, 5).unwrap(), LineRead::Line);
        let mut r: &[u8] = b"abcde\n";
        assert_eq!(read_line(&mut r, &mut line, 5).unwrap(), LineRead::TooLong);
    }

    #[test]
    fn two_lines_through_one_small_buffer() {
        // Lines longer than the BufReader's buffer are still whole.
        let text = b"a line longer than the buffer\nand another\n";
        let mut r = BufReader::with_capacity(8, &text[..]);
        let mut line = Vec::new();
        read_line(&mut r, &mut line, 100).unwrap();
        assert_eq!(line, b"a line longer than the buffer\n");
        read_line(&mut r, &mut line, 100).unwrap();
        assert_eq!(line, b"and another\n");
    }

    #[test]
    fn stop_words() {
        assert!(is_stop(b"STOP"));
        assert!(is_stop(b"\tSTOP \n"));
        assert!(!is_stop(b""));
        assert!(!is_stop(b"STOP STOP\n"));
    }
}
