//! Small pieces shared by the concurrent-tcp programs.
//!
//! The programs themselves live in `src/bin/`, one file per Go program
//! of Tsoukalos' network chapter (and the port-4004 blog server). What
//! is here is the logic that several of them need and that deserves
//! its own tests:
//!
//! - [`listen`]: the servers' "port or address" argument and the words
//!   for a failed bind (the same file in every crate with a server);
//! - [`read_line`]: reading one line with a length limit, the Rust
//!   counterpart of Go's `bufio.Reader.ReadString('\n')`, made safe
//!   against a client that never sends a newline;
//! - [`say_goodbye`]: telling a client why it is being disconnected in
//!   a way that lets the message arrive as data, not as a reset;
//! - [`dial`] and [`TimedReader`]: connecting and waiting for an
//!   answer with time limits for the whole step, where Go's `net.Dial`
//!   and `Read` wait as long as the kernel does.
//!
//! Nothing here hides the socket calls: every binary still makes its
//! own `bind`, `accept`, `read` and `write`, in the order the Go
//! program makes them.

pub mod cli;
pub mod deadline;
pub mod listen;

use deadline::Deadline;
use std::io::{self, BufRead, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
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

/// How long a client waits for the TCP handshake, all the addresses
/// of a name together.
///
/// This and the other time limits below are what the programs use
/// when `NETPROG_TIME_SCALE` is not set; each program multiplies the
/// ones it needs by that factor once, at start ([`cli::time_limit`]),
/// and hands the results to the functions here. The tests use it to
/// wait a tenth of a limit instead of all of it.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long a client waits for a whole answer before giving up.
pub const READ_TIMEOUT: Duration = Duration::from_secs(5);

/// The capacity of the `BufReader` each connection gets: 1 KiB.
///
/// A `BufReader` asks the kernel for up to this many bytes per
/// `read()` call, then hands them out line by line. Lines that span
/// several reads are still read correctly (they are assembled in the
/// caller's line buffer), so this only trades system calls against
/// memory: std's default is 8 KiB, and a server holding thousands of
/// idle clients holds one buffer per client. Go's `bufio.NewReader`
/// takes 4 KiB. A short request/reply line fits in one read either way.
pub const READ_BUF: usize = 1024;

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
/// Examples: the unit test `read_line_examples` below.
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

#[test]
fn read_line_examples() -> io::Result<()> {
    use crate::{LineRead, read_line};
    let mut input: &[u8] = b"one\ntwo\nthree";
    let mut line = Vec::new();
    let mut next = || read_line(&mut input, &mut line, 100);
    assert_eq!(next()?, LineRead::Line); // "one\n"
    assert_eq!(next()?, LineRead::Line); // "two\n"
    assert_eq!(next()?, LineRead::Unterminated); // "three"
    assert_eq!(next()?, LineRead::Eof);
    Ok(())
}
// ANCHOR_END: read_line

/// Is this line the word that ends a conversation?
///
/// The Go programs compare `strings.TrimSpace(line) == "STOP"`, so
/// `STOP`, `STOP\r\n` (telnet) and `  STOP ` all count; so do we.
///
/// Examples: the unit test `is_stop_examples` below.
pub fn is_stop(line: &[u8]) -> bool {
    line.trim_ascii() == b"STOP"
}

#[test]
fn is_stop_examples() {
    use crate::is_stop;
    assert!(is_stop(b"STOP\n"));
    assert!(is_stop(b" STOP\r\n"));
    assert!(!is_stop(b"stop\n"));
    assert!(!is_stop(b"STOPPED\n"));
    assert!(is_stop(b"STOP"));
    assert!(is_stop(b"\tSTOP \n"));
    assert!(!is_stop(b""));
    assert!(!is_stop(b"STOP STOP\n"));
}

/// The most bytes [`say_goodbye`] reads and throws away (1 MiB).
pub const DRAIN_LIMIT: u64 = 1024 * 1024;

/// How long [`say_goodbye`] waits for the client's unread bytes, in
/// all (a deadline, not a timeout per read).
pub const DRAIN_TIME: Duration = Duration::from_secs(1);

/// Send `message` to a client we are about to drop, so that it
/// arrives as data followed by an orderly end of stream.
///
/// Simply writing the message and closing is not enough. If bytes
/// from the client are still unread in our receive buffer when we
/// close (the rest of an over-long line, say), Linux discards them and
/// answers with a reset (RST) instead of a FIN (tcp_close in
/// net/ipv4/tcp.c; RFC 2525, section 2.17). What the reset costs:
/// - here, anything of ours still waiting in the send queue is
///   thrown away, never sent;
/// - at the client, on Linux, the bytes that had arrived before the
///   reset can still be read (a test of this crate shows it:
///   tests/reset.rs), but the read after them fails with "connection
///   reset by peer" instead of an end of stream, and a write fails at
///   once. A client that writes before it reads (tcp-client sending
///   its next line), or that treats the error as the end (reading to
///   the end of stream), never shows our message. RFC 9293 (3.10.7.4)
///   lets a receiver flush its queues on a reset, and not every system
///   keeps the data as Linux does.
///
/// So: write the message, `shutdown(Write)` (our FIN goes out after
/// it), then read and discard what the client still sends until it
/// closes too, for at most `drain` in all ([`DRAIN_TIME`], scaled)
/// and [`DRAIN_LIMIT`] bytes. This is called a "lingering close"; web
/// servers do the same.
///
/// Only call this from a connection's own thread: it may block for
/// up to `drain`.
// ANCHOR: say_goodbye
pub fn say_goodbye(
    stream: &TcpStream,
    message: &str,
    drain: Duration,
) -> io::Result<()> {
    let mut w = stream;
    w.write_all(message.as_bytes())?;
    stream.shutdown(Shutdown::Write)?;
    // Errors while draining (the deadline, a reset) mean we are done.
    let mut rest = TimedReader::new(stream, drain).take(DRAIN_LIMIT);
    let _ = io::copy(&mut rest, &mut io::sink());
    Ok(())
}
// ANCHOR_END: say_goodbye

/// A reader that gives up at a deadline, however the bytes trickle in.
///
/// A socket's read timeout (`set_read_timeout`, SO_RCVTIMEO) limits one
/// `read` call, and a `BufReader` makes as many calls as a line needs:
/// a server that sends one byte every 4 s would keep a 5 s timeout
/// from ever firing. Before every read this sets the socket's timeout
/// to the time left until the deadline, so the whole step is bounded.
/// An expired deadline is a `TimedOut` error ([`is_timeout`]).
#[derive(Debug)]
pub struct TimedReader<'a> {
    stream: &'a TcpStream,
    deadline: Deadline,
}

impl<'a> TimedReader<'a> {
    /// A reader of `stream` whose reads must all be done within `limit`.
    pub fn new(stream: &'a TcpStream, limit: Duration) -> TimedReader<'a> {
        TimedReader {
            stream,
            deadline: Deadline::after(limit),
        }
    }

    /// Start a new step: `limit` from now.
    pub fn restart(&mut self, limit: Duration) {
        self.deadline = Deadline::after(limit);
    }
}

impl Read for TimedReader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.deadline.left()?))?;
        let mut s = self.stream;
        s.read(buf)
    }
}

/// Connect to `target` (`host:port`), the way Go's
/// `net.Dial("tcp", target)` does, but giving up after `limit`
/// ([`CONNECT_TIMEOUT`], scaled) for all the addresses together (Go's
/// default has no time limit of its own; the kernel gives up on a
/// silent host after about two minutes).
///
/// `host` may be a name: it is looked up first (getaddrinfo, through
/// /etc/hosts and DNS), and each address it has is tried in turn, as
/// `net.Dial` does. If none answers, the error is the first address's,
/// as Go reports it (net/dial.go, `dialSerial`: "The error from the
/// first address is most relevant").
pub fn dial(target: &str, limit: Duration) -> anyhow::Result<TcpStream> {
    use anyhow::Context;
    let addrs: Vec<SocketAddr> = target
        .to_socket_addrs()
        .with_context(|| format!("looking up {target} (expected host:port)"))?
        .collect();
    let deadline = Deadline::after(limit);
    let mut first_err = None;
    for addr in addrs {
        let tried = deadline
            .left()
            .and_then(|t| TcpStream::connect_timeout(&addr, t));
        match tried {
            Ok(stream) => return Ok(stream),
            Err(e) => {
                first_err.get_or_insert(describe_connect_error(e, addr, limit));
            }
        }
    }
    Err(first_err.unwrap_or_else(|| anyhow::anyhow!("{target} has no address")))
}

/// Name the usual connect failures in words a learner can act on;
/// `limit` is the time the connection was given.
pub fn describe_connect_error(
    e: io::Error,
    addr: SocketAddr,
    limit: Duration,
) -> anyhow::Error {
    let what = format!("connecting to {addr}");
    match e.kind() {
        io::ErrorKind::TimedOut => anyhow::anyhow!(
            "{what}: no answer within {} (is the host up? a firewall?)",
            cli::Secs(limit)
        ),
        // A reset in answer to our SYN: nothing listens on that port,
        // or a firewall rejects the connection.
        io::ErrorKind::ConnectionRefused => anyhow::anyhow!(
            "{what}: connection refused (is the server running?)"
        ),
        _ => anyhow::Error::new(e).context(what),
    }
}

/// Write one line a client sent, after `prefix`, as the Go programs'
/// `fmt.Print("-> ", netData)` does: the bytes as they came (Go does not
/// check that they are UTF-8 either), with a newline added when the
/// line had none. One `write` of the locked stdout, so that lines of
/// different threads never mix within a line.
fn write_received(prefix: &str, line: &[u8]) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(prefix.as_bytes())?;
    out.write_all(line)?;
    if !line.ends_with(b"\n") {
        out.write_all(b"\n")?;
    }
    out.flush()
}

/// A server's log of a received line ([`write_received`]). A failed
/// write is ignored (`logln!`'s rule): with its stdout closed, the
/// server goes on serving without its log.
pub fn log_received(prefix: &str, line: &[u8]) {
    let _ = write_received(prefix, line);
}

/// A client's display of an answer ([`write_received`]). With stdout
/// closed there is nobody to show it to: end quietly with status 141,
/// `outln!`'s rule (see the `cli` module).
pub fn show_received(prefix: &str, line: &[u8]) {
    if let Err(e) = write_received(prefix, line) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            crate::elogln!("cannot write to stdout: {e}");
        }
        std::process::exit(cli::EXIT_PIPE);
    }
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
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use std::io::BufReader;

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

    /// The limits the page and the programs' comments name: 5 s to
    /// connect, 5 s for an answer, a second of draining.
    #[test]
    fn the_limits_are_the_page_s() {
        assert_eq!(cli::Secs(CONNECT_TIMEOUT).to_string(), "5 s");
        assert_eq!(cli::Secs(READ_TIMEOUT).to_string(), "5 s");
        assert_eq!(cli::Secs(DRAIN_TIME).to_string(), "1 s");
    }
}
