//! loadgen: a bounded load generator for the netprog servers.
//!
//!     loadgen MODE ADDR [--conns N] [--size BYTES] [--duration SECS] [--pid PID]
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
//! It prints one line of `key=value` results. Only loopback addresses
//! are accepted: this is for measuring programs on your own machine.
//! Exit status: 0 when the run had no errors, 1 otherwise, 2 for
//! bad arguments.

use anyhow::{Context, Result, bail};
use loadgen::{Limits, Opts, Stats, parse_args};
use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::process::ExitCode;
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// How long one connect or one reply may take before it is an error.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a UDP reply may take before the request counts as lost.
const UDP_TIMEOUT: Duration = Duration::from_millis(500);

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts = match parse_args(&args, &Limits::default()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("loadgen: {e:#}");
            eprintln!(
                "usage: loadgen echo|line|connect|udp|hold ADDR [--conns N] [--size BYTES] [--duration SECS] [--pid PID]"
            );
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(line) => {
            println!("{line}");
            if line.contains(" errors=0") {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("loadgen: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn run(o: &Opts) -> Result<String> {
    match o.mode.as_str() {
        "echo" | "line" | "connect" | "udp" => {
            let stats = drive(o)?;
            Ok(stats.report(o))
        }
        "hold" => hold(o),
        m => bail!("unknown mode {m:?}"),
    }
}

/// Run N workers for the duration; merge what they measured.
fn drive(o: &Opts) -> Result<Stats> {
    // Every worker connects first; the clock starts when all have.
    let start = Arc::new(Barrier::new(o.conns + 1));
    let mut handles = Vec::new();
    for _ in 0..o.conns {
        let (o, start) = (o.clone(), start.clone());
        handles.push(thread::spawn(move || worker(&o, &start)));
    }
    start.wait();
    let t0 = Instant::now();
    let mut total = Stats::default();
    for h in handles {
        match h.join() {
            Ok(s) => total.merge(s),
            Err(_) => total.errors += 1,
        }
    }
    total.elapsed = t0.elapsed();
    Ok(total)
}

fn worker(o: &Opts, start: &Barrier) -> Stats {
    let mut st = Stats::default();
    match o.mode.as_str() {
        "echo" | "line" => match TcpStream::connect_timeout(&o.addr, IO_TIMEOUT) {
            Ok(s) => {
                start.wait();
                round_trips(o, s, &mut st);
            }
            Err(e) => {
                start.wait();
                st.note_error(format!("connect: {e}"));
            }
        },
        "connect" => {
            start.wait();
            connects(o, &mut st);
        }
        _ => {
            let sock = udp_socket(o.addr);
            start.wait();
            match sock {
                Ok(s) => datagrams(o, &s, &mut st),
                Err(e) => st.note_error(format!("udp socket: {e:#}")),
            }
        }
    }
    st
}

/// echo/line: write a message, read the same number of bytes back.
fn round_trips(o: &Opts, mut s: TcpStream, st: &mut Stats) {
    // Small messages must not wait for Nagle's algorithm.
    let _ = s.set_nodelay(true);
    let _ = s.set_read_timeout(Some(IO_TIMEOUT));
    let mut msg = vec![b'x'; o.size];
    if o.mode == "line" {
        msg[o.size - 1] = b'\n';
    }
    let mut buf = vec![0u8; o.size];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        let r = s.write_all(&msg).and_then(|_| s.read_exact(&mut buf));
        match r {
            Ok(()) if buf == msg => st.record(t.elapsed(), o.size),
            Ok(()) => return st.note_error("reply differs from the request".into()),
            Err(e) => return st.note_error(format!("round trip: {e}")),
        }
    }
}

/// connect: connect, read to EOF, close; as many times as possible.
fn connects(o: &Opts, st: &mut Stats) {
    let deadline = Instant::now() + o.duration;
    let mut buf = Vec::with_capacity(256);
    while Instant::now() < deadline {
        let t = Instant::now();
        let r = TcpStream::connect_timeout(&o.addr, IO_TIMEOUT).and_then(|mut s| {
            s.set_read_timeout(Some(IO_TIMEOUT))?;
            buf.clear();
            s.read_to_end(&mut buf)
        });
        match r {
            Ok(n) if n > 0 => st.record(t.elapsed(), n),
            Ok(_) => st.note_error("connection closed with no data".into()),
            Err(e) => {
                st.note_error(format!("connect/read: {e}"));
                if st.errors > 100 {
                    return;
                }
            }
        }
    }
}

fn udp_socket(addr: SocketAddr) -> Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() {
        "127.0.0.1:0".parse()?
    } else {
        "[::1]:0".parse()?
    };
    let s = UdpSocket::bind(local).context("binding a UDP socket")?;
    s.connect(addr).context("connecting the UDP socket")?;
    s.set_read_timeout(Some(UDP_TIMEOUT))?;
    Ok(s)
}

/// udp: send a datagram, wait for one back; a timeout is a loss.
fn datagrams(o: &Opts, s: &UdpSocket, st: &mut Stats) {
    let msg = vec![b'x'; o.size];
    let mut buf = vec![0u8; 65536];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        if let Err(e) = s.send(&msg) {
            return st.note_error(format!("send: {e}"));
        }
        match s.recv(&mut buf) {
            Ok(n) => st.record(t.elapsed(), n),
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                st.lost += 1
            }
            Err(e) => return st.note_error(format!("recv: {e}")),
        }
    }
}

/// hold: open N connections, keep them, then check each answers.
fn hold(o: &Opts) -> Result<String> {
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
    let rss_held = o.pid.map(rss_kib).transpose()?;
    let mut buf = [0u8; 64];
    for s in &mut conns {
        match read_line(s, &mut buf) {
            Some(n) if &buf[..n] == line => answered += 1,
            _ => refused += 1,
        }
    }
    let per_conn = match (rss_before, rss_held) {
        (Some(b), Some(h)) if opened > 0 => {
            format!("{:.1}", (h.saturating_sub(b)) as f64 / opened as f64)
        }
        _ => "not_measured".into(),
    };
    let errors = errors + (opened - answered);
    let mut out = format!(
        "mode=hold addr={} conns={} opened={opened} answered={answered} refused={refused} \
         open_secs={open_secs:.2} rss_before_kib={} rss_held_kib={} kib_per_conn={per_conn} errors={errors}",
        o.addr,
        o.conns,
        rss_before.map_or("not_measured".into(), |v| v.to_string()),
        rss_held.map_or("not_measured".into(), |v| v.to_string()),
    );
    if !first_error.is_empty() {
        out.push_str(&format!(" first_error={first_error:?}"));
    }
    Ok(out)
}

/// Read up to one line (bounded by the buffer); None on error/EOF.
fn read_line(s: &mut TcpStream, buf: &mut [u8]) -> Option<usize> {
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

/// Resident memory of a process, from /proc/PID/status (VmRSS, KiB).
fn rss_kib(pid: u32) -> Result<u64> {
    let path = format!("/proc/{pid}/status");
    let text = std::fs::read_to_string(&path).with_context(|| format!("reading {path}"))?;
    text.lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .with_context(|| format!("no VmRSS line in {path}"))
}
