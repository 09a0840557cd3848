//! echo-async: Newmarch's ThreadedEchoServer ("Multi-threaded server",
//! *Socket-level Programming*) once more, with one tokio task per
//! client instead of one thread.
//!
//! Read `threaded-echo-server` (crate echo-threaded) first: same port
//! (1201), same behaviour (every byte a client sends comes back, until
//! it closes), same messages. What differs is only how the clients
//! share the machine. A thread that blocks in read() costs a kernel
//! context switch every time a message arrives; a task that awaits a
//! read is resumed by the runtime on the thread that is already
//! running, so a burst of ready sockets is served without switching.
//! Measured beside the threaded server and a Go server that does what
//! ThreadedEchoServer does, in one run of scripts/bench (the page "How
//! fast is it?" has the figures).
//!
//! Run it:
//!
//! ```text
//! cargo run -p conc-tcp-async --bin echo-async              # 127.0.0.1:1201
//! cargo run -p conc-tcp-async --bin echo-async -- 0 --threads 2
//! ```
//!
//! Exit status: 0 never (stop it with Ctrl+C); 1 for a bad argument or
//! when the port cannot be bound (`Fatal error: ...`, as Newmarch's
//! checkError).

use anyhow::Context;
use conc_tcp_async::listen::{EMFILE_PAUSE, is_out_of_fds, listen_addr};
use conc_tcp_async::{bind_listener, cli, elogln, logln, threads_option};
use std::ffi::OsString;
use std::io;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The port of Newmarch's echo server listings (":1201").
const DEFAULT_PORT: u16 = 1201;

/// The same 512-byte buffer as the threaded server (and the book). It
/// lives inside the task's state, not on the heap: one task per client
/// is one small allocation.
const BUF: usize = 512;

const USAGE: &str = "usage: echo-async [PORT | ADDR:PORT] [--threads N] \
     (default 1201, 1 thread)";

fn main() {
    if let Err(e) =
        parse_args(&cli::args()).and_then(|(addr, threads)| run(addr, threads))
    {
        // Newmarch's checkError: "Fatal error: ..." and status 1.
        elogln!("Fatal error: {e:#}");
        std::process::exit(1);
    }
}

fn parse_args(
    args: &[OsString],
) -> anyhow::Result<(std::net::SocketAddr, usize)> {
    let mut place = None;
    let mut threads = 1usize;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = cli::text(a).map_err(anyhow::Error::msg)?;
        if a == "--threads" {
            let v = it.next().with_context(|| {
                format!("--threads needs a number. {USAGE}")
            })?;
            let v = cli::text(v).map_err(anyhow::Error::msg)?;
            threads = threads_option(v).map_err(anyhow::Error::msg)?;
        } else if a.starts_with("--") {
            anyhow::bail!("unknown option {a}. {USAGE}");
        } else if place.is_none() {
            place = Some(a);
        } else {
            anyhow::bail!("too many arguments. {USAGE}");
        }
    }
    Ok((listen_addr(place, DEFAULT_PORT)?, threads))
}

// ANCHOR: run
/// Start the runtime and serve on it. With one thread, every client
/// task and the accept loop take turns on this thread; with N, tokio's
/// work-stealing scheduler spreads the tasks over N threads.
fn run(addr: std::net::SocketAddr, threads: usize) -> anyhow::Result<()> {
    let rt = if threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
    }
    .context("starting the tokio runtime")?;
    rt.block_on(serve(addr))
}

async fn serve(addr: std::net::SocketAddr) -> anyhow::Result<()> {
    // A backlog of 4096, as Go asks for (the crate's lib explains).
    let listener = bind_listener(addr)?;
    logln!("listening on {}", listener.local_addr()?);
    loop {
        match listener.accept().await {
            // Go: `go handleClient(conn)`. tokio::spawn boxes the
            // task's state and queues it; nothing runs until we await.
            Ok((conn, peer)) => {
                tokio::spawn(async move {
                    if let Err(e) = echo(conn).await {
                        // One client's error ends that client only.
                        elogln!("{peer}: {e}");
                    }
                });
            }
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    tokio::time::sleep(EMFILE_PAUSE).await;
                }
            }
        }
    }
}
// ANCHOR_END: run

// ANCHOR: echo
/// Go's handleClient: read what came, write it back, until EOF.
async fn echo(mut conn: TcpStream) -> io::Result<()> {
    // Small echoes must leave at once, not wait for Nagle's algorithm
    // to gather more (Go sets TCP_NODELAY by default; Rust does not).
    conn.set_nodelay(true)?;
    let mut buf = [0u8; BUF];
    loop {
        // When no byte is waiting, read() returns Pending: the task
        // is parked and the thread runs another ready task. epoll
        // tells the runtime when this socket is readable again.
        let n = conn.read(&mut buf).await?;
        if n == 0 {
            return Ok(()); // the client closed its side: we close ours
        }
        conn.write_all(&buf[..n]).await?;
    }
}
// ANCHOR_END: echo
