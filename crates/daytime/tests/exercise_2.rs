//! Check for exercise 2 of docs/src/daytime.md: `daytime-server
//! --rfc868` serves the RFC 868 time protocol: four bytes, the
//! seconds since 1900-01-01 00:00 UTC, big-endian.
//! Run it with `scripts/exercise daytime 2`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Read;
use std::net::TcpStream;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use testkit::{Cmd, Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_daytime-server");

/// Seconds from 1900-01-01 to 1970-01-01 (70 years, 17 leap days).
const FROM_1900_TO_1970: u64 = 2_208_988_800;

fn read_all(addr: &str) -> Vec<u8> {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    let mut v = Vec::new();
    s.read_to_end(&mut v).unwrap();
    v
}

fn start_rfc868() -> Server {
    let probe = Cmd::new(SERVER)
        .args(["--rfc868", "0"])
        .timeout(Duration::from_millis(800))
        .run();
    assert!(
        probe.timed_out,
        "hint: `daytime-server --rfc868 0` should start and keep serving; \
         it exited with status {:?} saying {:?}. Teach main() the \
         --rfc868 option.",
        probe.code,
        probe.stderr.trim_end()
    );
    Server::start(SERVER, &["--rfc868", "0"])
}

#[test]
fn the_reply_is_four_bytes_of_seconds_since_1900() {
    let server = start_rfc868();
    let reply = read_all(&server.addr);
    assert_eq!(
        reply.len(),
        4,
        "hint: RFC 868 sends exactly 4 bytes and closes; got {reply:?}"
    );
    let got =
        u64::from(u32::from_be_bytes([reply[0], reply[1], reply[2], reply[3]]));
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let want = (now + FROM_1900_TO_1970) % (1 << 32);
    let near = |x: u64| x.abs_diff(want) <= 2;
    let swapped =
        u64::from(u32::from_le_bytes([reply[0], reply[1], reply[2], reply[3]]));
    assert!(
        !near(swapped),
        "hint: the right number in the wrong byte order: RFC 868 sends it \
         big-endian (network order, u32::to_be_bytes)"
    );
    assert!(
        got.abs_diff(now) > 2,
        "hint: got the seconds since 1970 (Unix time); RFC 868 counts \
         since 1900-01-01 00:00 UTC"
    );
    assert!(
        near(got),
        "hint: got {got}, expected about {want}: seconds since 1900-01-01 \
         UTC, as a big-endian u32 (u32::to_be_bytes); UTC, not local time"
    );
}

#[test]
fn without_the_option_it_is_still_daytime() {
    let server = Server::start(SERVER, &["0"]);
    let reply = read_all(&server.addr);
    assert!(
        reply.ends_with(b"\r\n") && reply.len() > 25,
        "hint: without --rfc868 the server sends the text line as before; \
         got {reply:?}"
    );
}

#[test]
fn a_port_still_works_after_the_option() {
    let out = Cmd::new(SERVER).args(["--rfc868", "99999"]).run();
    assert_eq!(
        out.code,
        Some(1),
        "hint: `--rfc868 99999` is a bad port: Fatal error and exit 1\n{}",
        out.describe()
    );
    assert!(out.stderr.contains("99999"), "{}", out.describe());
}
