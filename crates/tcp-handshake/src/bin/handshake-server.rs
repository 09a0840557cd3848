//! handshake-server: the echo server of the blog post that reads one
//! TCP connection in Wireshark ("Analyze three-way handshake with
//! Wireshark"). The Go original takes its port as an argument, accepts
//! connections, and echoes what each client sends, logging each
//! request and each client that leaves.
//!
//!     cargo run -q -p tcp-handshake --bin handshake-server        # port 9000
//!     cargo run -q -p tcp-handshake --bin handshake-server -- 0   # any free port
//!
//! Then `handshake-client` in a second terminal, and `handshake-watch`
//! in a third to see the segments.
//!
//! Exit status: 1 if it cannot listen (usage error, address in use).

use anyhow::{Context, Result};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::ExitCode;
use std::thread;
use std::time::Duration;

/// The blog's port.
const DEFAULT_PORT: u16 = 9000;

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Go: fmt.Println("failed to create listener, err:", err)
            eprintln!("failed to create listener, err: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let addr = match args.as_slice() {
        [] => SocketAddr::from(([127, 0, 0, 1], DEFAULT_PORT)),
        [a] => parse_addr(a)?,
        _ => anyhow::bail!(
            "too many arguments (usage: handshake-server [PORT | ADDR:PORT])"
        ),
    };
    // Go: net.Listen("tcp", ":9000"). socket(), bind(), listen(): from
    // here on the kernel completes handshakes by itself, even before
    // we call accept().
    let listener = TcpListener::bind(addr)
        .with_context(|| format!("listening on {addr}"))?;
    println!("listening on {}", listener.local_addr()?);
    for conn in listener.incoming() {
        match conn {
            // Go: go handleConnection(conn)
            Ok(c) => {
                thread::spawn(move || handle_connection(c));
            }
            // Go logs and continues; so do we. A failed accept is
            // about one connection, never a reason to stop serving.
            Err(e) => {
                eprintln!("failed to accept connection, err: {e}");
                // EMFILE (24) / ENFILE (23): out of file descriptors.
                // The next accept would fail at once too: pause, so
                // that the loop does not spin, until clients leave.
                if matches!(e.raw_os_error(), Some(23 | 24)) {
                    thread::sleep(Duration::from_millis(100));
                }
            }
        }
    }
    Ok(())
}

/// A port (binds 127.0.0.1) or a full address.
fn parse_addr(a: &str) -> Result<SocketAddr> {
    if let Ok(port) = a.parse::<u16>() {
        return Ok(SocketAddr::from(([127, 0, 0, 1], port)));
    }
    a.parse().with_context(|| {
        format!(
            "{a:?} is neither a port (9000) nor an address (127.0.0.1:9000)"
        )
    })
}

// ANCHOR: handle
fn handle_connection(mut conn: TcpStream) {
    let peer = conn
        .peer_addr()
        .map_or_else(|_| "?".to_string(), |a| a.to_string());
    // The blog reads into 15 bytes for a 14-byte message. A read
    // returns what has arrived, up to the buffer's size: a longer
    // message simply comes in several reads.
    let mut buf = [0u8; 15];
    loop {
        let n = match conn.read(&mut buf) {
            Ok(0) => break, // EOF: the client sent its FIN
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => {
                eprintln!("failed to read data, err: {e}");
                break;
            }
        };
        print!("request: {}", printable(&buf[..n]));
        // The blog writes back the whole buffer, so one NUL byte
        // travels after the 14 bytes (len=15 in Wireshark). We send
        // back exactly the n bytes that came in.
        if let Err(e) = conn.write_all(&buf[..n]) {
            eprintln!("failed to write data, err: {e}");
            break;
        }
    }
    println!("connection closed by client: {peer}");
    // Dropping `conn` closes the socket: our FIN goes out.
}
// ANCHOR_END: handle

/// Client bytes as text, with control characters other than newline
/// and tab shown as `?`, so that garbage cannot upset the terminal.
fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '?'
            } else {
                c
            }
        })
        .collect()
}
