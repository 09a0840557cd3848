//! A time limit for a whole step, not for each read.
//!
//! A socket's read timeout (`set_read_timeout`, SO_RCVTIMEO) limits
//! one `read` call. A peer that sends one byte just before each
//! timeout fires keeps a reader forever: "5 s" per read adds up to
//! hours. When a page promises "N s for the reply", the program keeps
//! a [`Deadline`] and, before every read, sets the socket's timeout
//! to the time that is left. Go's deadlines (`SetReadDeadline`) are
//! points in time already, which is why Go programs do not need this.
//!
//! This file is the same in every crate that uses it (a repository
//! test keeps the copies identical).

use std::io;
use std::time::{Duration, Instant};

/// The moment a step must be over.
#[derive(Debug, Clone, Copy)]
pub struct Deadline(Instant);

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline(Instant::now() + limit)
    }

    /// The time left, or a `TimedOut` error once none is. (A timeout
    /// of zero would be refused by `set_read_timeout`, so an expired
    /// deadline is an error here rather than a zero.)
    pub fn left(&self) -> io::Result<Duration> {
        let left = self.0.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "deadline passed",
            ));
        }
        Ok(left)
    }
}
