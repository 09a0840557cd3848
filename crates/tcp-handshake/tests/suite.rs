//! Every test of this crate but the exercise checks, as one test
//! binary: each file of tests/ is a module here.
//! (tests/lab.rs is a binary of its own: it builds network
//! namespaces as root, and its kernel timings should not share
//! the machine with the other tests.)
//!
//! `cargo test` runs a crate's test binaries one after another, and a
//! binary takes as long as its slowest test. In one binary the tests of
//! all files run side by side on RUST_TEST_THREADS threads (16, set in
//! .cargo/config.toml); most wait on a socket or a child process, not
//! the CPU, so that is faster even on 2 cores. Cargo.toml says
//! `autotests = false`, so a new file in tests/ runs only once it is
//! listed here (testkit's repo test checks that none is left out).
//!
//! One file's tests: `cargo test -p tcp-handshake --test suite page::`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod crafted;
mod filter;
mod go;
mod page;
mod script;
mod server;
mod watch;
