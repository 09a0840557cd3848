//! The command line: `MODE ADDR [OPTIONS]`, parsed with lexopt, and
//! the limits that keep every run bounded.

use anyhow::{Context, Result, bail};
use std::ffi::OsString;
use std::net::{SocketAddr, ToSocketAddrs};
use std::time::Duration;

/// The one-line usage, printed after every argument error.
pub const USAGE: &str =
    "usage: loadgen echo|line|connect|udp|hold ADDR [OPTIONS] (see --help)";

/// What one run may ask for at most.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Connections for the active modes (tasks, or threads with
    /// `--spin`).
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

/// What the command line asked for: a run, or the help text.
#[derive(Debug, Clone)]
pub enum Command {
    Run(Opts),
    Help,
}

/// Parse `MODE ADDR [--conns N] [--size BYTES] [--duration SECS]
/// [--pid PID] [--threads N] [--spin]`, or `--help`.
///
/// The options are parsed by the lexopt crate (see Cargo.toml for
/// why); the limits are checked here.
///
/// Examples: the unit test `parse_args_examples` below.
pub fn parse_args(
    args: impl IntoIterator<Item = OsString>,
    lim: &Limits,
) -> Result<Command> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_args(args);
    let mut words = Vec::new();
    let (mut conns, mut size, mut duration) = (1, 512, 5.0);
    let (mut pid, mut threads, mut spin) = (None, 1, false);
    while let Some(arg) = p.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(Command::Help),
            Long("conns") => conns = p.value()?.parse()?,
            Long("size") => size = p.value()?.parse()?,
            Long("pid") => pid = Some(p.value()?.parse()?),
            Long("threads") => threads = p.value()?.parse()?,
            Long("duration") => duration = p.value()?.parse::<f64>()?,
            Long("spin") => spin = true,
            Value(v) if words.len() < 2 => words.push(v.string()?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    let [mode, addr] = &words[..] else {
        bail!("a mode and an address are needed");
    };
    let modes = ["echo", "line", "connect", "udp", "hold"];
    if !modes.contains(&mode.as_str()) {
        bail!("unknown mode {mode:?} (one of {})", modes.join(", "));
    }
    if !(duration.is_finite() && duration > 0.0) {
        bail!("--duration {duration} is not a positive number of seconds");
    }
    let o = Opts {
        mode: mode.clone(),
        addr: loopback_addr(addr)?,
        conns,
        size,
        // Checked below, before it can overflow: at most max_duration.
        duration: Duration::from_secs_f64(
            duration.min(lim.max_duration.as_secs_f64() + 1.0),
        ),
        pid,
        threads,
        spin,
    };
    if duration > lim.max_duration.as_secs_f64() {
        bail!(
            "--duration must be at most {} s",
            lim.max_duration.as_secs()
        );
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
            "--spin is for echo, line and udp with at most 4 connections \
             (each spins a core)"
        );
    }
    if o.threads == 0 || o.threads > 16 {
        bail!("--threads must be from 1 to 16");
    }
    if o.size == 0 || o.size > lim.max_size {
        bail!("--size must be from 1 to {} bytes", lim.max_size);
    }
    Ok(Command::Run(o))
}

#[test]
fn parse_args_examples() {
    use crate::{Command, Limits, parse_args};
    let args = ["echo", "127.0.0.1:7", "--conns", "16"].map(Into::into);
    let Ok(Command::Run(o)) = parse_args(args, &Limits::default()) else {
        panic!()
    };
    assert_eq!((o.conns, o.size), (16, 512));
    let far = ["echo", "192.0.2.1:7"].map(Into::into);
    assert!(parse_args(far, &Limits::default()).is_err()); // not loopback
}

/// Resolve ADDR and insist that it is a loopback address.
fn loopback_addr(text: &str) -> Result<SocketAddr> {
    let addr = text
        .to_socket_addrs()
        .with_context(|| format!("{text:?} is not HOST:PORT"))?
        .next()
        .with_context(|| format!("{text:?} resolves to no address"))?;
    if !addr.ip().is_loopback() {
        bail!("{addr} is not a loopback address (this machine's only)");
    }
    Ok(addr)
}
