//! Every server survives bad clients: garbage, a reset in the middle
//! of a stream, a half-close, a client that connects and leaves, and a
//! 10 MB payload written while the echo is read. After each one the
//! server must still answer a brand-new client.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use socket2::SockRef;
use std::io::{Read, Write};
use std::net::Shutdown;
use std::thread;
use std::time::Duration;

/// Bytes no text protocol expects: every byte value, invalid UTF-8,
/// NULs, a lone CR, a telnet IAC sequence.
fn garbage() -> Vec<u8> {
    let mut g: Vec<u8> = (0..=255u8).rev().collect();
    g.extend_from_slice(b"\xff\xfd\x18\r\0\0\xc3\x28\xa0\xa1");
    g
}

fn garbage_is_echoed(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let g = garbage();
    let back = match speaks {
        Speaks::Echo => echo_on(&mut connect(s.socket_addr()), &g),
        Speaks::Smoke => half_close_exchange(s.socket_addr(), &g),
    };
    assert_eq!(back, g, "garbage must come back byte for byte");
    answers_fresh_client(&mut s, speaks);
}

fn reset_mid_stream(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let mut c = connect(s.socket_addr());
    if let Speaks::Echo = speaks {
        // Make sure the server is in the middle of serving us.
        assert_eq!(echo_on(&mut c, b"first\n"), b"first\n");
    }
    // Leave data the server will echo but we never read, then close
    // with SO_LINGER 0: the kernel discards everything and sends RST.
    c.write_all(&[b'r'; 64 * 1024]).unwrap();
    SockRef::from(&c).set_linger(Some(Duration::ZERO)).unwrap();
    drop(c);
    answers_fresh_client(&mut s, speaks);
}

fn drop_with_unread_data(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let mut c = connect(s.socket_addr());
    c.write_all(&[b'u'; 200 * 1024]).unwrap();
    // Closing a socket with unread bytes in its receive queue also
    // makes the kernel send RST instead of FIN.
    drop(c);
    answers_fresh_client(&mut s, speaks);
}

fn half_close(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let back =
        half_close_exchange(s.socket_addr(), b"half of a conversation\n");
    assert_eq!(back, b"half of a conversation\n");
    answers_fresh_client(&mut s, speaks);
}

fn connect_and_leave(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    for _ in 0..20 {
        drop(connect(s.socket_addr()));
    }
    // And one that half-closes without sending anything.
    assert_eq!(half_close_exchange(s.socket_addr(), b""), b"");
    answers_fresh_client(&mut s, speaks);
}

fn ten_megabytes(exe: &str, speaks: Speaks) {
    let mut s = start(exe, &[]);
    let payload = pattern(10 * 1024 * 1024);
    let mut c = connect(s.socket_addr());
    let mut w = c.try_clone().unwrap();
    let sent = payload.clone();
    // Write and read at the same time: an echo server writes back as
    // it reads, so a client that wrote everything before reading would
    // fill both directions' buffers and deadlock.
    let writer = thread::spawn(move || {
        w.write_all(&sent).unwrap();
        w.shutdown(Shutdown::Write).unwrap();
    });
    let mut back = Vec::with_capacity(payload.len());
    c.read_to_end(&mut back).expect("reading the 10 MB echo");
    writer.join().expect("the writer thread failed");
    assert_eq!(back.len(), payload.len(), "all 10 MB must come back");
    assert!(back == payload, "the 10 MB came back altered");
    answers_fresh_client(&mut s, speaks);
}

macro_rules! bad_clients {
    ($name:ident, $exe:expr, $speaks:expr) => {
        mod $name {
            use super::*;
            #[test]
            fn garbage() {
                garbage_is_echoed($exe, $speaks);
            }
            #[test]
            fn reset_mid_stream() {
                super::reset_mid_stream($exe, $speaks);
            }
            #[test]
            fn drop_with_unread_data() {
                super::drop_with_unread_data($exe, $speaks);
            }
            #[test]
            fn half_close() {
                super::half_close($exe, $speaks);
            }
            #[test]
            fn connect_and_leave() {
                super::connect_and_leave($exe, $speaks);
            }
            #[test]
            fn ten_megabytes_while_reading() {
                ten_megabytes($exe, $speaks);
            }
        }
    };
}

bad_clients!(simple, SIMPLE, Speaks::Echo);
bad_clients!(threaded, THREADED, Speaks::Echo);
bad_clients!(threaded_ip, IP, Speaks::Echo);
bad_clients!(smoke, SMOKE_SERVER, Speaks::Smoke);

/// The smoke-test server keeps at most 32 MiB per client: past that it
/// logs and closes, and goes on serving others.
#[test]
fn smoke_server_refuses_more_than_32_mib() {
    let mut s = start(SMOKE_SERVER, &[]);
    let mut c = connect(s.socket_addr());
    let mut w = c.try_clone().unwrap();
    let writer = thread::spawn(move || {
        let chunk = vec![b'x'; 1024 * 1024];
        for _ in 0..40 {
            if w.write_all(&chunk).is_err() {
                return; // the server closed on us: expected
            }
        }
    });
    let mut back = Vec::new();
    let _ = c.read_to_end(&mut back); // EOF or reset, both fine
    writer.join().unwrap();
    assert!(back.is_empty(), "nothing is echoed past the cap");
    let line = s.wait_err_line(
        |l| l.contains("more than 33554432 bytes"),
        testkit::WAIT,
    );
    assert!(
        line.is_some(),
        "no log line about the cap: {:?}",
        s.stderr()
    );
    answers_fresh_client(&mut s, Speaks::Smoke);
}
