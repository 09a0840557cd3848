//! echo-async over loopback: exact echoes, many clients at once, bad
//! clients that never stop it, and bad arguments.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream};
use std::thread;
use testkit::{Cmd, Server, WAIT};

const ECHO: &str = env!("CARGO_BIN_EXE_echo-async");

fn start(args: &[&str]) -> Server {
    Server::start(ECHO, args)
}

fn client(s: &Server) -> TcpStream {
    let c = TcpStream::connect_timeout(&s.socket_addr(), WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    c
}

/// Send `msg`, read exactly as many bytes back.
fn round_trip(c: &mut TcpStream, msg: &[u8]) -> Vec<u8> {
    c.write_all(msg).unwrap();
    let mut back = vec![0u8; msg.len()];
    c.read_exact(&mut back).unwrap();
    back
}

#[test]
fn the_first_line_is_the_bound_address_on_loopback() {
    let s = start(&["0"]);
    assert!(s.addr.starts_with("127.0.0.1:"), "{}", s.addr);
    assert_ne!(s.socket_addr().port(), 0);
}

#[test]
fn every_byte_comes_back_even_binary() {
    let s = start(&["0"]);
    let mut c = client(&s);
    let msg: Vec<u8> = (0..=255u8).cycle().take(3000).collect();
    assert_eq!(round_trip(&mut c, &msg), msg);
    // Half-close: the server sees EOF and closes its side too.
    c.shutdown(Shutdown::Write).unwrap();
    let mut rest = Vec::new();
    c.read_to_end(&mut rest).unwrap();
    assert!(rest.is_empty());
}

#[test]
fn many_clients_are_served_at_once_on_one_thread() {
    let s = start(&["0"]);
    // All connect first, then each talks: none waits for another.
    let mut clients: Vec<TcpStream> = (0..200).map(|_| client(&s)).collect();
    for (i, c) in clients.iter_mut().enumerate() {
        let msg = format!("client {i}\n");
        assert_eq!(round_trip(c, msg.as_bytes()), msg.as_bytes());
    }
    let threads = std::fs::read_dir(format!("/proc/{}/task", s.pid()))
        .unwrap()
        .count();
    assert_eq!(
        threads, 1,
        "a current_thread runtime runs everything on main"
    );
}

#[test]
fn ten_megabytes_written_while_reading() {
    let s = start(&["0"]);
    let c = client(&s);
    let mut w = c.try_clone().unwrap();
    let writer = thread::spawn(move || {
        let chunk = vec![b'z'; 64 * 1024];
        for _ in 0..160 {
            w.write_all(&chunk).unwrap();
        }
        w.shutdown(Shutdown::Write).unwrap();
    });
    let mut total = 0usize;
    let mut r = c;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = testkit::retry_eintr(|| r.read(&mut buf)).unwrap();
        if n == 0 {
            break;
        }
        assert!(buf[..n].iter().all(|&b| b == b'z'));
        total += n;
    }
    writer.join().unwrap();
    assert_eq!(total, 160 * 64 * 1024);
}

#[test]
fn bad_clients_never_stop_it() {
    let s = start(&["0"]);
    // Connect and leave; garbage then leave without reading; a reset
    // (unread data in our receive queue when we close).
    drop(client(&s));
    let mut g = client(&s);
    g.write_all(&[0xff; 100_000]).unwrap();
    drop(g);
    let mut r = client(&s);
    r.write_all(b"unread echo").unwrap();
    drop(r);
    let mut fresh = client(&s);
    assert_eq!(round_trip(&mut fresh, b"still there?\n"), b"still there?\n");
}

#[test]
fn with_two_threads_it_echoes_too() {
    let s = start(&["0", "--threads", "2"]);
    let mut c = client(&s);
    assert_eq!(round_trip(&mut c, b"hello\n"), b"hello\n");
    let threads = std::fs::read_dir(format!("/proc/{}/task", s.pid()))
        .unwrap()
        .count();
    assert!(threads >= 3, "main plus two workers, got {threads}");
}

#[test]
fn bad_arguments_are_one_line_and_status_1() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    for (args, says) in [
        (vec!["1", "2"], "too many arguments"),
        (vec!["--bogus"], "unknown option --bogus"),
        (vec!["--threads"], "--threads needs a number"),
        (vec!["--threads", "0"], "from 1 to 64, not \"0\""),
        (vec!["--threads", "65"], "from 1 to 64, not \"65\""),
        (vec!["x"], "\"x\""),
        (vec!["70000"], "70000"),
        (vec![port.as_str()], "address already in use"),
    ] {
        let out = Cmd::new(ECHO).args(&args).run();
        out.expect_code(1);
        assert_eq!(out.stdout, "", "{args:?}");
        assert!(
            out.stderr.starts_with("Fatal error: ")
                && out.stderr.contains(says)
                && out.stderr.lines().count() == 1,
            "{args:?}: {}",
            out.stderr
        );
    }
}
