//! Argument parsing and statistics for the `loadgen` binary.

pub mod cli;

use anyhow::{Context, Result, bail};
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// What one run may ask for at most.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections for the active modes (one thread each).
    pub max_active: usize,
    /// Connections for `hold` (file descriptors, not threads).
    pub max_hold: usize,
    pub max_size: usize,
    pub max_duration: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_active: 1024,
            max_hold: 20_000,
            max_size: 1 << 20,
            max_duration: Duration::from_secs(60),
        }
    }
}

/// One run's settings.
#[derive(Debug, Clone)]
pub struct Opts {
    pub mode: String,
    pub addr: SocketAddr,
    pub conns: usize,
    pub size: usize,
    pub duration: Duration,
    pub pid: Option<u32>,
    /// Threads of the load generator's runtime (active modes).
    pub threads: usize,
    /// Busy-poll instead of sleeping (echo, line, udp; few conns).
    pub spin: bool,
}

/// Parse `MODE ADDR [--conns N] [--size BYTES] [--duration SECS] [--pid PID] [--threads N]`.
///
/// ```
/// let o = loadgen::parse_args(
///     &["echo".into(), "127.0.0.1:7".into(), "--conns".into(), "16".into()],
///     &loadgen::Limits::default(),
/// ).unwrap();
/// assert_eq!((o.conns, o.size), (16, 512));
/// assert!(loadgen::parse_args(&["echo".into(), "192.0.2.1:7".into()],
///     &loadgen::Limits::default()).is_err()); // not loopback
/// ```
pub fn parse_args(args: &[String], lim: &Limits) -> Result<Opts> {
    let [mode, addr, rest @ ..] = args else {
        bail!("a mode and an address are needed");
    };
    let modes = ["echo", "line", "connect", "udp", "hold"];
    if !modes.contains(&mode.as_str()) {
        bail!("unknown mode {mode:?} (one of {})", modes.join(", "));
    }
    let addr = loopback_addr(addr)?;
    let mut o = Opts {
        mode: mode.clone(),
        addr,
        conns: 1,
        size: 512,
        duration: Duration::from_secs(5),
        pid: None,
        threads: 1,
        spin: false,
    };
    let mut it = rest.iter();
    while let Some(flag) = it.next() {
        if flag == "--spin" {
            o.spin = true;
            continue;
        }
        let val = it.next().with_context(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--conns" => o.conns = number(flag, val)?,
            "--size" => o.size = number(flag, val)?,
            "--pid" => o.pid = Some(number(flag, val)?),
            "--threads" => o.threads = number(flag, val)?,
            "--duration" => {
                let secs: f64 = val
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s > 0.0)
                    .with_context(|| {
                        format!("--duration {val:?} is not a positive number of seconds")
                    })?;
                o.duration = Duration::from_secs_f64(secs);
            }
            _ => bail!("unknown option {flag:?}"),
        }
    }
    let max_conns = if o.mode == "hold" {
        lim.max_hold
    } else {
        lim.max_active
    };
    if o.conns == 0 || o.conns > max_conns {
        bail!("--conns must be from 1 to {max_conns} for {}", o.mode);
    }
    if o.spin && (o.mode == "connect" || o.mode == "hold" || o.conns > 4) {
        bail!(
            "--spin is for echo, line and udp with at most 4 connections (each spins a core)"
        );
    }
    if o.threads == 0 || o.threads > 16 {
        bail!("--threads must be from 1 to 16");
    }
    if o.size == 0 || o.size > lim.max_size {
        bail!("--size must be from 1 to {} bytes", lim.max_size);
    }
    if o.duration > lim.max_duration {
        bail!(
            "--duration must be at most {} s",
            lim.max_duration.as_secs()
        );
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(flag: &str, val: &str) -> Result<T> {
    val.parse()
        .ok()
        .with_context(|| format!("{flag} {val:?} is not a number"))
}

/// Resolve ADDR and insist that it is a loopback address.
fn loopback_addr(text: &str) -> Result<SocketAddr> {
    let addr = text
        .to_socket_addrs()
        .with_context(|| format!("{text:?} is not HOST:PORT"))?
        .next()
        .with_context(|| format!("{text:?} resolves to no address"))?;
    if !addr.ip().is_loopback() {
        bail!(
            "{addr} is not a loopback address: loadgen only loads servers on this machine"
        );
    }
    Ok(addr)
}

/// What the workers measured.
#[derive(Debug, Default)]
pub struct Stats {
    /// Latency of each completed request, in microseconds.
    pub lat_us: Vec<u32>,
    pub bytes: u64,
    pub errors: usize,
    pub lost: u64,
    pub first_error: Option<String>,
    pub elapsed: Duration,
}

impl Stats {
    pub fn record(&mut self, took: Duration, bytes: usize) {
        self.lat_us
            .push(u32::try_from(took.as_micros()).unwrap_or(u32::MAX));
        self.bytes += bytes as u64;
    }

    pub fn note_error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }

    pub fn merge(&mut self, other: Stats) {
        self.lat_us.extend(other.lat_us);
        self.bytes += other.bytes;
        self.errors += other.errors;
        self.lost += other.lost;
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    /// The `key=value` result line.
    pub fn report(mut self, o: &Opts) -> String {
        self.lat_us.sort_unstable();
        let n = self.lat_us.len();
        let secs = self.elapsed.as_secs_f64().max(1e-9);
        let mut s = format!(
            "mode={} addr={} conns={} size={} secs={secs:.2} requests={n} rate={:.0} \
             mb_s={:.1} p50_us={} p99_us={} lost={} errors={}",
            o.mode,
            o.addr,
            o.conns,
            o.size,
            n as f64 / secs,
            self.bytes as f64 / secs / 1e6,
            percentile(&self.lat_us, 50.0),
            percentile(&self.lat_us, 99.0),
            self.lost,
            self.errors,
        );
        if let Some(e) = self.first_error {
            s.push_str(&format!(" first_error={e:?}"));
        }
        s
    }
}

/// The p-th percentile of sorted values (nearest rank); 0 when empty.
///
/// ```
/// let v: Vec<u32> = (1..=100).collect();
/// assert_eq!(loadgen::percentile(&v, 50.0), 50);
/// assert_eq!(loadgen::percentile(&v, 99.0), 99);
/// assert_eq!(loadgen::percentile(&[], 50.0), 0);
/// ```
pub fn percentile(sorted: &[u32], p: f64) -> u32 {
    if sorted.is_empty() {
        return 0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}
