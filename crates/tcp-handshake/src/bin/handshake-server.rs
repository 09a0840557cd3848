//! handshake-server: the echo server of the blog post that reads one
//! TCP connection in Wireshark ("Analyze three-way handshake with
//! Wireshark"). The Go original takes its port as an argument, accepts
//! connections, and echoes what each client sends, logging each
//! request and each client that leaves.
//!
//! ```text
//! cargo run -q -p tcp-handshake --bin handshake-server        # 9000
//! cargo run -q -p tcp-handshake --bin handshake-server -- 0   # any
//! handshake-server [--idle-timeout SECS] [PORT | ADDR:PORT]
//! ```
//!
//! Then `handshake-client` in a second terminal, and `handshake-watch`
//! in a third to see the segments.
//!
//! Exit status: 1 if it cannot listen (usage error, a bad
//! `NETPROG_TIME_SCALE`, address in use).
//! Once listening it never stops by itself: no client, closed stdout
//! or stderr, lack of file descriptors or of threads ends it.

use std::io::{self, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;
use tcp_handshake::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use tcp_handshake::{cli, elogln, logln, printable};

/// The blog's port.
const DEFAULT_PORT: u16 = 9000;

/// A client that sends nothing (or reads nothing of what we send) for
/// this long is disconnected, so that a client that vanished without
/// a FIN or RST cannot hold a thread and a socket for ever. Times
/// `NETPROG_TIME_SCALE` (`cli::time_limit`); `--idle-timeout` is kept
/// as given.
const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

const USAGE: &str =
    "usage: handshake-server [--idle-timeout SECS] [PORT | ADDR:PORT]";

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Go: fmt.Println("failed to create listener, err:", err)
            elogln!("failed to create listener, err: {e}");
            ExitCode::from(1)
        }
    }
}

/// `[--idle-timeout SECS] [PORT | ADDR:PORT]`, by hand as the blog's
/// `os.Args[1]`; the address as every server here reads it.
fn parse_args() -> Result<(SocketAddr, Duration), String> {
    let args = cli::args();
    // Read first, so that a bad scale is refused whatever else is given.
    let mut idle = cli::time_limit(IDLE_TIMEOUT)?;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = cli::text(a)?;
        if a == "--idle-timeout" {
            let v = it.next().ok_or("--idle-timeout needs a value")?;
            let v = cli::text(v)?;
            idle = match v.parse::<u64>() {
                Ok(s) if (1..=86_400).contains(&s) => Duration::from_secs(s),
                _ => {
                    return Err(format!(
                        "--idle-timeout wants whole seconds from 1 to 86400, \
                         not {v:?}"
                    ));
                }
            };
        } else {
            rest.push(a);
        }
    }
    let addr = match rest.as_slice() {
        [] => listen_addr(None, DEFAULT_PORT),
        [a] => listen_addr(Some(a), DEFAULT_PORT),
        _ => return Err(format!("too many arguments ({USAGE})")),
    };
    Ok((addr.map_err(|e| e.to_string())?, idle))
}

// ANCHOR: main
fn run() -> Result<(), String> {
    let (addr, idle) = parse_args()?;
    // Go: net.Listen("tcp", ":9000"). socket(), bind(), listen(): from
    // here on the kernel completes handshakes by itself, even before
    // we call accept(), and queues them (std asks for 128).
    let listener = TcpListener::bind(addr).map_err(|e| bind_error(e, addr))?;
    let local = listener.local_addr().map_or(addr, |a| a);
    logln!("listening on {local}");
    for conn in listener.incoming() {
        match conn {
            // Go: go handleConnection(conn)
            Ok(c) => {
                let started = thread::Builder::new()
                    .spawn(move || handle_connection(c, idle));
                if let Err(e) = started {
                    // The closure, and the connection in it, are
                    // dropped: the client sees the connection close.
                    elogln!("cannot start a thread: {e}");
                }
            }
            // Go logs and continues; so do we. A failed accept is
            // about one connection, never a reason to stop serving.
            Err(e) => {
                elogln!("failed to accept connection, err: {e}");
                // Out of file descriptors: the next accept would fail
                // at once too. Pause, so that the loop does not spin,
                // until clients leave.
                if is_out_of_fds(&e) {
                    thread::sleep(EMFILE_PAUSE);
                }
            }
        }
    }
    Ok(())
}
// ANCHOR_END: main

// ANCHOR: handle
fn handle_connection(mut conn: TcpStream, idle: Duration) {
    let peer = conn
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string());
    // SO_RCVTIMEO and SO_SNDTIMEO: a read that waits, or a write that
    // cannot go on, for `idle` fails, and we close. Without them a
    // client that vanished without a FIN or RST (its machine lost
    // power; a burst that overflowed our accept queue) would hold this
    // thread and its socket for ever. Go's version has no such limit.
    let _ = conn.set_read_timeout(Some(idle));
    let _ = conn.set_write_timeout(Some(idle));
    // The blog reads into 15 bytes for a 14-byte message. A read
    // returns what has arrived, up to the buffer's size: a longer
    // message simply comes in several reads.
    let mut buf = [0u8; 15];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => break, // EOF: the client sent its FIN
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) if is_timeout(&e) => {
                logln!("closing idle connection: {peer}");
                return;
            }
            Err(e) => {
                elogln!("failed to read data, err: {e}");
                break;
            }
        };
        // One log line per read; a trailing newline is the line's own.
        let text = printable(&buf[..n]);
        logln!("request: {}", text.strip_suffix('\n').unwrap_or(&text));
        // The blog writes back the whole buffer, so one NUL byte
        // travels after the 14 bytes (len=15 in Wireshark). We send
        // back exactly the n bytes that came in.
        if let Err(e) = conn.write_all(&buf[..n]) {
            elogln!("failed to write data, err: {e}");
            break;
        }
    }
    logln!("connection closed by client: {peer}");
    // Dropping `conn` closes the socket: our FIN goes out.
}
// ANCHOR_END: handle

/// Did a socket call time out? An expired `SO_RCVTIMEO` or
/// `SO_SNDTIMEO` (std's `set_read_timeout`, `set_write_timeout`)
/// makes the call fail with EAGAIN on Linux (socket(7)), which std
/// calls `WouldBlock`; std's docs warn that other systems may say
/// `TimedOut`, as std's `connect_timeout` does. Both count.
fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}
