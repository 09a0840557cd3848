//! What every program of this workspace shares with the command line:
//! its arguments, and output that cannot kill it.
//!
//! This file is the same in every crate (a repository test keeps the
//! copies identical), so that each crate can be read on its own.
//!
//! # Arguments
//!
//! `std::env::args()` panics on an argument that is not UTF-8, and a
//! Linux argument is any string of bytes except NUL (a file name may
//! be `$'\xff'`). [`args`] returns them as the kernel gave them, as
//! `OsString`s; [`text`] turns one into a `&str` where the program
//! needs text (a port, a host name), with a one-line message if it
//! is not. Paths stay `OsString`s all the way to the system call.
//!
//! # Output
//!
//! `println!` and `eprintln!` panic when the write fails. Rust ignores
//! SIGPIPE (its runtime sets it to SIG_IGN before `main`), so writing
//! to a closed pipe (`server | head -1`, after `head` has exited)
//! returns EPIPE instead of killing the process, and the macro turns
//! that error into a panic: a server that logs would die at the next
//! client. Go's runtime instead lets a write to a broken stdout or
//! stderr kill the program with SIGPIPE (os/signal's documentation,
//! "SIGPIPE"), which a shell reports as exit status 141.
//!
//! The macros below write through [`std::io::Write`] and decide what
//! a failed write means:
//! - `logln!` and `elogln!`: a server's log lines, on stdout and
//!   stderr. A failed write is ignored: the log is lost, the server
//!   and its clients carry on.
//! - `outln!` and `out!`: a client's results on stdout. When
//!   stdout is a pipe whose reader has gone (the write fails with
//!   EPIPE), nobody reads the results any more: the program stops at
//!   once, quietly, with status 141 ([`EXIT_PIPE`]), as Go's and
//!   `yes | head -1`'s writer do. Any other failed write (a full disk)
//!   gets one line on stderr and status 141 too. (A stdout that was
//!   never open, `>&-`, is another case: before `main`, Rust's runtime
//!   opens /dev/null in its place, so the output is lost and the
//!   program goes on.)
//!
//! # Time limits
//!
//! A client's limits ("5 s for the reply") are constants of each
//! program. [`time_limit`] scales them by `NETPROG_TIME_SCALE`, a
//! factor from 0.01 to 100 (unset: 1): the tests run a program with
//! 0.1 so that "gives up on a silent server" costs half a second, not
//! five, and the program's messages name the limit it really used.
//! (Go's programs have no such knob; their limits are constants too.)

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io::{self, Write};

/// The exit status a shell reports for a program killed by SIGPIPE
/// (128 + 13), used when a client's stdout pipe has lost its reader.
pub const EXIT_PIPE: i32 = 141;

/// The environment variable that scales a program's time limits.
pub const TIME_SCALE_ENV: &str = "NETPROG_TIME_SCALE";

/// `limit` times the factor in `NETPROG_TIME_SCALE` (the module's
/// comment says why), or a one-line message if the variable is set
/// to anything but a factor from 0.01 to 100.
pub fn time_limit(
    limit: std::time::Duration,
) -> Result<std::time::Duration, String> {
    let Some(value) = std::env::var_os(TIME_SCALE_ENV) else {
        return Ok(limit);
    };
    let factor = value.to_str().and_then(|v| v.trim().parse::<f64>().ok());
    match factor {
        Some(f) if (0.01..=100.0).contains(&f) => Ok(limit.mul_f64(f)),
        _ => Err(format!(
            "{TIME_SCALE_ENV}=\"{}\" is not a factor from 0.01 to 100",
            value.as_encoded_bytes().escape_ascii()
        )),
    }
}

/// A time limit as the messages show it: `5 s`, `0.5 s`, `0.25 s`
/// (to the millisecond, no trailing zeros).
pub struct Secs(pub std::time::Duration);

impl fmt::Display for Secs {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ms = self.0.as_millis();
        let (whole, frac) = (ms / 1000, ms % 1000);
        if frac == 0 {
            write!(f, "{whole} s")
        } else {
            let frac = format!("{frac:03}");
            write!(f, "{whole}.{} s", frac.trim_end_matches('0'))
        }
    }
}

/// The program's arguments after its name, as bytes the kernel gave.
pub fn args() -> Vec<OsString> {
    std::env::args_os().skip(1).collect()
}

/// An argument as text, or a one-line message naming it, its bytes
/// escaped (`"\xff"`) so the terminal shows what was given.
pub fn text(arg: &OsStr) -> Result<&str, String> {
    arg.to_str().ok_or_else(|| {
        let shown = arg.as_encoded_bytes().escape_ascii();
        format!("argument \"{shown}\" is not valid UTF-8 text")
    })
}

/// Write one formatted piece to `w` and flush it. The text is formatted
/// first and written in one piece: stderr has no buffer, and
/// `write_fmt` on it makes one write(2) per part of the format string
/// (`"{addr}: {e}"` is four), so a log line could reach a terminal or
/// a file in pieces, between another process's writes.
fn put(mut w: impl Write, args: fmt::Arguments<'_>) -> io::Result<()> {
    w.write_all(fmt::format(args).as_bytes())?;
    w.flush()
}

/// A log line on stdout; a failed write is ignored. Use `logln!`.
pub fn log_out(args: fmt::Arguments<'_>) {
    let _ = put(io::stdout().lock(), args);
}

/// A log line on stderr; a failed write is ignored. Use `elogln!`.
pub fn log_err(args: fmt::Arguments<'_>) {
    let _ = put(io::stderr().lock(), args);
}

/// A client's output on stdout: if it cannot be written, stop (see
/// the module's comment). Use `outln!` or `out!`.
pub fn print_out(args: fmt::Arguments<'_>) {
    if let Err(e) = put(io::stdout().lock(), args) {
        if e.kind() != io::ErrorKind::BrokenPipe {
            log_err(format_args!("cannot write to stdout: {e}\n"));
        }
        std::process::exit(EXIT_PIPE);
    }
}

/// `println!` for a server's log on stdout: never panics.
#[macro_export]
macro_rules! logln {
    ($($arg:tt)*) => {
        $crate::cli::log_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `eprintln!` that never panics: a failed write to stderr is ignored.
#[macro_export]
macro_rules! elogln {
    ($($arg:tt)*) => {
        $crate::cli::log_err(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `println!` for a client's results: a stdout pipe without a reader
/// ends the program quietly with status 141.
#[macro_export]
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::cli::print_out(format_args!("{}\n", format_args!($($arg)*)))
    };
}

/// `print!` (no newline, flushed) for a client's results.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => {
        $crate::cli::print_out(format_args!($($arg)*))
    };
}
