//! loadgen: a bounded load generator for the netprog servers.
//!
//!     loadgen MODE ADDR [--conns N] [--size BYTES] [--duration SECS]
//!                       [--pid PID] [--threads N] [--spin]
//!
//! Modes:
//! - `echo`: N connections, each writes SIZE bytes and reads SIZE
//!   bytes back, again and again (threaded-echo-server).
//! - `line`: the same with a newline-terminated line (conc-tcp).
//! - `connect`: N clients, each connects, reads to EOF, closes,
//!   again and again (daytime-server).
//! - `udp`: N sockets, each sends a datagram and waits for the reply
//!   (udp-daytime-server, udp-echo-server).
//! - `hold`: open N connections and keep them all open, then check
//!   that every one still answers a line; with `--pid`, report the
//!   server's resident memory before and after (conc-tcp).
//!
//! The active modes run every connection as a task on a small tokio
//! runtime (`--threads`, default 1), so that the load generator
//! itself takes as little CPU as it can from the server it measures.
//! `--spin` (echo, line, udp) busy-polls instead, one thread per
//! connection, for latency-bound runs with one or two connections.
//! `loadgen --help` lists the options (parsed with lexopt).
//! It prints one line of `key=value` results. Only loopback addresses
//! are accepted: this is for measuring programs on your own machine.
//! Exit status: 0 when the run had no errors, 1 otherwise, 2 for
//! bad arguments.

use anyhow::{Context, Result, bail};
use loadgen::parse_args;
use loadgen::{Command, Limits, Opts, Stats, USAGE, cli, elogln, outln};
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Barrier;
use tokio::time::timeout;

/// How long one connect or one reply may take before it is an error.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a UDP reply may take before the request counts as lost.
const UDP_TIMEOUT: Duration = Duration::from_millis(500);

/// What `loadgen --help` prints.
const HELP: &str = "\
loadgen: a bounded load generator for servers on this machine

usage: loadgen MODE ADDR [OPTIONS]

modes:
  echo      N connections; each writes SIZE bytes, reads SIZE back
  line      the same, the message ending in a newline
  connect   N clients; each connects, reads to end of file, closes
  udp       N sockets; each sends SIZE bytes, waits for the reply
  hold      open N connections, keep them, check each answers a line

options:
  --conns N         connections (echo/line/connect/udp: 1 to 1024,
                    hold: 1 to 20000; default 1)
  --size BYTES      message size, 1 to 1048576 (default 512)
  --duration SECS   how long the active modes run, at most 60 (5)
  --pid PID         hold: also read the server's memory (VmRSS)
  --threads N       threads of the generator's runtime, 1 to 16 (1)
  --spin            busy-poll, one thread per connection (echo, line,
                    udp; at most 4 connections)
  -h, --help        this text

ADDR must be a loopback address (127.0.0.0/8 or ::1). The result is
one line of key=value pairs on stdout. Exit status: 0 no errors,
1 errors during the run, 2 bad arguments.";

fn main() -> ExitCode {
    let opts = match parse_args(cli::args(), &Limits::default()) {
        Ok(Command::Run(o)) => o,
        Ok(Command::Help) => {
            outln!("{HELP}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            elogln!("loadgen: {e:#}");
            elogln!("{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(line) => {
            outln!("{line}");
            if line.contains(" errors=0") {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            elogln!("loadgen: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(o: &Opts) -> Result<String> {
    match o.mode.as_str() {
        "echo" | "line" | "udp" if o.spin => {
            let stats = spin::drive(o)?;
            Ok(stats.report(o))
        }
        "echo" | "line" | "connect" | "udp" => {
            let stats = drive(o)?;
            Ok(stats.report(o))
        }
        "hold" => hold(o),
        m => bail!("unknown mode {m:?}"),
    }
}

/// Run N workers for the duration on a small tokio runtime; merge
/// what they measured.
fn drive(o: &Opts) -> Result<Stats> {
    let rt = if o.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(o.threads)
            .enable_all()
            .build()?
    };
    rt.block_on(async {
        // Every worker connects first; the clock starts when all have.
        let start = Arc::new(Barrier::new(o.conns + 1));
        let mut tasks = Vec::new();
        for _ in 0..o.conns {
            let (o, start) = (o.clone(), start.clone());
            tasks.push(tokio::spawn(async move { worker(&o, &start).await }));
        }
        start.wait().await;
        let t0 = Instant::now();
        let mut total = Stats::default();
        for t in tasks {
            match t.await {
                Ok(s) => total.merge(s),
                Err(_) => total.errors += 1,
            }
        }
        total.elapsed = t0.elapsed();
        Ok(total)
    })
}

async fn worker(o: &Opts, start: &Barrier) -> Stats {
    let mut st = Stats::default();
    match o.mode.as_str() {
        "echo" | "line" => {
            match timeout(IO_TIMEOUT, TcpStream::connect(o.addr)).await {
                Ok(Ok(s)) => {
                    start.wait().await;
                    round_trips(o, s, &mut st).await;
                }
                Ok(Err(e)) => {
                    start.wait().await;
                    st.note_error(format!("connect: {e}"));
                }
                Err(_) => {
                    start.wait().await;
                    st.note_error("connect: timed out".into());
                }
            }
        }
        "connect" => {
            start.wait().await;
            connects(o, &mut st).await;
        }
        _ => {
            let sock = udp_socket(o.addr).await;
            start.wait().await;
            match sock {
                Ok(s) => datagrams(o, &s, &mut st).await,
                Err(e) => st.note_error(format!("udp socket: {e:#}")),
            }
        }
    }
    st
}

/// echo/line: write a message, read the same number of bytes back.
async fn round_trips(o: &Opts, mut s: TcpStream, st: &mut Stats) {
    // Small messages must not wait for Nagle's algorithm.
    let _ = s.set_nodelay(true);
    let mut msg = vec![b'x'; o.size];
    if o.mode == "line" {
        msg[o.size - 1] = b'\n';
    }
    let mut buf = vec![0u8; o.size];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        let r = timeout(IO_TIMEOUT, async {
            s.write_all(&msg).await?;
            s.read_exact(&mut buf).await
        })
        .await;
        match r {
            Ok(Ok(_)) if buf == msg => st.record(t.elapsed(), o.size),
            Ok(Ok(_)) => {
                return st.note_error("reply differs from the request".into());
            }
            Ok(Err(e)) => return st.note_error(format!("round trip: {e}")),
            Err(_) => {
                return st.note_error("round trip: no reply within 5 s".into());
            }
        }
    }
}

/// connect: connect, read to EOF, close; as many times as possible.
async fn connects(o: &Opts, st: &mut Stats) {
    let deadline = Instant::now() + o.duration;
    let mut buf = Vec::with_capacity(256);
    while Instant::now() < deadline {
        let t = Instant::now();
        buf.clear();
        let r = timeout(IO_TIMEOUT, async {
            let mut s = TcpStream::connect(o.addr).await?;
            s.read_to_end(&mut buf).await
        })
        .await;
        match r {
            Ok(Ok(n)) if n > 0 => st.record(t.elapsed(), n),
            Ok(Ok(_)) => st.note_error("connection closed with no data".into()),
            Ok(Err(e)) => st.note_error(format!("connect/read: {e}")),
            Err(_) => st.note_error("connect/read: timed out".into()),
        }
        if st.errors > 100 {
            return;
        }
    }
}

async fn udp_socket(addr: SocketAddr) -> Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() {
        "127.0.0.1:0".parse()?
    } else {
        "[::1]:0".parse()?
    };
    let s = UdpSocket::bind(local)
        .await
        .context("binding a UDP socket")?;
    s.connect(addr).await.context("connecting the UDP socket")?;
    Ok(s)
}

/// udp: send a datagram, wait for one back; a timeout is a loss.
async fn datagrams(o: &Opts, s: &UdpSocket, st: &mut Stats) {
    let msg = vec![b'x'; o.size];
    let mut buf = vec![0u8; 65536];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        if let Err(e) = s.send(&msg).await {
            return st.note_error(format!("send: {e}"));
        }
        match timeout(UDP_TIMEOUT, s.recv(&mut buf)).await {
            Ok(Ok(n)) => st.record(t.elapsed(), n),
            Ok(Err(e)) => return st.note_error(format!("recv: {e}")),
            Err(_) => st.lost += 1,
        }
    }
}

/// hold: open N connections, keep them, then check each answers.
fn hold(o: &Opts) -> Result<String> {
    use std::net::TcpStream;
    let rss_before = o.pid.map(rss_kib).transpose()?;
    let t0 = Instant::now();
    let mut conns = Vec::with_capacity(o.conns);
    let mut errors = 0usize;
    let mut first_error = String::new();
    for i in 0..o.conns {
        match TcpStream::connect_timeout(&o.addr, IO_TIMEOUT) {
            Ok(s) => conns.push(s),
            Err(e) => {
                errors += 1;
                if first_error.is_empty() {
                    first_error = format!("connect #{i}: {e}");
                }
            }
        }
    }
    let opened = conns.len();
    let open_secs = t0.elapsed().as_secs_f64();
    // Ask every connection for one line, all at once, then read the
    // answers: a server that serves a client only after the previous
    // one has gone would fail here.
    let line = b"still there?\n";
    let mut answered = 0usize;
    let mut refused = 0usize;
    for s in &mut conns {
        let _ = s.set_read_timeout(Some(IO_TIMEOUT));
        if s.write_all(line).is_err() {
            refused += 1;
        }
    }
    let mut buf = [0u8; 64];
    for s in &mut conns {
        match read_line(s, &mut buf) {
            Some(n) if &buf[..n] == line => answered += 1,
            _ => refused += 1,
        }
    }
    // Measured once every client has been served: by then a server
    // that starts something per client (a thread, a task) has done so
    // for all of them, and the connections are all still open.
    let rss_held = o.pid.map(rss_kib).transpose()?;
    let threads = o.pid.map(threads_of).transpose()?;
    let per_conn = match (rss_before, rss_held) {
        (Some(b), Some(h)) if opened > 0 => {
            format!("{:.1}", (h.saturating_sub(b)) as f64 / opened as f64)
        }
        _ => "not_measured".into(),
    };
    let errors = errors + (opened - answered);
    let mut out = format!(
        "mode=hold addr={} conns={} opened={opened} answered={answered} \
         refused={refused} \
         open_secs={open_secs:.2} rss_before_kib={} rss_held_kib={} \
         kib_per_conn={per_conn} \
         threads_held={} errors={errors}",
        o.addr,
        o.conns,
        rss_before.map_or("not_measured".into(), |v| v.to_string()),
        rss_held.map_or("not_measured".into(), |v| v.to_string()),
        threads.map_or("not_measured".into(), |v| v.to_string()),
    );
    if !first_error.is_empty() {
        out.push_str(&format!(" first_error={first_error:?}"));
    }
    Ok(out)
}

/// Read up to one line (bounded by the buffer); None on error/EOF.
fn read_line(s: &mut std::net::TcpStream, buf: &mut [u8]) -> Option<usize> {
    let mut n = 0;
    while n < buf.len() {
        match s.read(&mut buf[n..]) {
            Ok(0) | Err(_) => return None,
            Ok(k) => {
                n += k;
                if buf[..n].ends_with(b"\n") {
                    return Some(n);
                }
            }
        }
    }
    Some(n)
}

/// `--spin`: one OS thread per connection that never sleeps. Each
/// socket is non-blocking and the thread retries a read that would
/// block at once, instead of asking the kernel to wake it later.
///
/// Why: at one connection, a request and its reply take a few
/// microseconds of work, but a thread that sleeps between them must
/// be woken, and waking an idle core costs tens of microseconds on a
/// virtual machine. Go's runtime spins a while before it parks a
/// thread, so a Go load generator mostly avoids that cost; spinning
/// here does the same, so that the figure measures the server and not
/// the generator's sleep. It burns a core per connection: use it only
/// with a few connections.
mod spin {
    use super::{IO_TIMEOUT, UDP_TIMEOUT};
    use anyhow::{Context, Result};
    use loadgen::{Opts, Stats};
    use std::io::{ErrorKind, Read, Write};
    use std::net::{TcpStream, UdpSocket};
    use std::thread;
    use std::time::Instant;

    pub fn drive(o: &Opts) -> Result<Stats> {
        let t0 = Instant::now();
        let workers: Vec<_> = (0..o.conns)
            .map(|_| {
                let o = o.clone();
                thread::Builder::new().spawn(move || worker(&o))
            })
            .collect();
        let mut total = Stats::default();
        for w in workers {
            match w.map(|w| w.join()) {
                Ok(Ok(Ok(s))) => total.merge(s),
                Ok(Ok(Err(e))) => total.note_error(format!("{e:#}")),
                Ok(Err(_)) => total.errors += 1,
                Err(e) => {
                    total.note_error(format!("cannot start a thread: {e}"))
                }
            }
        }
        total.elapsed = t0.elapsed();
        Ok(total)
    }

    fn worker(o: &Opts) -> Result<Stats> {
        let mut st = Stats::default();
        if o.mode == "udp" {
            let s = UdpSocket::bind(if o.addr.is_ipv4() {
                "127.0.0.1:0"
            } else {
                "[::1]:0"
            })
            .context("binding a UDP socket")?;
            s.connect(o.addr).context("connecting the UDP socket")?;
            s.set_nonblocking(true)?;
            let msg = vec![b'x'; o.size];
            let mut buf = vec![0u8; 65536];
            let deadline = Instant::now() + o.duration;
            while Instant::now() < deadline {
                let t = Instant::now();
                s.send(&msg).context("send")?;
                loop {
                    match s.recv(&mut buf) {
                        Ok(n) => break st.record(t.elapsed(), n),
                        Err(e) if e.kind() == ErrorKind::WouldBlock => {
                            if t.elapsed() > UDP_TIMEOUT {
                                st.lost += 1;
                                break;
                            }
                        }
                        Err(e) => return Err(e).context("recv"),
                    }
                }
            }
            return Ok(st);
        }
        let mut s = TcpStream::connect_timeout(&o.addr, IO_TIMEOUT)
            .context("connect")?;
        s.set_nodelay(true)?;
        s.set_nonblocking(true)?;
        let mut msg = vec![b'x'; o.size];
        if o.mode == "line" {
            msg[o.size - 1] = b'\n';
        }
        let mut buf = vec![0u8; o.size];
        let deadline = Instant::now() + o.duration;
        while Instant::now() < deadline {
            let t = Instant::now();
            write_all(&mut s, &msg, t)?;
            read_exact(&mut s, &mut buf, t)?;
            if buf != msg {
                anyhow::bail!("reply differs from the request");
            }
            st.record(t.elapsed(), o.size);
        }
        Ok(st)
    }

    fn write_all(s: &mut TcpStream, mut b: &[u8], t: Instant) -> Result<()> {
        while !b.is_empty() {
            match s.write(b) {
                Ok(n) => b = &b[n..],
                Err(e)
                    if e.kind() == ErrorKind::WouldBlock
                        && t.elapsed() < IO_TIMEOUT => {}
                Err(e) => return Err(e).context("round trip: write"),
            }
        }
        Ok(())
    }

    fn read_exact(s: &mut TcpStream, b: &mut [u8], t: Instant) -> Result<()> {
        let mut got = 0;
        while got < b.len() {
            match s.read(&mut b[got..]) {
                Ok(0) => anyhow::bail!(
                    "round trip: the server closed the connection"
                ),
                Ok(n) => got += n,
                Err(e)
                    if e.kind() == ErrorKind::WouldBlock
                        && t.elapsed() < IO_TIMEOUT => {}
                Err(e) => return Err(e).context("round trip: read"),
            }
        }
        Ok(())
    }
}

/// Resident memory of a process, from /proc/PID/status (VmRSS, which
/// the kernel prints in "kB" that are KiB: pages times 4).
fn rss_kib(pid: u32) -> Result<u64> {
    status_field(pid, "VmRSS:")
}

/// How many threads the process has (/proc/PID/status, Threads).
fn threads_of(pid: u32) -> Result<u64> {
    status_field(pid, "Threads:")
}

fn status_field(pid: u32, key: &str) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("reading {path}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(key))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no {key} line in {path}"))
}
