//! Small pieces of the conc-tcp-async server that deserve their own
//! tests.
//!
//! The server itself is `src/bin/conc-tcp-async.rs`. What is here is
//! the async counterpart of the helpers of the threaded `conc-tcp`
//! (crate concurrent-tcp): crates in this workspace are islands, so this
//! crate has its own copy, written for tokio where I/O is involved.
//!
//! - [`listen`]: the "port or address" argument, the words for a
//!   failed bind, and the accept error a server waits out (the same
//!   file in every crate with a server);
//! - [`bind_listener`]: listening with a backlog of 4096;
//! - [`read_line`]: one line with a length limit, awaited instead of
//!   blocked on (Go: `bufio.Reader.ReadString('\n')`);
//! - [`say_goodbye`]: a last message to a client we drop, sent so
//!   that it arrives (a "lingering close");
//! - [`threads_option`]: the `--threads N` rule of both servers;
//! - [`is_stop`], [`log_received`]: the same small rules as the
//!   threaded server.
//!
//! Nothing here hides the socket calls: the binary still makes its own
//! `bind`, `accept`, `read` and `write`, in the order the Go program
//! makes them.

pub mod cli;
pub mod listen;

use anyhow::Context;
use std::io::{self, Write};
use std::net::SocketAddr;
use std::time::Duration;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite,
    AsyncWriteExt,
};
use tokio::net::{TcpListener, TcpSocket};

/// The port of the book's session (`go run concTCP.go 1234`). The Go
/// program insists on a port argument; the Rust one falls back to
/// this one.
pub const DEFAULT_PORT: u16 = 1234;

/// The longest line the server accepts, newline included: 64 KiB.
///
/// Go's `ReadString('\n')` has no limit: it grows its buffer until a
/// newline comes, so one client sending 100 MB without a newline makes
/// the server hold 100 MB. The limit turns that into a clear refusal.
/// The same limit as the threaded `conc-tcp`.
pub const MAX_LINE: usize = 64 * 1024;

/// The capacity of each connection's `BufReader`: 1 KiB.
///
/// This buffer is the largest piece of memory an idle client costs
/// this server (see the binary's comments), so it is kept small: each
/// `read()` asks the kernel for at most 1 KiB, and a longer line is
/// still read correctly, in several reads, into the line buffer.
/// With tokio's default of 8 KiB, 10,000 idle clients would have
/// 80 MB of buffers instead of 10 MB (how much of that is resident
/// depends on the pages written: by the allocator, which hands out
/// tokio's zero-filled `vec![0; capacity]`, and by the reads). The threaded `conc-tcp` uses the same
/// 1 KiB; Go's `bufio.NewReader` takes 4 KiB.
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
/// most `max` bytes: Go's `reader.ReadString('\n')`, with a limit.
///
/// The threaded server's `read_line` blocks its thread until the line
/// is there. This one is an `async fn`: calling it builds a small state
/// machine (a *future*), and `.await` runs it. When the socket has no
/// bytes yet, the future returns "pending" to the runtime, which runs
/// other clients' tasks meanwhile and comes back to this one when epoll
/// says the socket is readable. Same logic, no thread parked.
///
/// Keep one reader and one `line` per connection and pass them in each
/// time: the reader may already hold the start of the next line (two
/// lines often arrive in one TCP segment), and `line`'s memory is
/// reused. Go's concTCP builds a new `bufio.Reader` for every line and
/// can lose those bytes.
///
/// Examples: the unit test `read_line_examples` below.
pub async fn read_line<R>(
    reader: &mut R,
    line: &mut Vec<u8>,
    max: usize,
) -> io::Result<LineRead>
where
    R: AsyncBufRead + Unpin,
{
    line.clear();
    // `take(max)` stops `read_until` after `max` bytes even when no
    // newline has come, so a hostile peer cannot make `line` grow
    // without bound. The bytes past the limit stay in the reader.
    let limit = u64::try_from(max).unwrap_or(u64::MAX);
    let n = reader.take(limit).read_until(b'\n', line).await?;
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
    let rt = tokio::runtime::Builder::new_current_thread().build()?;
    rt.block_on(async {
        // A byte slice is a ready-made AsyncBufRead: handy for tests.
        let mut input: &[u8] = b"one\ntwo";
        let mut line = Vec::new();
        let got = read_line(&mut input, &mut line, 100).await?;
        assert_eq!((got, &line[..]), (LineRead::Line, &b"one\n"[..]));
        let got = read_line(&mut input, &mut line, 100).await?;
        assert_eq!(got, LineRead::Unterminated); // "two", then the end
        let got = read_line(&mut input, &mut line, 100).await?;
        assert_eq!(got, LineRead::Eof);
        Ok(())
    })
}

/// Is this line the word that ends a conversation?
///
/// Go compares `strings.TrimSpace(line) == "STOP"`, so `STOP`,
/// `STOP\r\n` (telnet) and `  STOP ` all count; so do we.
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

/// How long [`say_goodbye`] waits for the client's unread bytes.
pub const DRAIN_TIME: Duration = Duration::from_secs(1);

/// Send `message` to a client we are about to drop, so that it
/// arrives: write it, shut down our sending side (our FIN follows the
/// message), then read and throw away what the client still sends,
/// for at most [`DRAIN_TIME`] and [`DRAIN_LIMIT`] bytes.
///
/// Why not just write and close? If bytes from the client are still
/// unread in our receive buffer when we close (the rest of an
/// over-long line), Linux throws them away and answers with a reset
/// (RST) instead of a FIN. Our own bytes not yet sent are thrown away
/// too. The client's Linux keeps what had arrived, but its next read
/// after that fails with "connection reset by peer", and a write fails
/// at once: a client that writes before it reads, or stops at the
/// error, never shows our message (the threaded crate's
/// tests/reset.rs shows it). This "lingering close" avoids that.
///
/// In the threaded server this blocks the client's thread for up to a
/// second. Here the waiting is an `.await` inside
/// `tokio::time::timeout`: the task sleeps, and the runtime's one
/// thread serves everybody else meanwhile.
pub async fn say_goodbye<R, W>(
    reader: &mut R,
    writer: &mut W,
    message: &str,
) -> io::Result<()>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    writer.write_all(message.as_bytes()).await?;
    // For a TCP write half, shutdown() is shutdown(fd, SHUT_WR): FIN.
    writer.shutdown().await?;
    let mut rest = reader.take(DRAIN_LIMIT);
    let mut nowhere = tokio::io::sink();
    let drain = tokio::io::copy(&mut rest, &mut nowhere);
    // Timing out, a reset, or an end of stream: all mean we are done.
    let _ = tokio::time::timeout(DRAIN_TIME, drain).await;
    Ok(())
}

/// Log one line a client sent, after `prefix`, as Go's
/// `fmt.Print("-> ", netData)` does: the bytes as they came, with a
/// newline added when the line had none.
///
/// This is std's *blocking* stdout, called from inside a task. That is
/// a deliberate shortcut: a line to a terminal, a file or a pipe that
/// is being read takes microseconds. But if nobody reads the pipe and
/// it fills up, this `write` blocks, and with it the runtime's thread
/// and so every client (in the threaded server every client thread
/// would queue on the stdout lock: the same stall). `tokio::io::stdout`
/// would hand each write to a helper thread instead, at the price of
/// a thread hop per line; a production server logs through a channel
/// to one writer task, or with the `tracing` crate.
///
/// It never panics: if standard output is gone (a closed pipe), the
/// write fails, the error is ignored (the rule of `logln!`), and the
/// server goes on serving without its log.
pub fn log_received(prefix: &str, line: &[u8]) {
    let mut out = io::stdout().lock();
    let _ = out.write_all(prefix.as_bytes());
    let _ = out.write_all(line);
    if !line.ends_with(b"\n") {
        let _ = out.write_all(b"\n");
    }
    let _ = out.flush();
}

/// The most worker threads `--threads` may ask for.
///
/// Both servers of this crate use the same rule. More workers than
/// cores only adds switching, and tokio itself refuses nonsense by
/// panicking (`worker_threads(0)`), or tries to start whatever number
/// it is given; 64 is far beyond any gain on the machines this
/// workspace is measured on, and small enough to start at once.
pub const MAX_THREADS: usize = 64;

/// The value of `--threads`: a whole number from 1 to [`MAX_THREADS`],
/// or a one-line message saying what is wrong.
///
/// Examples: the unit test `threads_option_examples` below.
pub fn threads_option(value: &str) -> Result<usize, String> {
    match value.parse::<usize>() {
        Ok(n) if (1..=MAX_THREADS).contains(&n) => Ok(n),
        _ => Err(format!(
            "--threads wants a whole number from 1 to {MAX_THREADS}, not \
             \"{value}\""
        )),
    }
}

#[test]
fn threads_option_examples() {
    use crate::threads_option;
    assert_eq!(threads_option("2"), Ok(2));
    assert!(threads_option("0").is_err());
    assert!(threads_option("18446744073709551615").is_err());
}

// ANCHOR: bind
/// The listen backlog: how many finished handshakes the kernel queues
/// for us before we `accept` them.
///
/// A client's `connect` completes in the kernel, whether or not the
/// server has called `accept` yet. When the queue is full, Linux drops
/// the next handshake, and the client's kernel sends its SYN again only
/// after a second (then 2 s, 4 s, ...). A load generator that opens
/// thousands of connections one after another, on a busy machine where
/// the server waits its turn for a core, fills a small queue in a few
/// milliseconds and then stalls a second at a time.
///
/// `std::net::TcpListener::bind` asks for 128, and so does
/// `tokio::net::TcpListener::bind`: mio, underneath it, uses "the same
/// backlog value as the standard library" (its
/// src/net/tcp/listener.rs, in the mio 1.2 this workspace builds). So
/// we set it ourselves. The kernel silently caps it at
/// `net.core.somaxconn` (4096 since Linux 5.4, 128 before: `sysctl
/// net.core.somaxconn`). Go reads somaxconn and asks for that
/// (net/sock_linux.go, `maxListenerBacklog`).
pub const BACKLOG: u32 = 4096;

/// socket(2), SO_REUSEADDR, bind(2), listen(2) with [`BACKLOG`]: what
/// `TcpListener::bind` does, with our own backlog.
///
/// tokio's `TcpSocket` also makes the socket non-blocking and, when it
/// becomes a listener, registers it with the runtime's epoll, once, for
/// its whole life. SO_REUSEADDR lets the server restart at once while
/// old connections of the port are still in TIME_WAIT (std and Go set
/// it too); it does not let two servers listen on one port.
pub fn bind_listener(addr: SocketAddr) -> anyhow::Result<TcpListener> {
    let socket = if addr.is_ipv4() {
        TcpSocket::new_v4()
    } else {
        TcpSocket::new_v6()
    }
    .context("creating a TCP socket")?;
    socket.set_reuseaddr(true).context("setting SO_REUSEADDR")?;
    let bind_error = |e| anyhow::anyhow!(listen::bind_error(e, addr));
    socket.bind(addr).map_err(bind_error)?;
    socket.listen(BACKLOG).map_err(bind_error)
}
// ANCHOR_END: bind

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::io::BufReader;

    #[tokio::test(flavor = "current_thread")]
    async fn limit_and_leftover() {
        let mut r = BufReader::with_capacity(4, &b"abcdefgh\nxy\n"[..]);
        let mut line = Vec::new();
        let got = read_line(&mut r, &mut line, 5).await.unwrap();
        assert_eq!(got, LineRead::TooLong);
        assert_eq!(line, b"abcde");
        // The rest of the long line is still there for the caller.
        let got = read_line(&mut r, &mut line, 50).await.unwrap();
        assert_eq!(got, LineRead::Line);
        assert_eq!(line, b"fgh\n");
        let got = read_line(&mut r, &mut line, 50).await.unwrap();
        assert_eq!(got, LineRead::Line);
        assert_eq!(line, b"xy\n");
        let got = read_line(&mut r, &mut line, 50).await.unwrap();
        assert_eq!(got, LineRead::Eof);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_line_of_exactly_the_limit_fits() {
        let mut line = Vec::new();
        let mut r: &[u8] = b"abcd\n";
        let got = read_line(&mut r, &mut line, 5).await.unwrap();
        assert_eq!(got, LineRead::Line);
        let mut r: &[u8] = b"abcde\n";
        let got = read_line(&mut r, &mut line, 5).await.unwrap();
        assert_eq!(got, LineRead::TooLong);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn lines_longer_than_the_buffer_stay_whole() {
        let text = b"a line longer than the buffer\nand another\n";
        let mut r = BufReader::with_capacity(8, &text[..]);
        let mut line = Vec::new();
        read_line(&mut r, &mut line, 100).await.unwrap();
        assert_eq!(line, b"a line longer than the buffer\n");
        read_line(&mut r, &mut line, 100).await.unwrap();
        assert_eq!(line, b"and another\n");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn goodbye_is_sent_then_the_rest_is_drained() {
        // An in-memory pipe pair stands in for a TCP connection.
        let (mut ours, mut theirs) = tokio::io::duplex(64);
        theirs.write_all(b"unread rest").await.unwrap();
        theirs.shutdown().await.unwrap();
        let (mut r, mut w) = tokio::io::split(&mut ours);
        say_goodbye(&mut r, &mut w, "bye\n").await.unwrap();
        let mut got = String::new();
        theirs.read_to_string(&mut got).await.unwrap();
        assert_eq!(got, "bye\n");
    }

    #[test]
    fn threads_are_1_to_64() {
        assert_eq!(threads_option("1"), Ok(1));
        assert_eq!(threads_option("64"), Ok(64));
        for bad in ["0", "65", "100000", "18446744073709551616", "-1", "x"] {
            let e = threads_option(bad).unwrap_err();
            assert!(e.contains(&format!("not \"{bad}\"")), "{e}");
        }
    }
}
