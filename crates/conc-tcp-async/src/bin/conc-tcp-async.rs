//! conc-tcp-async: the concurrent TCP line-echo server, one tokio task
//! per client instead of one thread.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, section "A
//! concurrent TCP server" (concTCP.go). Read the threaded version
//! first (crate concurrent-tcp, binary `conc-tcp`): this file follows
//! it step by step, and its comments say where and why they differ.
//!
//! The protocol and the output are the same: every line a client sends
//! is printed as `-> LINE` and sent back; `STOP` ends that client's
//! conversation only; the server runs until you press Ctrl+C. What
//! changes is how the clients share the machine:
//!
//! - `conc-tcp` gives each client an operating-system thread that
//!   *blocks* in `read()`. 10,000 clients, 10,001 threads.
//! - here each client is a *task*: a small state machine that the
//!   tokio runtime resumes when epoll reports its socket ready. 10,000
//!   clients, one thread (unless `--threads` asks for more).
//!
//! Go's `go handleConnection(c)` is in between, and closer to this
//! file than to the threaded one: a goroutine is a "green thread" with
//! its own small, growable stack (2 KiB at first: runtime/stack.go,
//! `_StackMin`). Go's runtime schedules goroutines on a few OS threads
//! (GOMAXPROCS, one per core by default), each with its own queue of
//! runnable goroutines, and an idle thread steals work from another's
//! queue. A goroutine whose read would block is parked, and its socket
//! is watched by the runtime's netpoller (epoll on Linux,
//! runtime/netpoll_epoll.go), which makes it runnable again when bytes
//! arrive. tokio's multi-thread runtime has the same shape.
//!
//! Run it:
//!
//! ```text
//! cargo run -p conc-tcp-async -- 1234
//! cargo run -p conc-tcp-async -- 1234 --max-clients 100 --threads 2
//! ```
//!
//! and talk to it with `nc 127.0.0.1 1234`.
//!
//! Limits: lines of at most [`MAX_LINE`] bytes (64 KiB, newline
//! included), at most `--max-clients` clients at once (default
//! [`DEFAULT_MAX_CLIENTS`]); past either, the client gets a one-line
//! explanation and is disconnected, and the server goes on.
//!
//! Exit status: 0 never (stop it with Ctrl+C); 100 for a bad argument
//! or when the port cannot be bound, as the Go program.

use anyhow::Context;
use conc_tcp_async::listen::{EMFILE_PAUSE, is_out_of_fds, listen_addr};
use conc_tcp_async::{
    DEFAULT_PORT, LineRead, MAX_LINE, READ_BUF, bind_listener, cli, elogln,
    is_stop, log_received, logln, read_line, say_goodbye, threads_option,
};
use std::ffi::OsString;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

// ANCHOR: limits
/// How many clients may be connected at once, unless `--max-clients`
/// says otherwise.
///
/// An idle client costs this server a few KiB of memory (the page
/// gives the figure `scripts/bench` measured), so memory is not what
/// runs out first; file descriptors are. Each client holds one, and
/// `ulimit -n` (often 1024 by default, and at most the hard limit,
/// `ulimit -Hn`) caps them per process. 50,000 is past what most
/// limits allow, so in practice the fd limit bites first: `accept`
/// then fails with EMFILE, which the accept loop survives (it logs it,
/// pauses, and the waiting clients are served as others leave). Set a
/// lower cap to refuse politely before that. The threaded conc-tcp
/// stops at 12,000, because a process has room for about 16,380
/// threads.
const DEFAULT_MAX_CLIENTS: usize = 50_000;

/// How many clients are connected right now.
///
/// The same atomic counter as the threaded conc-tcp. A `static` must
/// be safe to share between threads (`Sync`), and with `--threads 2`
/// the tasks that change it do run on several threads; an atomic is
/// both, and costs nothing noticeable. (On the one-thread runtime a
/// plain counter would do, but only as a `thread_local!` `Cell`.)
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
// ANCHOR_END: limits

/// Holds one of the `ACTIVE` places; gives it back when dropped, that
/// is when the client's task ends, whichever way it ends.
struct Place;

impl Drop for Place {
    fn drop(&mut self) {
        ACTIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

// ANCHOR: handle
/// Serve one client: Go's `handleConnection`. Runs as its own task.
///
/// An `async fn` does not run when called: it returns a *future*, a
/// struct that holds exactly the variables that must survive an
/// `.await` (the socket, the reader and its buffer, the line, where we
/// are in the loop). That struct, boxed by `tokio::spawn`, is the whole
/// per-client state: a few hundred bytes (the unit test at the end of
/// this file prints its size), plus the reader's buffer on the heap.
/// A thread needs a stack instead: address space for the deepest call
/// chain it might ever make, and at least a page of it touched.
async fn handle_connection(mut c: TcpStream, peer: SocketAddr) {
    // Whatever ended the conversation, only this client is affected.
    // The Go version calls os.Exit(100) here when a client leaves
    // without STOP, which stops the server for everybody.
    match echo_lines(&mut c).await {
        Ok(Ending::Stop) => {}
        Ok(Ending::Left) => elogln!("{peer}: left without sending STOP"),
        Ok(Ending::TooLong) => {
            elogln!("{peer}: line longer than {MAX_LINE} bytes; disconnected")
        }
        Err(e) => elogln!("{peer}: {e:#}"),
    }
    // `c` is dropped here: tokio removes it from epoll and calls
    // close(2); the kernel sends our FIN.
}

/// How a conversation ended.
enum Ending {
    Stop,
    Left,
    TooLong,
}

/// Read lines from the client and send each one back, until STOP.
async fn echo_lines(c: &mut TcpStream) -> anyhow::Result<Ending> {
    // Two halves of the one socket, borrowed: reading and writing need
    // separate `&mut`s. (`split` costs nothing: no dup(2), no Arc; the
    // threaded version shares `&TcpStream` instead.)
    let (r, mut w) = c.split();
    // ONE buffered reader for the whole connection, with a 1 KiB buffer
    // (READ_BUF). It is this task's largest piece of memory: an idle
    // client costs little more than this. It may hold bytes of the
    // *next* line after returning this one; Go's concTCP makes a new
    // bufio.Reader per line and so can lose them.
    let mut reader = BufReader::with_capacity(READ_BUF, r);
    // The line buffer starts empty (no allocation at all) and grows to
    // the longest line seen.
    let mut line = Vec::new();
    loop {
        // `.await`: if no whole line has arrived, this task is parked
        // here and the thread goes on with other tasks. Go's
        // ReadString parks the goroutine the same way.
        let got = read_line(&mut reader, &mut line, MAX_LINE)
            .await
            .context("reading a line")?;
        match got {
            LineRead::Eof => return Ok(Ending::Left),
            LineRead::TooLong => {
                let msg = format!(
                    "line longer than {MAX_LINE} bytes: closing the \
                     connection\n"
                );
                say_goodbye(&mut reader, &mut w, &msg)
                    .await
                    .context("refusing a long line")?;
                return Ok(Ending::TooLong);
            }
            LineRead::Line | LineRead::Unterminated => {}
        }
        // Go: fmt.Print("-> ", string(netData)); c.Write(...)
        log_received("-> ", &line);
        w.write_all(&line).await.context("sending the line back")?;
        if is_stop(&line) {
            return Ok(Ending::Stop);
        }
        if got == LineRead::Unterminated {
            // The client closed after a last line with no newline: we
            // answered it, and there is nothing more to read.
            return Ok(Ending::Left);
        }
        // A long line leaves `line` with a large capacity (up to
        // 64 KiB). Give that memory back rather than keep it for the
        // life of a client that may now sit idle for hours.
        if line.capacity() > READ_BUF {
            line = Vec::new();
        }
    }
}
// ANCHOR_END: handle

/// What the command line asked for.
struct Config {
    addr: SocketAddr,
    max_clients: usize,
    threads: usize,
}

const USAGE: &str =
    "usage: conc-tcp-async [PORT | ADDRESS] [--max-clients N] [--threads N]";

/// The text of the value after `option`.
fn value_after<'a>(
    option: &str,
    it: &mut impl Iterator<Item = &'a OsString>,
) -> anyhow::Result<&'a str> {
    let v = it
        .next()
        .with_context(|| format!("{option} needs a number. {USAGE}"))?;
    cli::text(v).map_err(anyhow::Error::msg)
}

/// A whole number above 0 following `option`.
fn number_after<'a>(
    option: &str,
    it: &mut impl Iterator<Item = &'a OsString>,
) -> anyhow::Result<usize> {
    let n = value_after(option, it)?;
    match n.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => {
            anyhow::bail!("{option} wants a whole number above 0, not \"{n}\"")
        }
    }
}

fn parse_args(args: &[OsString]) -> anyhow::Result<Config> {
    let mut addr = None;
    let mut max_clients = DEFAULT_MAX_CLIENTS;
    let mut threads = 1;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = cli::text(a).map_err(anyhow::Error::msg)?;
        if a == "--max-clients" {
            max_clients = number_after(a, &mut it)?;
        } else if a == "--threads" {
            // 1 to 64, the rule echo-async has too (threads_option).
            let v = value_after(a, &mut it)?;
            threads = threads_option(v).map_err(anyhow::Error::msg)?;
        } else if a.starts_with("--") {
            anyhow::bail!("unknown option {a}. {USAGE}");
        } else if addr.is_none() {
            addr = Some(a);
        } else {
            anyhow::bail!("too many arguments. {USAGE}");
        }
    }
    let addr = listen_addr(addr, DEFAULT_PORT)?;
    Ok(Config {
        addr,
        max_clients,
        threads,
    })
}

fn main() {
    // Tsoukalos' programs print the error and exit with status 100.
    let result = parse_args(&cli::args()).and_then(|config| run(&config));
    if let Err(e) = result {
        elogln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: runtime
/// Start the tokio runtime, then run the server on it.
///
/// Go starts its runtime before `main` without being asked; in Rust
/// the runtime is a library and we start it ourselves. (The
/// `#[tokio::main]` attribute writes these lines for you; here they are
/// spelled out.)
///
/// - With one thread (the default) it is a `current_thread` runtime:
///   `block_on` runs the accept loop *and* every client task on this,
///   the main thread. One thread in the whole process, as
///   `ls /proc/PID/task` shows. The load generator runs on the same two
///   cores, so one server thread leaves it the other core.
/// - `--threads N` starts the multi-thread runtime: N worker threads
///   that share the tasks and steal work from each other when idle,
///   which is what Go does with GOMAXPROCS threads (Go's default is
///   one per core).
///
/// `enable_io` starts the reactor (epoll); `enable_time` the timers.
fn run(config: &Config) -> anyhow::Result<()> {
    let mut builder = if config.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
    } else {
        let mut b = tokio::runtime::Builder::new_multi_thread();
        b.worker_threads(config.threads);
        b
    };
    let rt = builder
        .enable_io()
        .enable_time()
        .build()
        .context("starting the tokio runtime")?;
    rt.block_on(serve(config))
}
// ANCHOR_END: runtime

// ANCHOR: main
/// Listen, then accept clients forever, one task each.
async fn serve(config: &Config) -> anyhow::Result<()> {
    // Go: net.Listen("tcp", PORT). socket(2) + bind(2) + listen(2).
    let l = bind_listener(config.addr)?;
    let local = l.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");

    loop {
        // accept(2) on a non-blocking socket: if a handshake is
        // waiting, we get it at once; if not, the kernel says EAGAIN,
        // and this task is parked until epoll reports the listening
        // socket readable (a new connection is queued).
        match l.accept().await {
            Ok((c, peer)) => start_client(c, peer, config.max_clients),
            // Go's concTCP exits here. An accept error concerns one
            // connection (or a passing shortage): log it and go on.
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    // Out of file descriptors: pause, or we would spin.
                    // tokio's sleep parks this task only; the clients
                    // already connected are served meanwhile.
                    tokio::time::sleep(EMFILE_PAUSE).await;
                }
            }
        }
    }
}
// ANCHOR_END: main

// ANCHOR: start
/// Go: `go handleConnection(c)`. Checks the limit, then starts a task
/// for the client.
fn start_client(c: TcpStream, peer: SocketAddr, max_clients: usize) {
    // Only the accepting task adds to ACTIVE; client tasks only
    // subtract. So the count cannot grow between the check and the
    // `fetch_add`, and the limit holds.
    if ACTIVE.load(Ordering::Relaxed) >= max_clients {
        elogln!(
            "{peer}: refused, already serving {max_clients} clients \
             (--max-clients)"
        );
        refuse(
            &c,
            &format!(
                "server busy: {max_clients} clients connected, try again \
                 later\n"
            ),
        );
        return;
    }
    ACTIVE.fetch_add(1, Ordering::Relaxed);
    let place = Place;

    // tokio::spawn puts the future in a heap allocation with a small
    // header (state, waker, queue links) and queues it to run. Unlike
    // thread::Builder::spawn it cannot fail for want of threads, so
    // there is no "cannot start a thread" branch here. The returned
    // JoinHandle is dropped: the task runs on, detached, as a
    // goroutine does.
    tokio::spawn(async move {
        let _place = place; // given back when this task ends
        handle_connection(c, peer).await;
    });
}

/// Tell a client in one line why it is not served, and close.
///
/// `try_write` writes only what fits right now and never waits, which
/// is what the accepting task needs: a new socket's send buffer is
/// empty, so the whole line fits. (As in the threaded server, if the
/// client had already sent data, our close sends a reset, and a client
/// that writes again or reads on after the line sees "connection
/// reset"; a lingering close in a task of its own would cure that, but
/// would hold a file descriptor for up to a second per refused client,
/// which is what the cap is there to save.)
fn refuse(c: &TcpStream, msg: &str) {
    let _ = c.try_write(msg.as_bytes());
}
// ANCHOR_END: start

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;
    use tokio::net::TcpListener;

    /// The claim of `handle_connection`'s comment: a client's whole
    /// state, the future that `tokio::spawn` boxes, is small.
    #[test]
    fn a_client_task_is_a_few_hundred_bytes() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap();
        rt.block_on(async {
            let l = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = l.local_addr().unwrap();
            let c = TcpStream::connect(addr).await.unwrap();
            let fut = handle_connection(c, addr);
            let size = std::mem::size_of_val(&fut);
            eprintln!("handle_connection's future: {size} bytes");
            assert!(size < 1024, "the task's state grew to {size} bytes");
        });
    }
}
