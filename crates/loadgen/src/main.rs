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
//! connection, for latency-bound runs with a few connections (at most
//! 4).
//! `loadgen --help` lists the options (parsed with lexopt).
//! It prints one line of `key=value` results. Only loopback addresses
//! are accepted: this is for measuring programs on your own machine.
//! Exit status: 0 when the run had no errors, 1 otherwise, 2 for
//! bad arguments.

use anyhow::{Result, bail};
use loadgen::{Command, Limits, Opts, USAGE, parse_args};
use loadgen::{active, cli, elogln, hold, outln, spin};
use std::process::ExitCode;

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
            let stats = active::drive(o)?;
            Ok(stats.report(o))
        }
        "hold" => hold::hold(o),
        m => bail!("unknown mode {m:?}"),
    }
}
