//! greeting-server: greets every client, then logs each line it sends.
//!
//! Source: the blog post that builds a TCP relay between two clients,
//! part 1: a server on port 4004 (flag `-p`) that says hello to each
//! client and prints every line it receives with the client's address.
//!
//! Each client gets a thread of its own (the blog starts a goroutine,
//! `go cmdHandler(c)`). The server prints who connected, every line as
//! `ADDRESS -> LINE`, and who left. It answers nothing but the
//! greeting: it is the first step of a relay, where lines will later
//! be passed on to another client.
//!
//! Run it:
//!
//! ```text
//! cargo run -p concurrent-tcp --bin greeting-server -- -p 4004
//! nc 127.0.0.1 4004            # in another terminal; type lines
//! ```
//!
//! A line longer than 64 KiB ends that client, who is given a second
//! to stop sending first (`say_goodbye` in src/lib.rs;
//! `NETPROG_TIME_SCALE` multiplies it).
//!
//! Exit status: runs until stopped (Ctrl+C); 1 when the port cannot be
//! bound (the blog's `log.Fatalln`); 2 for a bad command line (Go's
//! `flag` package exits 2) or a bad `NETPROG_TIME_SCALE`.

use anyhow::Context;
use concurrent_tcp::listen::{
    EMFILE_PAUSE, bind_error, is_out_of_fds, listen_addr,
};
use concurrent_tcp::{
    DRAIN_TIME, LineRead, MAX_LINE, READ_BUF, cli, elogln, log_received, logln,
    read_line, say_goodbye,
};
use std::ffi::OsString;
use std::io::{BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Duration;

/// The blog's default: `flag.StringVar(&port, "p", "4004", ...)`.
const DEFAULT_PORT: u16 = 4004;

const USAGE: &str = "usage: greeting-server [-p PORT|ADDRESS]";

/// What every client reads first. The blog's says "You deserve a new
/// Go routine..."; what a Rust client gets is a thread.
const GREETING: &str = "Hello, Client!\nYou deserve a new thread...\n";

fn main() {
    // Go's flag package prints the problem and the usage, and exits 2.
    let port = match parse_flags(&cli::args()) {
        Ok(p) => p,
        Err(e) => {
            elogln!("{e}. {USAGE}");
            std::process::exit(2);
        }
    };
    // The drain of a refused line, scaled by NETPROG_TIME_SCALE; a bad
    // factor is a bad command line too.
    let drain = match cli::time_limit(DRAIN_TIME) {
        Ok(d) => d,
        Err(e) => {
            elogln!("{e}");
            std::process::exit(2);
        }
    };
    if let Err(e) = run(port.as_deref(), drain) {
        // The blog's log.Fatalln: print the error, exit 1.
        elogln!("{e:#}");
        std::process::exit(1);
    }
}

/// Go: `flag.StringVar(&port, "p", "4004", "port number"); flag.Parse()`.
/// Accepts `-p 4004`, `-p=4004` and `--p 4004`, as Go's flag package.
fn parse_flags(args: &[OsString]) -> Result<Option<String>, String> {
    let mut port = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let a = cli::text(a)?;
        let flag = a.strip_prefix("--").or_else(|| a.strip_prefix('-'));
        match flag {
            Some("p") => match it.next() {
                Some(v) => port = Some(cli::text(v)?.to_string()),
                None => return Err("flag needs an argument: -p".to_string()),
            },
            Some(f) if f.starts_with("p=") => port = Some(f[2..].to_string()),
            Some(f) => {
                return Err(format!("flag provided but not defined: -{f}"));
            }
            None => return Err(format!("unexpected argument \"{a}\"")),
        }
    }
    Ok(port)
}

// ANCHOR: main
fn run(port: Option<&str>, drain: Duration) -> anyhow::Result<()> {
    // Go: addr, err := net.ResolveTCPAddr("tcp", fmt.Sprintf(":%s", port))
    // ":4004" means every interface in Go; a bare port here binds
    // 127.0.0.1 only (write -p 0.0.0.0:4004 to listen on the network).
    let addr = listen_addr(port, DEFAULT_PORT)?;

    // Go: l, err := net.ListenTCP("tcp", addr); defer l.Close()
    let l = TcpListener::bind(addr)
        .map_err(|e| anyhow::anyhow!(bind_error(e, addr)))?;
    let local = l.local_addr().context("reading the bound address")?;
    logln!("listening on {local}");
    logln!("waiting for clients on port {}...", local.port());

    loop {
        // Go: c, err := l.AcceptTCP(). The blog *returns* from main on
        // an accept error, which stops the server; we log and go on.
        let (c, peer) = match l.accept() {
            Ok(x) => x,
            Err(e) => {
                elogln!("accepting a connection: {e}");
                if is_out_of_fds(&e) {
                    std::thread::sleep(EMFILE_PAUSE);
                }
                continue;
            }
        };
        // The blog writes `defer c.Close()` here, inside the loop: the
        // deferred calls pile up until main returns, which it never
        // does. In Rust, the thread that owns `c` closes it when done.
        logln!("client connected: {peer}");
        if let Err(e) = greet(&c) {
            // The blog returns from main here too. One client that
            // vanished before its greeting must not stop the server.
            elogln!("err greeting user {peer}: {e}");
            continue;
        }
        // Go: go cmdHandler(c). Builder::spawn returns an error where
        // thread::spawn would panic: out of threads, this client is
        // dropped (its connection closed) and the server goes on.
        let started = std::thread::Builder::new()
            .spawn(move || cmd_handler(c, peer, drain));
        if let Err(e) = started {
            elogln!("{peer}: cannot start a thread: {e}; disconnected");
        }
    }
}

/// Go: `c.Write([]byte("Hello, Client!\n..."))`
fn greet(mut c: &TcpStream) -> std::io::Result<()> {
    c.write_all(GREETING.as_bytes())
}
// ANCHOR_END: main

// ANCHOR: handler
/// Go: `cmdHandler(c)`. Print every line this client sends, with its
/// address, until it leaves. (`drain`: see `say_goodbye`.)
fn cmd_handler(c: TcpStream, peer: SocketAddr, drain: Duration) {
    // One reader for the whole connection (the blog makes a new
    // bufio.Reader per line, and can lose what it had read ahead).
    let mut reader = BufReader::with_capacity(READ_BUF, &c);
    let mut msg = Vec::new();
    loop {
        // Go: msg, err := bufio.NewReader(c).ReadString('\n')
        match read_line(&mut reader, &mut msg, MAX_LINE) {
            // Go: fmt.Printf("%s -> %s", c.RemoteAddr().String(), msg)
            Ok(LineRead::Line) => log_received(&format!("{peer} -> "), &msg),
            // Go: if err == io.EOF { fmt.Printf("client '%s' left ...") }
            Ok(LineRead::Eof) => break,
            Ok(LineRead::Unterminated) => {
                // A last line without newline: still worth logging.
                log_received(&format!("{peer} -> "), &msg);
                break;
            }
            Ok(LineRead::TooLong) => {
                let bye = format!(
                    "line longer than {MAX_LINE} bytes: closing the \
                     connection\n"
                );
                let _ = say_goodbye(&c, &bye, drain);
                elogln!(
                    "{peer}: line longer than {MAX_LINE} bytes; disconnected"
                );
                break;
            }
            Err(e) => {
                // A reset, say. The blog prints the error and returns.
                elogln!("{peer}: {e}");
                break;
            }
        }
    }
    logln!("client '{peer}' left the session.");
    // `c` is dropped here: the connection is closed, once.
}
// ANCHOR_END: handler
