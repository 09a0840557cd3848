//! socket-client: Tsoukalos, *Go Systems Programming*, "A Unix socket client",
//! program `socketClient.go`.
//!
//! Connects to a Unix domain stream socket and sends `Hello Server!`
//! once a second, while a second thread prints every reply as
//! `-> REPLY` (each message waits for the reply to the one before).
//! Without `--count` it runs until Ctrl+C, as the book's program does;
//! with `--count N` it sends N messages and exits 0 once each has had
//! its reply.
//!
//!     cargo run -q -p unix-socket --bin socket-client -- aSocket
//!     cargo run -q -p unix-socket --bin socket-client -- \
//!         --count 3 aSocket
//!     cargo run -q -p unix-socket --bin socket-client -- \
//!         --abstract netprog-echo
//!
//! Time limits, each a deadline for the whole step: 5 s to connect,
//! 5 s for each reply, and after the last reply at most 1 s for the
//! server to close the connection. `NETPROG_TIME_SCALE` multiplies
//! them (0.1 makes them 0.5 s, 0.5 s and 0.1 s: the tests use it); the
//! pace of one message a second stays.
//!
//! Exit status: 0 when `--count` messages were sent and answered; 100
//! for every error (as the book's program; a bad command line or
//! `NETPROG_TIME_SCALE` too), with one line on stderr; 141 when
//! standard output is closed (`socket-client s | head -1`).

use anyhow::{Context, Result, anyhow, bail};
use std::io::{self, ErrorKind, Read, Write};
use std::net::Shutdown;
use std::os::unix::fs::FileTypeExt;
use std::os::unix::net::UnixStream;
use std::process::ExitCode;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::thread;
use std::time::{Duration, Instant};
use unix_socket::deadline::Deadline;
use unix_socket::{Place, Program, cli, errno, parse_args, printable};
use unix_socket::{elogln, outln};

const USAGE: &str = "usage: socket-client [--count N] PATH \
                     | socket-client [--count N] --abstract NAME";

/// What the book's client sends, again and again.
const MESSAGE: &[u8] = b"Hello Server!";

// ANCHOR: limits
/// The pause between two messages (Go: `time.Sleep(1 * time.Second)`).
const INTERVAL: Duration = Duration::from_secs(1);

/// How long we wait for the server to accept us.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

/// How long we wait for the reply to a message, from the moment it
/// was sent until its first byte arrives.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

/// After the last reply (`--count`), how long we wait for the server
/// to close its side. Our server closes at once; Go's only when its
/// garbage collector gets to the connection.
const LINGER: Duration = Duration::from_secs(1);
// ANCHOR_END: limits

/// The limits this run uses: the constants above times the factor in
/// `NETPROG_TIME_SCALE` (`cli::time_limit`), read once at the start.
/// INTERVAL is the client's pace, not a limit: it is never scaled.
#[derive(Debug, Clone, Copy)]
struct Limits {
    connect: Duration,
    reply: Duration,
    linger: Duration,
}

impl Limits {
    fn from_env() -> Result<Limits, String> {
        Ok(Limits {
            connect: cli::time_limit(CONNECT_TIMEOUT)?,
            reply: cli::time_limit(REPLY_TIMEOUT)?,
            linger: cli::time_limit(LINGER)?,
        })
    }
}

/// ENOTDIR, errno 20 in Linux's numbering. (The std of Rust 1.95 also
/// has `ErrorKind::NotADirectory`; the number works with any std.)
const ENOTDIR: i32 = 20;

fn main() -> ExitCode {
    // Go: `fmt.Println(err); os.Exit(100)`.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            elogln!("socket-client: {e:#}");
            ExitCode::from(100)
        }
    }
}

// ANCHOR: main
fn run() -> Result<()> {
    // Go: `if len(arguments) == 1 { ... }; socketFile := arguments[1]`.
    // The arguments are bytes: a path need not be UTF-8.
    let args = parse_args(cli::args(), Program::Client)
        .map_err(|e| anyhow!("{e} ({USAGE})"))?;
    let place = args.place;
    place.check().map_err(|e| anyhow!(e))?;
    // The time limits of this run, read before any socket is opened.
    let limits = Limits::from_env().map_err(|e| anyhow!(e))?;

    // Go: `c, err := net.Dial("unix", socketFile)`; `defer c.Close()`
    // is Rust's drop: the socket closes when `c` goes out of scope.
    let mut c = connect(&place, limits.connect)?;

    // Go: `go readSocket(c)`. A thread instead of a goroutine; it gets
    // its own handle on the same socket (try_clone duplicates the file
    // descriptor with fcntl(F_DUPFD_CLOEXEC), a dup(2) that sets
    // close-on-exec), and tells us over a channel what it has seen.
    let reader = c.try_clone().context("duplicating the socket")?;
    let (tell, events) = mpsc::channel();
    thread::Builder::new()
        .spawn(move || {
            let end = read_socket(reader, &tell);
            let _ = tell.send(Event::End(end));
        })
        .context("cannot start a thread")?;

    send_messages(&mut c, args.count, &events, &place, limits.reply)?;
    finish(&c, &events, limits.linger)
}

/// --count only, once every message has had its reply: tell the
/// server we are done (a half-close: it reads end-of-file), then print
/// whatever is still on its way until the server closes its side, for
/// at most `linger` (LINGER). Go's server does not close a connection
/// (its goroutine returns without `c.Close()`, and only Go's garbage
/// collector closes it, much later), so no end-of-file within `linger`
/// is no error: every reply has come.
fn finish(
    c: &UnixStream,
    events: &Receiver<Event>,
    linger: Duration,
) -> Result<()> {
    c.shutdown(Shutdown::Write)
        .context("half-closing the connection")?;
    let deadline = Deadline::after(linger);
    loop {
        let Ok(left) = deadline.left() else {
            return Ok(());
        };
        match events.recv_timeout(left) {
            Ok(Event::Reply) => {}
            Ok(Event::End(end)) => return end,
            Err(RecvTimeoutError::Timeout) => return Ok(()),
            Err(RecvTimeoutError::Disconnected) => {
                bail!("the reader thread stopped")
            }
        }
    }
}
// ANCHOR_END: main

/// What the reader thread reports.
enum Event {
    /// A chunk arrived and has been printed.
    Reply,
    /// The reader stopped: Ok at end-of-file, or the error it met.
    End(Result<()>),
}

// ANCHOR: send
/// Go: `for { c.Write([]byte("Hello Server!")); time.Sleep(1 *
/// time.Second) }`, stopping after `count` messages when one is given.
///
/// Unlike Go, we wait for the reply to each message before the next
/// one goes out. A stream socket keeps no boundaries between writes:
/// if two messages (or two echoes) wait in a buffer together, one
/// read() returns both, and `Hello Server!Hello Server!` would be
/// printed as one reply. Waiting also gives the reply its time limit,
/// `reply` (REPLY_TIMEOUT).
fn send_messages(
    c: &mut UnixStream,
    count: Option<u64>,
    events: &Receiver<Event>,
    place: &Place,
    reply: Duration,
) -> Result<()> {
    // A 13-byte write blocks only when our send buffer is full of
    // bytes the server has not read (a Unix socket counts unread data
    // against its sender); even then, not for longer than a reply.
    c.set_write_timeout(Some(reply))
        .context("setting the write timeout")?;
    let mut sent: u64 = 0;
    loop {
        // A write to a socket whose server has gone fails with EPIPE
        // ("Broken pipe"). Rust ignores the SIGPIPE signal that would
        // otherwise kill us, so we see the error instead.
        c.write_all(MESSAGE)
            .with_context(|| format!("sending to {place}"))?;
        let sent_at = Instant::now();
        sent += 1;
        wait_for_reply(events, place, reply)?;
        if Some(sent) == count {
            return Ok(());
        }
        // Go: `time.Sleep(1 * time.Second)`; we sleep what is left of
        // the second, watching for the reader to stop meanwhile.
        pause_until(sent_at + INTERVAL, events, place)?;
    }
}

/// Block until the reader has printed a reply, for at most `limit`
/// from now (call it right after the message has gone out).
fn wait_for_reply(
    events: &Receiver<Event>,
    place: &Place,
    limit: Duration,
) -> Result<()> {
    let deadline = Deadline::after(limit);
    let timed_out = || {
        anyhow!(
            "timed out waiting for a reply: nothing from the server in {}",
            cli::Secs(limit)
        )
    };
    let left = deadline.left().map_err(|_| timed_out())?;
    match events.recv_timeout(left) {
        Ok(Event::Reply) => Ok(()),
        Ok(Event::End(end)) => Err(ended(end, place)),
        Err(RecvTimeoutError::Timeout) => Err(timed_out()),
        Err(RecvTimeoutError::Disconnected) => {
            bail!("the reader thread stopped")
        }
    }
}

/// Sleep until `until`, unless the reader stops first. More chunks of
/// a reply (or a server that sends without being asked) cannot make
/// the pause longer: it ends at `until`.
fn pause_until(
    until: Instant,
    events: &Receiver<Event>,
    place: &Place,
) -> Result<()> {
    loop {
        let left = until.saturating_duration_since(Instant::now());
        match events.recv_timeout(left) {
            Err(RecvTimeoutError::Timeout) => return Ok(()),
            Ok(Event::Reply) => continue, // more of a long reply
            Ok(Event::End(end)) => return Err(ended(end, place)),
            Err(RecvTimeoutError::Disconnected) => {
                bail!("the reader thread stopped")
            }
        }
    }
}

/// Why the conversation ended early: end-of-file or the reader's error.
fn ended(end: Result<()>, place: &Place) -> anyhow::Error {
    match end {
        Ok(()) => anyhow!("the server at {place} closed the connection"),
        Err(e) => e,
    }
}
// ANCHOR_END: send

// ANCHOR: read
/// Go: `func readSocket(r io.Reader)`. Print every chunk that arrives
/// as `-> CHUNK`, until end-of-file (Ok) or an error. No time limit
/// here: the main thread knows when a reply is due and how long to
/// wait for it.
fn read_socket(mut r: UnixStream, tell: &Sender<Event>) -> Result<()> {
    let mut buf = [0u8; 1024];
    loop {
        let n = match r.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading a reply"),
        };
        // Go: `fmt.Println("-> ", string(buf[0:n]))`, which prints two
        // spaces after the arrow (Println puts one between operands)
        // and passes the server's bytes to the terminal as they are.
        // outln! ends the program (status 141) if stdout is closed.
        outln!("-> {}", printable(&buf[..n]));
        let _ = tell.send(Event::Reply);
    }
}
// ANCHOR_END: read

// ANCHOR: connect
/// Go: `net.Dial("unix", socketFile)`, with a time limit.
///
/// connect() on a Unix socket needs no packets: the kernel finds the
/// listening socket by the file's inode (or by the abstract name) and
/// queues us on it. It fails at once if nobody listens; it blocks only
/// when the server's queue of not-yet-accepted connections is full.
/// std has no connect timeout for Unix sockets, so a helper thread
/// connects and we wait for it, at most `limit` (CONNECT_TIMEOUT).
fn connect(place: &Place, limit: Duration) -> Result<UnixStream> {
    let addr = place
        .socket_addr()
        .with_context(|| format!("making a socket address of {place}"))?;
    let (tx, rx) = mpsc::channel();
    thread::Builder::new()
        .spawn(move || {
            let _ = tx.send(UnixStream::connect_addr(&addr));
        })
        .context("cannot start a thread")?;
    match rx.recv_timeout(limit) {
        Ok(Ok(c)) => Ok(c),
        Ok(Err(e)) => Err(explain_connect_error(place, e)),
        Err(_) => bail!(
            "timed out after {} connecting to {place}: its queue is full",
            cli::Secs(limit)
        ),
    }
}

/// Turn connect()'s errno into a few words that say what it means,
/// followed by the errno's name as the man pages list it (unix(7),
/// ERRORS).
fn explain_connect_error(place: &Place, e: io::Error) -> anyhow::Error {
    let hint = match (place, e.kind(), e.raw_os_error()) {
        (Place::File(_), ErrorKind::NotFound, _) => "no such file",
        // Linux answers a connect to a file that is not a socket
        // with ECONNREFUSED too: look at the file to tell them apart.
        (Place::File(p), ErrorKind::ConnectionRefused, _) if !is_socket(p) => {
            "not a socket"
        }
        // A socket file that nobody listens on: a server left it.
        (Place::File(_), ErrorKind::ConnectionRefused, _) => {
            "nobody listens on it"
        }
        (Place::Abstract(_), ErrorKind::ConnectionRefused, _) => {
            "nobody listens"
        }
        // unix(7): on Linux, connecting needs write permission on the
        // socket. (connect(2): EACCES also when a directory on the way
        // may not be searched.)
        (Place::File(_), ErrorKind::PermissionDenied, _) => {
            "no write permission"
        }
        (Place::File(_), _, Some(ENOTDIR)) => "a part is not a directory",
        _ => {
            return anyhow::Error::new(e)
                .context(format!("connecting to {place}"));
        }
    };
    anyhow!("connecting to {place}: {hint} ({})", errno(&e))
}
// ANCHOR_END: connect

fn is_socket(p: &std::path::Path) -> bool {
    std::fs::metadata(p).is_ok_and(|m| m.file_type().is_socket())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use unix_socket::cli::Secs;

    /// The crate's page, each run of white space made one space (its
    /// sentences are wrapped at 80 columns).
    fn page() -> String {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/src");
        let text =
            std::fs::read_to_string(format!("{path}/unix-socket.md")).unwrap();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    }

    #[test]
    fn the_default_limits_are_the_page_s() {
        // Unset, NETPROG_TIME_SCALE leaves the constants as they are,
        // and the page quotes the messages they make.
        let page = page();
        for said in [
            format!(
                "`timed out after {} connecting to PATH: its queue is full`",
                Secs(CONNECT_TIMEOUT)
            ),
            format!(
                "`timed out waiting for a reply: nothing from the server \
                 in {}`",
                Secs(REPLY_TIMEOUT)
            ),
            format!(
                "our client waits at most {} for the end-of-file after \
                 its last reply",
                Secs(LINGER)
            ),
        ] {
            assert!(page.contains(&said), "the page does not say {said:?}");
        }
        // The pace, which no factor changes.
        assert!(page.contains("sends two messages, one a second"));
        assert_eq!(INTERVAL, Duration::from_secs(1));
    }
}
