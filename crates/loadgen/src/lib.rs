//! The load generator behind the `loadgen` binary: its options, the
//! ways it drives a server, and what it measures.

pub mod cli;
// echo, line, connect and udp as tasks on a small tokio runtime.
pub mod active;
// The command line: modes, options and their limits.
mod args;
// hold: many idle connections, and the server's memory while held.
pub mod hold;
// --spin: echo, line and udp busy-polled, a thread per connection.
pub mod spin;
// What the workers measured, and the result line.
mod stats;

pub use args::{Command, Limits, Opts, USAGE, parse_args};
pub use stats::{Stats, percentile};

use std::time::Duration;

/// How long one connect or one reply may take before it is an error.
const IO_TIMEOUT: Duration = Duration::from_secs(5);
/// How long a UDP reply may take before the request counts as lost.
const UDP_TIMEOUT: Duration = Duration::from_millis(500);
