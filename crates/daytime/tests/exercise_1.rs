//! Check for exercise 1 of docs/src/daytime.md: daytime-client gives
//! the whole reply a deadline, not each read a timeout.
//! Run it with `scripts/exercise daytime 1`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::net::TcpListener;
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_daytime-client");

/// A server that sends the reply one byte at a time, `gap` apart.
fn trickle(reply: &'static [u8], gap: Duration) -> String {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap().to_string();
    thread::spawn(move || {
        if let Ok((mut s, _)) = l.accept() {
            for b in reply {
                if s.write_all(&[*b]).is_err() {
                    return; // the client gave up: good
                }
                // The pause is the behaviour under test: a slow peer.
                thread::sleep(gap);
            }
        }
    });
    addr
}

#[test]
fn a_server_that_trickles_cannot_hold_the_client() {
    // 100 bytes, one every 200 ms: 20 s in all. Every read gets a
    // byte well within 5 s, so only a deadline can end this early.
    let addr = trickle(&[b'.'; 100], Duration::from_millis(200));
    let t = Instant::now();
    let out = Cmd::new(CLIENT)
        .args([&addr])
        .timeout(Duration::from_secs(12))
        .run();
    let took = t.elapsed();
    assert!(
        !out.timed_out,
        "hint: daytime-client was still reading after 12 s from a server \
         that sends one byte every 200 ms. A timeout per read never fires \
         then; give the whole reply one deadline (5 s after connecting) \
         and shorten each read's timeout to the time left."
    );
    assert_eq!(
        out.code,
        Some(1),
        "hint: running out of time is an error: `Fatal error: ...`, exit \
         status 1, and nothing printed as if it were the time\n{}",
        out.describe()
    );
    assert!(
        out.stderr.starts_with("Fatal error: ")
            && out.stderr.lines().count() == 1,
        "hint: one line on stderr, starting `Fatal error: `; got {:?}",
        out.stderr
    );
    assert!(
        took < Duration::from_secs(8),
        "hint: the deadline is 5 s; the client took {took:?}"
    );
}

#[test]
fn a_slow_but_timely_reply_is_still_read_whole() {
    let addr = trickle(
        b"Sun Aug 29 17:25:19 EST 2010\r\n",
        Duration::from_millis(50),
    );
    let out = Cmd::new(CLIENT).args([&addr]).run();
    assert_eq!(
        out.stdout,
        "Sun Aug 29 17:25:19 EST 2010\n",
        "hint: a reply that arrives in 30 pieces within 2 s must still be \
         printed whole: keep appending until EOF\n{}",
        out.describe()
    );
    assert_eq!(out.code, Some(0));
}

#[test]
fn the_real_server_still_works() {
    let server = Server::start(SERVER, &["0"]);
    let out = Cmd::new(CLIENT).args([&server.addr]).run();
    assert_eq!(
        out.code,
        Some(0),
        "hint: against daytime-server the client must still print the \
         time\n{}",
        out.describe()
    );
    assert!(
        out.stdout.ends_with('\n') && out.stdout.len() > 25,
        "{}",
        out.describe()
    );
}
