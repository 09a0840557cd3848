//! conc-tcp: a concurrent TCP line-echo server, one thread per client.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, section "A
//! concurrent TCP server" (concTCP.go).
//!
//! Every line a client sends is printed as `-> LINE` and sent back.
//! `STOP` ends that client's conversation only; the server goes on
//! until you press Ctrl+C. Where Go starts a goroutine per client
//! (`go handleConnection(c)`), Rust starts an operating-system thread,
//! with a small stack so that ten thousand idle clients stay cheap.
//!
//! Run it:
//!
//! ```text
//! cargo run -p concurrent-tcp -- 1234          # or: --bin conc-tcp
//! cargo run -p concurrent-tcp -- 1234 --max-clients 100
//! ```
//!
//! then talk to it from other terminals with `nc 127.0.0.1 1234` or
//! `cargo run -p concurrent-tcp --bin tcp-client -- 127.0.0.1:1234`.
//!
//! Limits: lines of at most [`MAX_LINE`] bytes (64 KiB, newline
//! included), and at most `--max-clients` clients at once (default
//! [`DEFAULT_MAX_CLIENTS`]); past either, the client gets a one-line
//! explanation and is disconnected, and the server goes on. (The
//! client of a line too long is given a second to stop sending first,
//! `say_goodbye` in src/lib.rs; `NETPROG_TIME_SCALE` multiplies it.)
//!
//! Exit status: 0 never (stop it with Ctrl+C); 100 for a bad argument
//! or `NETPROG_TIME_SCALE`, or when the port cannot be bound, as the
//! Go program.

use anyhow::Context;
use concurrent_tcp::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use concurrent_tcp::{
    DEFAULT_PORT, DRAIN_TIME, LineRead, MAX_LINE, READ_BUF, cli, elogln,
    is_stop, log_received, logln, read_line, say_goodbye,
};
use socket2::{Domain, Socket, Type};
use std::ffi::OsString;
use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

// ANCHOR: limits
/// Each client thread gets a 64 KiB stack instead of std's 2 MiB.
///
/// A thread's stack is address space the kernel *reserves*, but backs
/// with RAM only page by page, as the thread first touches it. Our
/// client threads touch a few 4 KiB pages of it, whatever the
/// reservation: the top of the mapping holds the C library's record
/// of the thread and its thread-local variables, and below it the few
/// calls deep the handler ever goes (the test
/// `each_client_thread_costs_four_mappings` prints how much of each
/// stack is resident). So the small stack saves little RAM. What it
/// saves is reservation: 10,000 threads reserve 625 MiB instead of
/// 19.5 GiB, which matters wherever reserved memory is limited
/// (`ulimit -v`, or strict overcommit, `vm.overcommit_memory = 2`).
///
/// Too small would be fatal: a thread that runs off the end of its
/// stack hits a guard page, and Rust then aborts the *whole process*
/// ("thread has overflowed its stack"). 64 KiB is many times what this
/// handler needs (it has no recursion and no big local arrays). If you
/// add code that keeps large arrays on the stack, raise it.
const STACK_SIZE: usize = 64 * 1024;

/// How many clients may be connected at once, unless `--max-clients`
/// says otherwise.
///
/// Every client costs one thread and one file descriptor. An
/// operating system runs out of threads long before it runs out of
/// goroutines. Each thread takes a process id and four memory
/// mappings: its stack, the stack's guard page, and the small stack
/// that std gives every thread for signal handlers, with its own guard
/// page (the test `each_client_thread_costs_four_mappings` counts
/// them in /proc/PID/maps). Linux allows 65,530 mappings per process
/// by default (`vm.max_map_count`, DEFAULT_MAX_MAP_COUNT in the
/// kernel's include/linux/mm.h), so a Rust process has room for about
/// 16,380 threads. Worse, at that edge a thread can be created and
/// then fail to map its signal stack, and std then aborts the *whole
/// process*: checking the error of `spawn` is not enough, a limit well
/// below the edge is what keeps the server alive. Past the limit, a
/// new client is told so in one line and disconnected, and the clients
/// already connected go on undisturbed. Go's concTCP has no limit: it
/// accepts until something runs out.
const DEFAULT_MAX_CLIENTS: usize = 12_000;

/// How many clients are connected right now.
///
/// A `static` atomic integer can be read and changed from every
/// thread without a lock: `fetch_add` and `fetch_sub` are indivisible
/// read-modify-write operations. On x86-64 each is one instruction,
/// `lock xadd` (see it with `cargo rustc --release --bin conc-tcp --
/// --emit asm`); a processor without an atomic add (ARMv8.0, before
/// its LSE extension) gets a short loop that retries until its store
/// succeeds. (In Go you would use `sync/atomic` or a mutex the same
/// way.) `Relaxed` ordering is enough for a counter that guards
/// nothing else.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);
// ANCHOR_END: limits

/// Holds one of the `ACTIVE` places; gives it back when dropped, that
/// is when the client's thread ends, whichever way it ends.
struct Place;

impl Drop for Place {
    fn drop(&mut self) {
        ACTIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

// ANCHOR: handle
/// Serve one client: Go's `handleConnection`. Runs in its own thread.
/// `drain`: how long a client refused for a long line may go on
/// sending (`say_goodbye`).
fn handle_connection(c: TcpStream, peer: SocketAddr, drain: Duration) {
    // Whatever ended the conversation, only this client is affected.
    // The Go version calls os.Exit(100) here when a client leaves
    // without STOP, which stops the server for everybody.
    match echo_lines(&c, drain) {
        Ok(Ending::Stop) => {}
        Ok(Ending::Left) => elogln!("{peer}: left without sending STOP"),
        Ok(Ending::TooLong) => {
            elogln!("{peer}: line longer than {MAX_LINE} bytes; disconnected")
        }
        Err(e) => elogln!("{peer}: {e:#}"),
    }
    // `c` is dropped here: close(2), and the kernel sends our FIN.
}

/// How a conversation ended.
enum Ending {
    Stop,
    Left,
    TooLong,
}

/// Read lines from the client and send each one back, until STOP.
fn echo_lines(c: &TcpStream, drain: Duration) -> anyhow::Result<Ending> {
    // ONE buffered reader for the whole connection, made before the
    // loop. It may hold bytes of the *next* line after returning this
    // one (two lines can arrive in one TCP segment); Go's concTCP
    // makes a new bufio.Reader for every line and so can lose them.
    let mut reader = BufReader::with_capacity(READ_BUF, c);
    // One line buffer too, cleared and reused for every line.
    let mut line = Vec::new();
    // `&TcpStream` implements Write (and Read), so the reader and the
    // writer can share the one socket without cloning it.
    let mut writer = c;
    loop {
        let got = read_line(&mut reader, &mut line, MAX_LINE)
            .context("reading a line")?;
        match got {
            LineRead::Eof => return Ok(Ending::Left),
            LineRead::TooLong => {
                let msg = format!(
                    "line longer than {MAX_LINE} bytes: closing the \
                     connection\n"
                );
                say_goodbye(c, &msg, drain).context("refusing a long line")?;
                return Ok(Ending::TooLong);
            }
            LineRead::Line | LineRead::Unterminated => {}
        }
        // Go: fmt.Print("-> ", string(netData)); c.Write(...)
        log_received("-> ", &line);
        writer.write_all(&line).context("sending the line back")?;
        if is_stop(&line) {
            return Ok(Ending::Stop);
        }
        if got == LineRead::Unterminated {
            // The client closed after a last line with no newline: we
            // answered it, and there is nothing more to read.
            return Ok(Ending::Left);
        }
    }
}
// ANCHOR_END: handle

/// What the command line asked for.
struct Config {
    addr: SocketAddr,
    max_clients: usize,
    /// DRAIN_TIME, scaled by NETPROG_TIME_SCALE (src/cli.rs).
    drain: Duration,
}

const USAGE: &str = "usage: conc-tcp [PORT | ADDRESS] [--max-clients N]";

fn parse_args(args: &[OsString]) -> anyhow::Result<Config> {
    let mut addr = None;
    let mut max_clients = DEFAULT_MAX_CLIENTS;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = cli::text(a).map_err(anyhow::Error::msg)?;
        if a == "--max-clients" {
            let n = it
                .next()
                .context(format!("--max-clients needs a number. {USAGE}"))?;
            let n = cli::text(n).map_err(anyhow::Error::msg)?;
            max_clients = match n.parse::<usize>() {
                Ok(n) if n > 0 => n,
                _ => anyhow::bail!(
                    "--max-clients wants a whole number above 0, not \"{n}\""
                ),
            };
        } else if a.starts_with("--") {
            anyhow::bail!("unknown option {a}. {USAGE}");
        } else if addr.is_none() {
            addr = Some(a);
        } else {
            anyhow::bail!("too many arguments. {USAGE}");
        }
    }
    let addr = listen_addr(addr, DEFAULT_PORT)?;
    let drain = cli::time_limit(DRAIN_TIME).map_err(anyhow::Error::msg)?;
    Ok(Config {
        addr,
        max_clients,
        drain,
    })
}

fn main() {
    // The arguments as the kernel gave them (cli::args), so that one
    // that is not UTF-8 gets a message rather than a panic.
    let args = cli::args();
    // Tsoukalos' programs print the error and exit with status 100.
    let result = parse_args(&args).and_then(|config| serve(&config));
    if let Err(e) = result {
        elogln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: main
/// Listen, then accept clients forever, one thread each.
fn serve(config: &Config) -> anyhow::Result<()> {
    // Go: net.Listen("tcp", PORT). socket(2) + bind(2) + listen(2),
    // with a longer queue than TcpListener::bind asks for (below).
    let l = listen(config.addr)
        .map_err(|e| anyhow::anyhow!(bind_error(e, config.addr)))?;
    let local = l.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");

    loop {
        // accept(2) blocks until a client has completed the TCP
        // handshake, then returns a new socket for that client alone.
        match l.accept() {
            Ok((c, peer)) => {
                start_client(c, peer, config.max_clients, config.drain)
            }
            // Go's concTCP exits here. An accept error concerns one
            // connection (or a passing shortage): log it and go on.
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    // Out of file descriptors: pause, or we would spin.
                    thread::sleep(EMFILE_PAUSE);
                }
            }
        }
    }
}
// ANCHOR_END: main

// ANCHOR: listen
/// How many finished handshakes the kernel may queue for `accept`.
const BACKLOG: i32 = 4096;

/// socket(2), bind(2) and listen(2): what `TcpListener::bind` does,
/// but with a longer queue.
///
/// `TcpListener::bind` asks the kernel for a backlog of 128 connections
/// waiting to be accepted. Our accepting thread starts a thread per
/// client, which takes longer than a client takes to connect; when
/// thousands connect one after another, the queue fills, the kernel
/// stops answering new SYNs, and each of those clients retries only a
/// second later. Go's `net.Listen` asks for the system's maximum
/// (`/proc/sys/net/core/somaxconn`, 4096 on current Linux; the kernel
/// caps what we ask at that value). std has no way to say so, so we
/// take the three steps ourselves with the socket2 crate.
fn listen(addr: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, None)?;
    // SO_REUSEADDR, as std and Go set it: a restarted server can bind
    // its port while connections of the last run are in TIME_WAIT.
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}
// ANCHOR_END: listen

// ANCHOR: start
/// Go: `go handleConnection(c)`. Checks the limit, then starts a
/// thread for the client.
fn start_client(
    c: TcpStream,
    peer: SocketAddr,
    max_clients: usize,
    drain: Duration,
) {
    // Only this (the accepting) thread adds to ACTIVE; client threads
    // only subtract. So the count cannot grow between the check and
    // the `fetch_add`, and the limit holds.
    if ACTIVE.load(Ordering::Relaxed) >= max_clients {
        elogln!(
            "{peer}: refused, already serving {max_clients} clients \
             (--max-clients)"
        );
        refuse(
            c,
            &format!(
                "server busy: {max_clients} clients connected, try again \
                 later\n"
            ),
        );
        return;
    }
    ACTIVE.fetch_add(1, Ordering::Relaxed);
    let place = Place;

    // A second handle on the same socket (dup(2)), so that we can
    // still answer the client if the thread cannot be started: the
    // failed `spawn` drops everything we moved into it.
    let spare = c.try_clone().ok();
    let started =
        thread::Builder::new()
            .stack_size(STACK_SIZE)
            .spawn(move || {
                let _place = place; // given back when this thread ends
                handle_connection(c, peer, drain);
            });
    if let Err(e) = started {
        // The OS would not give us another thread (too many threads,
        // a process limit, or too little memory). Tell the client,
        // keep serving the others. The test `out_of_threads` makes
        // this happen with a cgroup's pids.max.
        elogln!("{peer}: refused, cannot start a thread: {e}");
        if let Some(c) = spare {
            refuse(c, "server busy: out of threads, try again later\n");
        }
    }
}

/// Tell a client in one line why it is not served, and close.
///
/// This runs in the accepting thread, so it must not wait: the line
/// is small and a new socket's send buffer is empty, so `write` does
/// not block. (If the client had already sent data we have not read,
/// Linux answers our close with a reset: the line still reaches the
/// client's kernel, but a client that writes again, or reads on after
/// the line, gets "connection reset" (see `say_goodbye`). A lingering
/// close would cure that, but it would make the accepting thread wait
/// for each refused client.)
fn refuse(mut c: TcpStream, msg: &str) {
    let _ = c.write_all(msg.as_bytes());
}
// ANCHOR_END: start
