//! socket-server: Tsoukalos, *Go Systems Programming*, "A Unix socket server",
//! program `socketServer.go`.
//!
//! An echo server on a Unix domain stream socket: a socket that lives
//! in the file system (or, on Linux, in the abstract namespace) and
//! joins processes on the same machine. No IP, no ports: the kernel
//! moves bytes from one process to the other without a network stack.
//! Every client gets its own thread; whatever it sends comes back.
//!
//!     cargo run -q -p unix-socket -- aSocket
//!     cargo run -q -p unix-socket -- --abstract netprog-echo
//!
//! Before it binds, the server looks at what is already at the path:
//! a stale socket file (nobody listens on it) is removed and reported;
//! a live one, or anything that is not a socket, is left alone and the
//! server stops. On Ctrl+C (SIGINT) or SIGTERM it removes its socket
//! file and exits 0.
//!
//! Time limits: 10 s for a client to take the echo of one chunk, and
//! 2 s for the connect() that checks an old socket file. The factor in
//! `NETPROG_TIME_SCALE` multiplies them (0.1: 1 s and 0.2 s; the tests
//! use it).
//!
//! Exit status: 0 after a clean shutdown; 100 for every error (as the
//! book's program; a bad command line or `NETPROG_TIME_SCALE` too),
//! with one line on stderr.

use anyhow::{Context, Result, anyhow, bail};
use signal_hook::consts::{SIGINT, SIGTERM};
use signal_hook::iterator::Signals;
use std::io::{self, ErrorKind, Read, Write};
use std::os::unix::fs::{FileTypeExt, MetadataExt};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::Path;
use std::process::ExitCode;
use std::sync::mpsc;
use std::thread;
use std::time::Duration;
use unix_socket::deadline::Deadline;
use unix_socket::listen::{EMFILE_PAUSE, is_out_of_fds};
use unix_socket::printable;
use unix_socket::{Place, Program, cli, errno, is_timeout, parse_args};
use unix_socket::{elogln, logln};

const USAGE: &str = "usage: socket-server PATH | socket-server --abstract NAME";

// ANCHOR: limits
/// How much one read takes from the socket, as in the book. A longer
/// message is simply read, logged and echoed in several pieces.
const BUF_SIZE: usize = 1024;

/// A client that stops reading lets our echoes pile up unread. Linux
/// charges them to our socket's send buffer (unix(7): SO_SNDBUF counts
/// for Unix sockets, SO_RCVBUF does not), and once that is full our
/// write blocks. If the echo of one chunk has not been taken
/// within this time, we give up on that client (its thread logs it and
/// closes the connection). A deadline for the whole echo, not for each
/// write call: a client that takes one byte now and then cannot stretch
/// it.
const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
// ANCHOR_END: limits

/// How long the stale-file check waits for a connect() to finish.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// ENOTDIR, errno 20 in Linux's numbering. (The std of Rust 1.95 also
/// has `ErrorKind::NotADirectory`; the number works with any std.)
const ENOTDIR: i32 = 20;

fn main() -> ExitCode {
    // Go: `fmt.Println(err); os.Exit(100)` wherever something fails.
    // `{:#}` prints anyhow's chain of context on one line.
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            elogln!("socket-server: {e:#}");
            ExitCode::from(100)
        }
    }
}

// ANCHOR: main
fn run() -> Result<()> {
    // Go: `if len(arguments) == 1 { ... }; socketFile := arguments[1]`.
    // The arguments are bytes: a path need not be UTF-8.
    let args = parse_args(cli::args(), Program::Server)
        .map_err(|e| anyhow!("{e} ({USAGE})"))?;
    let place = args.place;
    place.check().map_err(|e| anyhow!(e))?;
    // The time limits this run uses: the constants times the factor
    // in NETPROG_TIME_SCALE (cli::time_limit), read before any socket.
    let probe_limit = cli::time_limit(PROBE_TIMEOUT).map_err(|e| anyhow!(e))?;
    let write_limit = cli::time_limit(WRITE_TIMEOUT).map_err(|e| anyhow!(e))?;

    // Go calls `net.Listen("unix", socketFile)` straight away and fails
    // with "bind: address already in use" if any file is at the path.
    // We first look at what is there (see clear_stale_socket).
    if let Place::File(path) = &place {
        clear_stale_socket(path, &place, probe_limit)?;
    }
    let listener = listen(&place)?;

    // The book's program never closes its listener (which would make
    // Go remove the file), and Ctrl+C ends it at once: its socket file
    // stays behind and blocks the next start. We remove ours on SIGINT
    // and SIGTERM.
    remove_on_signal(&place)?;

    // The first line of output says where we listen (for scripts and
    // tests, which wait for it).
    logln!("listening on {place}");

    // Go: `for { fd, err := l.Accept(); ...; go echoServer(fd) }`
    accept_loop(&listener, write_limit);
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: stale
/// Make way for our socket file, or say why we cannot.
///
/// - nothing at the path: fine;
/// - not a socket (a regular file, a directory, a symbolic link): it is
///   somebody's data, never ours to delete: refuse;
/// - a socket that accepts a connection: a server is running there:
///   refuse, rather than steal its name;
/// - a socket that refuses (ECONNREFUSED): nobody listens on it any
///   more. A server that was killed (SIGKILL, a crash, Go's program
///   after Ctrl+C) leaves its file behind; bind() fails on it with
///   "address already in use", so we remove it and say so.
///
/// There is a race: another server could start between our check and
/// our bind. A production server would hold a lock file (flock) beside
/// the socket, or let systemd create the socket for it.
fn clear_stale_socket(
    path: &Path,
    place: &Place,
    probe_limit: Duration,
) -> Result<()> {
    // symlink_metadata (lstat) does not follow a symbolic link: a link
    // is reported as a link, so we never delete what it points to.
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        // Nothing there, or we cannot look: let bind() report it.
        return Ok(());
    };
    if !meta.file_type().is_socket() {
        bail!("{place} is not a socket: left untouched");
    }
    match probe(path, probe_limit)? {
        // A listening socket took our connection into its queue (a
        // Unix connect() succeeds before the server accepts), or the
        // queue is so full that connect() waits: either way a socket
        // listens there. Its server sees a client come and go.
        Ok(()) => bail!("{place} is in use: a server listens on it"),
        Err(e) if e.kind() == ErrorKind::ConnectionRefused => {
            std::fs::remove_file(path).with_context(|| {
                format!("removing stale socket file {place}")
            })?;
            elogln!("removed stale socket file {place} (nobody listened)");
            Ok(())
        }
        Err(e) => Err(e).with_context(|| {
            format!("checking whether socket file {place} is in use")
        }),
    }
}

/// Try to connect to the socket at `path`. Ok(Ok(())) when a server
/// listens there, or when connect() is still waiting after `limit`
/// (PROBE_TIMEOUT; a server whose queue is full): a waiting connect
/// must not hang our start. The helper thread ends with the process.
fn probe(path: &Path, limit: Duration) -> Result<io::Result<()>> {
    let (tx, rx) = mpsc::channel();
    let p = path.to_path_buf();
    thread::Builder::new()
        .spawn(move || {
            let _ = tx.send(UnixStream::connect(p).map(drop));
        })
        .context("cannot start a thread")?;
    Ok(rx.recv_timeout(limit).unwrap_or(Ok(())))
}
// ANCHOR_END: stale

// ANCHOR: listen
/// Go: `net.Listen("unix", socketFile)`. std's `UnixListener::bind`
/// makes a socket(AF_UNIX, SOCK_STREAM), bind()s it, which creates the
/// socket file (a new inode of type socket, like mknod would), and
/// listen()s. `bind_addr` does the same for an address that may also
/// be an abstract name.
fn listen(place: &Place) -> Result<UnixListener> {
    let addr = place
        .socket_addr()
        .with_context(|| format!("making a socket address of {place}"))?;
    UnixListener::bind_addr(&addr).map_err(|e| explain_bind_error(place, e))
}

/// Turn bind()'s errno into a few words that say what it means,
/// followed by the errno's name as bind(2) and unix(7) list it.
fn explain_bind_error(place: &Place, e: io::Error) -> anyhow::Error {
    let dir = match place {
        Place::File(p) => match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => {
                Place::File(d.to_path_buf()).to_string()
            }
            _ => ".".to_string(),
        },
        Place::Abstract(_) => String::new(),
    };
    let hint = match (place, e.kind(), e.raw_os_error()) {
        // unix(7): on Linux, creating the file needs write and search
        // (x) permission on its directory. (bind(2): EACCES also when
        // a directory higher up may not be searched.)
        (Place::File(_), ErrorKind::PermissionDenied, _) => {
            format!("may not write in {dir}")
        }
        (Place::File(_), ErrorKind::NotFound, _) => {
            format!("no directory {dir}")
        }
        (Place::File(_), _, Some(ENOTDIR)) => {
            format!("a part of {dir} is not a directory")
        }
        // The kernel turns mknod's EEXIST into EADDRINUSE.
        (Place::File(_), ErrorKind::AddrInUse, _) => {
            "a file appeared there".to_string()
        }
        (Place::Abstract(_), ErrorKind::AddrInUse, _) => {
            "the name is taken".to_string()
        }
        _ => {
            return anyhow::Error::new(e).context(format!("creating {place}"));
        }
    };
    anyhow!("creating {place}: {hint} ({})", errno(&e))
}
// ANCHOR_END: listen

// ANCHOR: signals
/// Remove the socket file when SIGINT (Ctrl+C) or SIGTERM (`kill`)
/// arrives, then exit with status 0.
///
/// signal-hook installs the handlers; the handler itself only sends a
/// byte into one end of a socket pair (send(2) with MSG_DONTWAIT, one
/// of the few calls that are safe in a signal handler,
/// signal-safety(7)), and a thread of ours waits on the other end and
/// does the real work.
/// SIGKILL cannot be caught (signal(7)): after `kill -9` the file
/// stays, and the next start finds a stale socket.
fn remove_on_signal(place: &Place) -> Result<()> {
    let mut signals = Signals::new([SIGINT, SIGTERM])
        .context("installing the SIGINT/SIGTERM handlers")?;
    // Remember which file is ours (device and inode numbers), so that
    // we do not remove a file that someone put there after us. (A
    // file swapped in between that check and the unlink would still
    // go: the check narrows the race, it does not close it.)
    let ours = match place {
        Place::File(p) => {
            let m = std::fs::metadata(p).with_context(|| {
                format!("looking at our socket file {place}")
            })?;
            Some((p.clone(), m.dev(), m.ino()))
        }
        Place::Abstract(_) => None, // no file: the name dies with the socket
    };
    let shown = place.to_string();
    thread::Builder::new()
        .spawn(move || {
            let Some(signal) = signals.forever().next() else {
                return;
            };
            let name = if signal == SIGINT {
                "SIGINT"
            } else {
                "SIGTERM"
            };
            match ours {
                Some((path, dev, ino)) => {
                    let still_ours = std::fs::symlink_metadata(&path)
                        .is_ok_and(|m| m.dev() == dev && m.ino() == ino);
                    if !still_ours {
                        elogln!("got {name}: {shown} is not ours now; kept");
                    } else if let Err(e) = std::fs::remove_file(&path) {
                        elogln!("got {name}: removing {shown}: {e}");
                    } else {
                        elogln!("got {name}: removed socket file {shown}");
                    }
                }
                None => elogln!("got {name}: shutting down"),
            }
            // Ends every thread; the kernel closes every socket.
            std::process::exit(0);
        })
        .context("cannot start a thread")?;
    Ok(())
}
// ANCHOR_END: signals

// ANCHOR: accept
/// Go: `fd, err := l.Accept(); if err != nil { fmt.Println(err);
/// os.Exit(100) }; go echoServer(fd)`. Go stops the whole server on an
/// accept error; we log it and go on, since the usual cause (out of
/// file descriptors) passes when some clients leave. `write_limit` is
/// WRITE_TIMEOUT, scaled.
fn accept_loop(listener: &UnixListener, write_limit: Duration) {
    let mut id: u64 = 0;
    for conn in listener.incoming() {
        match conn {
            Ok(c) => {
                id += 1;
                // Go's `go echoServer(fd)`: a thread instead of a
                // goroutine. Spawning fails with EAGAIN when memory is
                // short or when the user's RLIMIT_NPROC (it counts
                // threads), threads-max or pid_max is reached
                // (pthread_create(3)). The closure
                // is then dropped, which closes this connection, and
                // we go on serving the others. A production server
                // would also cap the number of threads.
                let spawned = thread::Builder::new()
                    .spawn(move || echo_server(c, id, write_limit));
                if let Err(e) = spawned {
                    elogln!("client {id}: cannot start a thread: {e}");
                }
            }
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    thread::sleep(EMFILE_PAUSE);
                }
            }
        }
    }
}
// ANCHOR_END: accept

// ANCHOR: echo
/// Go: `func echoServer(c net.Conn)`. Read what the client sent, log
/// it, write it back, until the client closes its end. Errors end this
/// client only: they are logged with the client's number.
fn echo_server(mut c: UnixStream, id: u64, write_limit: Duration) {
    if let Err(e) = echo(&mut c, write_limit) {
        elogln!("client {id}: {e:#}");
    }
    // Dropping `c` closes the socket: the client reads end-of-file.
    // (Go's echoServer returns without c.Close(). Until a garbage
    // collection runs the connection's finalizer, its client never
    // sees end-of-file.)
}

fn echo(c: &mut UnixStream, write_limit: Duration) -> Result<()> {
    let mut buf = [0u8; BUF_SIZE];
    loop {
        // read() returns what has arrived, 1..=1024 bytes; 0 means the
        // client closed (or half-closed) its side. Go returns io.EOF.
        let nr = match c.read(&mut buf) {
            Ok(0) => return Ok(()),
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading"),
        };
        let data = &buf[..nr];
        // Go: `fmt.Printf("->: %v\n", string(data))`. logln! ignores a
        // failed write: a closed stdout (`socket-server s | head -1`)
        // loses the log, not the server.
        logln!("->: {}", printable(data));
        // Go: `c.Write(data)`.
        match write_all_before(c, data, Deadline::after(write_limit)) {
            Ok(()) => {}
            Err(e) if is_timeout(&e) => bail!(
                "gave up after {} writing the echo: the client is not \
                 reading",
                cli::Secs(write_limit)
            ),
            Err(e) => return Err(e).context("writing the echo"),
        }
    }
}

/// write_all with a deadline: before each write(2), the socket's send
/// timeout (SO_SNDTIMEO) is set to the time that is left.
fn write_all_before(
    c: &mut UnixStream,
    mut data: &[u8],
    deadline: Deadline,
) -> io::Result<()> {
    while !data.is_empty() {
        c.set_write_timeout(Some(deadline.left()?))?;
        match c.write(data) {
            Ok(0) => return Err(ErrorKind::WriteZero.into()),
            Ok(n) => data = &data[n..],
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
// ANCHOR_END: echo

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use unix_socket::cli::Secs;

    #[test]
    fn the_default_limit_is_the_page_s() {
        // Unset, NETPROG_TIME_SCALE leaves WRITE_TIMEOUT as it is, and
        // the page quotes the message it makes ("When it goes wrong").
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/src");
        let text =
            std::fs::read_to_string(format!("{path}/unix-socket.md")).unwrap();
        let page = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let said = format!(
            "has not taken an echo within {0} and logs `client N: gave up \
             after {0} writing the echo: the client is not reading`",
            Secs(WRITE_TIMEOUT)
        );
        assert!(page.contains(&said), "the page does not say {said:?}");
    }
}
