//! rpc-server: Tsoukalos's RPCserver.go (Mastering Go, "An RPC
//! server") in Rust.
//!
//! It offers two remote procedures, `MyInterface.Add` and
//! `MyInterface.Subtract`, over TCP. A client sends a call (method
//! name, call id, `MyInts` arguments) in one length-prefixed frame;
//! the server runs the method and sends back a frame with the same
//! call id and either the result or an error message. The frame
//! format is in src/lib.rs and, byte by byte, on the page.
//!
//! Run it: `cargo run -p rpc --bin rpc-server -- [PORT | ADDRESS]`
//! (default 127.0.0.1:1234, the book's port), then in another
//! terminal `cargo run -p rpc --bin rpc-client -- localhost:1234`.
//!
//! Limits, all deliberate: a frame body is at most 1 MiB
//! (`rpc::MAX_FRAME`); each call must arrive whole within
//! RPC_READ_TIMEOUT seconds (default 30) of the server starting to
//! wait for it, which also closes idle connections; a reply must be
//! taken by the client within the same time. Errors: a message on
//! stderr and exit status 100, as the book's programs.

use anyhow::{Context, Result, bail};
use rpc::{ADD, Call, FrameError, MyInts, Reply, SUBTRACT};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

// ANCHOR: methods
/// What a registered method is: arguments in, result or error out.
/// Go's `net/rpc` finds methods of this shape by reflection
/// (`func (t *T) Name(args *A, reply *R) error`); Rust has no such
/// reflection, so the server names each one in a table instead.
type Method = fn(&MyInts) -> Result<i64, String>;

/// `MyInterface.Add`: s1*A1 + s2*A2. For the book's {17, 18, true,
/// false} that is -17 + 18 = 1.
fn add(args: &MyInts) -> Result<i64, String> {
    let (x, y) = args.signed();
    fit(x + y)
}

/// `MyInterface.Subtract`: s1*A1 - s2*A2, so -17 - 18 = -35.
fn subtract(args: &MyInts) -> Result<i64, String> {
    let (x, y) = args.signed();
    fit(x - y)
}
// ANCHOR_END: methods

/// The reply is a Go `int` (64 bits). Go would wrap silently on
/// overflow; here a result that does not fit becomes an error reply.
fn fit(value: i128) -> Result<i64, String> {
    i64::try_from(value)
        .map_err(|_| format!("result {value} does not fit in a 64-bit int"))
}

/// The method table, shared read-only by every connection thread.
type Methods = HashMap<&'static str, Method>;

/// Default for RPC_READ_TIMEOUT: seconds a call may take to arrive.
const DEFAULT_READ_TIMEOUT: u64 = 30;

fn main() {
    // Tsoukalos's programs print the error and exit with status 100.
    if let Err(e) = run() {
        eprintln!("{e:#}");
        std::process::exit(100);
    }
}

fn run() -> Result<()> {
    // ANCHOR: register
    // rpc.Register(myInterface): make the methods callable by name.
    let mut methods: Methods = HashMap::new();
    methods.insert(ADD, add);
    methods.insert(SUBTRACT, subtract);
    let methods = Arc::new(methods);
    // ANCHOR_END: register

    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() > 1 {
        bail!("usage: rpc-server [PORT | ADDRESS]");
    }
    let addr = rpc::listen_addr(args.first().map(String::as_str))
        .map_err(anyhow::Error::msg)?;
    let limit = read_timeout()?;

    // ANCHOR: listen
    // net.ResolveTCPAddr + net.ListenTCP in one call: socket(),
    // bind() to the address, listen() for connections.
    let listener = TcpListener::bind(addr)
        .with_context(|| format!("listening on {addr}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    println!("listening on {local}");
    // ANCHOR_END: listen

    // ANCHOR: accept
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(pair) => pair,
            Err(e) => {
                // Go's loop does `continue`; we also say why, and
                // back off when out of file descriptors so the loop
                // does not spin at 100% CPU until one is freed.
                eprintln!("accepting a connection: {e}");
                // ENFILE (23): the system's file table is full;
                // EMFILE (24): this process's descriptor limit.
                if matches!(e.raw_os_error(), Some(23 | 24)) {
                    thread::sleep(Duration::from_millis(100));
                }
                continue;
            }
        };
        // rpc.ServeConn(c) in the book runs HERE, in the accept loop:
        // while one client is connected, no other is accepted. A
        // thread per connection serves them all at once (the Go fix
        // would be `go rpc.ServeConn(c)`). Threads are fine for
        // hundreds of clients; a server for tens of thousands would
        // use a pool or an async runtime such as tokio.
        let methods = Arc::clone(&methods);
        let spawned = thread::Builder::new().name(format!("rpc {peer}")).spawn(
            move || {
                if let Err(e) = serve(&stream, &methods, limit) {
                    eprintln!("{peer}: {e:#}");
                }
            },
        );
        if let Err(e) = spawned {
            // Out of threads or memory: drop this client, keep going.
            eprintln!("{peer}: cannot start a thread: {e}");
        }
    }
    // ANCHOR_END: accept
}

/// RPC_READ_TIMEOUT from the environment, in whole seconds.
fn read_timeout() -> Result<Duration> {
    let Ok(text) = std::env::var("RPC_READ_TIMEOUT") else {
        return Ok(Duration::from_secs(DEFAULT_READ_TIMEOUT));
    };
    match text.trim().parse::<u64>() {
        Ok(secs) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => bail!(
            "RPC_READ_TIMEOUT must be a whole number of seconds above 0, got {text:?}"
        ),
    }
}

// ANCHOR: serve
/// Answer calls on one connection until the client closes it, it
/// breaks the framing, or it is too slow. Returns why it stopped
/// when that was an error (the caller logs it).
fn serve(stream: &TcpStream, methods: &Methods, limit: Duration) -> Result<()> {
    // A client that never reads our replies would fill its receive
    // buffer and then block our write forever: bound writes too.
    stream
        .set_write_timeout(Some(limit))
        .context("setting the write timeout")?;
    loop {
        let mut reader = Deadline::new(stream, limit);
        let body = match rpc::read_frame(&mut reader) {
            Ok(Some(body)) => body,
            Ok(None) => return Ok(()), // closed between calls: done
            Err(FrameError::TooLarge(n)) => {
                // Refused before allocating. Say why, then hang up:
                // the stream is no longer in step with the frames.
                let why = FrameError::TooLarge(n).to_string();
                send(stream, 0, Err(why.clone()))?;
                close_gently(stream);
                bail!("{why}: closing");
            }
            Err(e) if e.is_timeout() => {
                bail!("no complete call within {} s: closing", limit.as_secs())
            }
            Err(e) => return Err(e).context("reading a call"),
        };
        let call = match rpc::decode_call(&body) {
            Ok(call) => call,
            Err(e) => {
                // Not a call at all: answer (with the id when it can
                // be read) and close, since the peer does not speak
                // this protocol.
                let id = rpc::peek_id(&body).unwrap_or(0);
                send(stream, id, Err(format!("malformed call: {e}")))?;
                close_gently(stream);
                bail!("malformed call: {e}: closing");
            }
        };
        // A well-formed call always gets an answer and the connection
        // stays open, even when the answer is an error.
        let result = answer(methods, &call);
        send(stream, call.id, result)?;
    }
}
// ANCHOR_END: serve

// ANCHOR: answer
/// Find the method, decode its arguments, run it.
fn answer(methods: &Methods, call: &Call) -> Result<i64, String> {
    let Some(method) = methods.get(call.method.as_str()) else {
        // The words of Go's net/rpc for the same mistake.
        return Err(format!("rpc: can't find method {}", call.method));
    };
    let args = MyInts::decode(&call.args)
        .map_err(|e| format!("bad arguments for {}: {e}", call.method))?;
    method(&args)
}
// ANCHOR_END: answer

// ANCHOR: close_gently
/// Hang up after an error reply without destroying that reply.
///
/// If we close while the client's unread bytes sit in our receive
/// buffer, the kernel answers with a reset (RST) instead of a normal
/// FIN, and the client may lose our reply before reading it. So:
/// send FIN first (shutdown of our writing side), then read and drop
/// what the client still sends, for at most 1 s and 64 KiB, and only
/// then close. HTTP servers call this a "lingering close".
fn close_gently(stream: &TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut sink = [0u8; 4096];
    let mut budget: usize = 64 * 1024;
    let mut stream = stream;
    while budget > 0 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => budget = budget.saturating_sub(n),
        }
    }
}
// ANCHOR_END: close_gently

/// Encode and send one reply.
fn send(
    mut stream: &TcpStream,
    id: u32,
    result: Result<i64, String>,
) -> Result<()> {
    let frame = Reply { id, result }.encode();
    stream.write_all(&frame).context("sending a reply")
}

// ANCHOR: deadline
/// A reader with a deadline: Go's `conn.SetReadDeadline(t)`. Std has
/// only a per-read timeout (`set_read_timeout`), which a client can
/// dodge by sending one byte just before each timeout. So before every
/// read, set the timeout to the time left until the deadline.
struct Deadline<'a> {
    stream: &'a TcpStream,
    until: Instant,
}

impl<'a> Deadline<'a> {
    fn new(stream: &'a TcpStream, limit: Duration) -> Deadline<'a> {
        Deadline {
            stream,
            until: Instant::now() + limit,
        }
    }
}

impl Read for Deadline<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = self.until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::ErrorKind::TimedOut.into());
        }
        // setsockopt(SO_RCVTIMEO); the read below then fails with
        // EAGAIN (WouldBlock) if nothing arrives in time.
        self.stream.set_read_timeout(Some(left))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}
// ANCHOR_END: deadline
