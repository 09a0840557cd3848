//! hold: open N connections and keep them all open, then check that
//! every one still answers a line; with `--pid`, read the server's
//! resident memory (before, and while it holds them) and its threads
//! from /proc/PID/status.

use crate::{IO_TIMEOUT, Opts};
use anyhow::{Context, Result};
use std::io::{Read, Write};
use std::time::Instant;

/// hold: open N connections, keep them, then check each answers.
pub fn hold(o: &Opts) -> Result<String> {
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

/// Resident memory of a process, from /proc/PID/status: VmRSS, the
/// process's resident pages (RssAnon + RssFile + RssShmem, proc(5)),
/// which the kernel prints in "kB" that are KiB, 1,024 bytes: the page
/// count shifted left by PAGE_SHIFT - 10 (fs/proc/task_mmu.c), that is
/// times 4 with x86-64's 4 KiB pages. Memory the kernel keeps for the
/// process's sockets and threads is not in it. proc(5) calls the value
/// inaccurate (the kernel counts it lazily, for scalability); held by
/// 3,000 idle clients, conc-tcp's matched the exact Rss of
/// /proc/PID/smaps_rollup when we compared them on Linux 6.18.
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
