//! rpc-server: Tsoukalos's RPCserver.go (Go Systems Programming, "An RPC
//! server") in Rust.
//!
//! It offers two remote procedures, `MyInterface.Add` and
//! `MyInterface.Subtract`, over TCP. A client sends a call (method
//! name, call number, `MyInts` arguments); the server runs the method
//! and sends back a reply with the same number and either the result
//! or an error message. The bytes are gob, as Go's net/rpc writes
//! them, so a Go client of the book's types can call this server (the
//! tests run go/netrpc-client.go against it); with `--frames` they
//! are the hand-made frames of src/frame/ instead.
//!
//! Run it: `cargo run -p rpc -- [--frames] [PORT | ADDRESS]`
//! (default 127.0.0.1:1234, the book's port), then in another
//! terminal `cargo run -p rpc --bin rpc-client -- localhost:1234`.
//!
//! Limits, all deliberate, are the constants under "limits" below;
//! `NETPROG_TIME_SCALE` scales the times (see `cli::time_limit`), but
//! not an `RPC_READ_TIMEOUT` that is set. Errors (a bad
//! `RPC_READ_TIMEOUT` or `NETPROG_TIME_SCALE` too): a message on
//! stderr and exit status 100, as the book's programs.

use anyhow::{Context, Result, anyhow, bail};
use rpc::cli::Secs;
use rpc::codec::{CallError, Encoding, ServerCall, ServerCodec};
use rpc::deadline::Deadline;
use rpc::show::printable;
use rpc::timed::{Timed, is_timeout};
use rpc::{ADD, MyInts, SERVICE, SUBTRACT, cli, elogln, listen, logln};
use std::collections::HashMap;
use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;
use std::time::Duration;

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
        .map_err(|_| format!("{value} does not fit in an int64"))
}

/// The method table, shared read-only by every connection thread.
type Methods = HashMap<&'static str, Method>;

// ANCHOR: limits
/// Seconds a call may take to arrive whole (RPC_READ_TIMEOUT, when
/// set), counted from when the server starts waiting for it: an idle
/// connection is closed after that long. A reply must be taken by
/// the client within the same time, or the connection is closed.
const DEFAULT_READ_TIMEOUT: u64 = 30;

/// Connections served at once. Each costs a thread and what it is
/// reading: one message of a call at a time, at most
/// `rpc::frame::MAX_FRAME` bytes (a buffer that grows only as bytes
/// arrive), and with gob the types its client defined and one
/// message's values (`rpc::gob`'s limits). One more client is told
/// "server busy" (with --frames; gob has no reply that answers no
/// call, so a gob client is hung up on) and the others go on.
const MAX_CONNECTIONS: usize = 100;

/// After an error reply the server reads and drops what the client
/// still sends, for at most this long and this many bytes in all
/// (see `close_gently`).
const DRAIN_TIME: Duration = Duration::from_secs(1);
const DRAIN_BYTES: u64 = 64 * 1024;
// ANCHOR_END: limits

/// The times this run keeps: the read timeout (`RPC_READ_TIMEOUT` as
/// given, or the default scaled by `NETPROG_TIME_SCALE`) and the
/// drain's (scaled). Read once, before the server listens.
#[derive(Debug, Clone, Copy)]
struct Limits {
    read: Duration,
    drain: Duration,
}

/// Connections being served now. Only the accepting thread adds to
/// it, so the count cannot pass the limit between check and add.
static OPEN: AtomicUsize = AtomicUsize::new(0);

/// One place in `OPEN`, given back when dropped: when the
/// connection's thread ends, whichever way it ends.
struct Place;

impl Drop for Place {
    fn drop(&mut self) {
        OPEN.fetch_sub(1, Ordering::Relaxed);
    }
}

fn main() {
    // Tsoukalos's programs print the error and exit with status 100.
    if let Err(e) = run() {
        elogln!("{}", printable(&format!("{e:#}")));
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

    let opts = rpc::args::server(cli::args()).map_err(anyhow::Error::msg)?;
    let limits = Limits {
        read: read_timeout()?,
        drain: cli::time_limit(DRAIN_TIME).map_err(anyhow::Error::msg)?,
    };

    // ANCHOR: listen
    // net.ResolveTCPAddr + net.ListenTCP in one call: socket(),
    // bind() to the address, listen() for connections.
    let listener = TcpListener::bind(opts.addr)
        .map_err(|e| anyhow!(listen::bind_error(e, opts.addr)))?;
    let local = listener.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");
    // ANCHOR_END: listen

    // ANCHOR: accept
    loop {
        let (stream, peer) = match listener.accept() {
            Ok(pair) => pair,
            Err(e) => {
                // Go's loop does `continue`; we also say why, and
                // back off when out of file descriptors so the loop
                // does not spin at 100% CPU until one is freed.
                elogln!("accepting a connection: {e}");
                if listen::is_out_of_fds(&e) {
                    thread::sleep(listen::EMFILE_PAUSE);
                }
                continue;
            }
        };
        // rpc.ServeConn(c) in the book runs HERE, in the accept loop:
        // while one client is connected, no other is accepted. A
        // thread per connection serves them all at once (the Go fix
        // would be `go rpc.ServeConn(c)`).
        start(stream, peer, &methods, opts.encoding, limits);
    }
    // ANCHOR_END: accept
}

// ANCHOR: start
/// Serve one connection on a thread of its own, if there is room.
fn start(
    stream: TcpStream,
    peer: SocketAddr,
    methods: &Arc<Methods>,
    encoding: Encoding,
    limits: Limits,
) {
    if OPEN.load(Ordering::Relaxed) >= MAX_CONNECTIONS {
        elogln!("{peer}: refused: already serving {MAX_CONNECTIONS}");
        let why = format!("server busy: {MAX_CONNECTIONS} connections open");
        refuse(&stream, encoding, &why);
        return;
    }
    OPEN.fetch_add(1, Ordering::Relaxed);
    let place = Place;
    // A second handle on the socket (dup(2)), to answer the client if
    // the thread cannot start: a failed spawn drops what it was given.
    let spare = stream.try_clone().ok();
    let methods = Arc::clone(methods);
    let spawned = thread::Builder::new().spawn(move || {
        let _place = place;
        if let Err(e) = serve(&stream, &methods, encoding, limits) {
            elogln!("{peer}: {}", printable(&format!("{e:#}")));
        }
    });
    if let Err(e) = spawned {
        // Out of threads or memory: drop this client, keep going.
        elogln!("{peer}: cannot start a thread: {e}");
        if let Some(s) = spare {
            refuse(&s, encoding, "server busy: cannot start a thread");
        }
    }
}

/// Tell a client we will not serve it, where the encoding can say so,
/// and close. This runs in the accepting thread, so it must not wait:
/// the socket is non-blocking, and a new socket's send buffer has
/// room for the few bytes.
fn refuse(mut stream: &TcpStream, encoding: Encoding, why: &str) {
    if let Some(reply) = ServerCodec::new(encoding).refusal(why) {
        let _ = stream.set_nonblocking(true);
        let _ = stream.write_all(&reply);
    }
}
// ANCHOR_END: start

/// RPC_READ_TIMEOUT from the environment, in whole seconds; unset,
/// the default times `NETPROG_TIME_SCALE`.
fn read_timeout() -> Result<Duration> {
    let Some(text) = std::env::var_os("RPC_READ_TIMEOUT") else {
        let default = Duration::from_secs(DEFAULT_READ_TIMEOUT);
        return cli::time_limit(default).map_err(anyhow::Error::msg);
    };
    match text.to_str().map(str::trim).map(str::parse::<u64>) {
        Some(Ok(secs)) if secs > 0 => Ok(Duration::from_secs(secs)),
        _ => bail!(
            "RPC_READ_TIMEOUT must be a whole number of seconds above 0, \
             got \"{}\"",
            text.as_encoded_bytes().escape_ascii()
        ),
    }
}

// ANCHOR: serve
/// Answer calls on one connection until the client closes it, breaks
/// the protocol, or is too slow. Returns why it stopped when that was
/// an error (the caller logs it).
fn serve(
    stream: &TcpStream,
    methods: &Methods,
    encoding: Encoding,
    limits: Limits,
) -> Result<()> {
    let limit = limits.read;
    let mut codec = ServerCodec::new(encoding);
    loop {
        // The whole call must be in by the deadline, however its
        // bytes trickle in: Go's conn.SetReadDeadline(t).
        let mut reader = Timed::new(stream, Deadline::after(limit));
        let call = match codec.read_call(&mut reader) {
            Ok(Some(call)) => call,
            Ok(None) => return Ok(()), // closed between calls: done
            Err(CallError::Io(e)) if is_timeout(&e) => {
                bail!("no complete call within {}: closing", Secs(limit))
            }
            Err(CallError::Broken { why, answer }) => {
                // Not our protocol, or out of step with it: say why
                // if the encoding lets us, then hang up.
                if let Some(answer) = answer {
                    send(stream, &answer, limit)?;
                }
                close_gently(stream, limits.drain);
                bail!("{why}: closing");
            }
            Err(e) => return Err(e).context("reading a call"),
        };
        // A call that could be read always gets an answer and the
        // connection stays open, even when the answer is an error.
        let result = answer(methods, &call);
        send(stream, &codec.reply(&call, &result), limit)?;
    }
}
// ANCHOR_END: serve

// ANCHOR: answer
/// Find the method, check its arguments, run it. The errors are
/// net/rpc's, in its words (net/rpc/server.go, `readRequestHeader`).
fn answer(methods: &Methods, call: &ServerCall) -> Result<i64, String> {
    let name = &call.method;
    let Some((service, _)) = name.rsplit_once('.') else {
        return Err(format!("rpc: service/method request ill-formed: {name}"));
    };
    if service != SERVICE {
        return Err(format!("rpc: can't find service {name}"));
    }
    let Some(method) = methods.get(name.as_str()) else {
        return Err(format!("rpc: can't find method {name}"));
    };
    let args = call
        .args
        .as_ref()
        .map_err(|e| format!("bad arguments for {name}: {e}"))?;
    method(args)
}
// ANCHOR_END: answer

// ANCHOR: send
/// Send one reply, all of it by the deadline: a client that stops
/// reading fills its receive buffer and then ours, and a write would
/// wait for it forever.
fn send(stream: &TcpStream, reply: &[u8], limit: Duration) -> Result<()> {
    let mut writer = Timed::new(stream, Deadline::after(limit));
    match writer.write_all(reply) {
        Ok(()) => Ok(()),
        Err(e) if is_timeout(&e) => {
            bail!("reply not taken within {}: closing", Secs(limit))
        }
        Err(e) => Err(e).context("sending a reply"),
    }
}
// ANCHOR_END: send

// ANCHOR: close_gently
/// Hang up after an error reply so that the reply gets through.
///
/// If we close while bytes from the client sit unread in our receive
/// buffer, Linux answers with a reset (RST) instead of a FIN. The
/// client can still read what had reached it before the reset, but
/// whatever of our reply was still in our send buffer is thrown away
/// (never sent, never sent again), and the client's next write fails
/// with ECONNRESET or EPIPE. So: send FIN first (shutdown of our
/// writing side), read and drop what the client still sends, within
/// one time and byte budget for the whole drain (`DRAIN_TIME`, scaled,
/// and `DRAIN_BYTES`), and only then close. HTTP servers call this a
/// "lingering close".
fn close_gently(stream: &TcpStream, drain_time: Duration) {
    let _ = stream.shutdown(Shutdown::Write);
    let drain = Timed::new(stream, Deadline::after(drain_time));
    let _ = io::copy(&mut drain.take(DRAIN_BYTES), &mut io::sink());
}
// ANCHOR_END: close_gently
