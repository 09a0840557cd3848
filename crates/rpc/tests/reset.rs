//! The experiment behind `close_gently` in rpc-server (and the page's
//! "Closing after an error reply"): what a TCP reset destroys, on
//! Linux. A socket closed while received bytes sit unread in it
//! sends RST instead of FIN (tcp_close in net/ipv4/tcp.c). Then:
//!
//! 1. the other side still reads every byte that had reached it
//!    before the RST, and only then gets ECONNRESET;
//! 2. what the closing side's kernel had accepted but not yet sent is
//!    thrown away: the other side never gets it;
//! 3. the other side's next write fails.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

/// A connected pair on loopback: (client, server, server's address).
fn pair() -> (TcpStream, TcpStream, SocketAddr) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let at = l.local_addr().unwrap();
    let c = TcpStream::connect(at).unwrap();
    let (s, _) = l.accept().unwrap();
    (c, s, at)
}

/// Is this connection (local and remote address) still in the
/// kernel's TCP table, /proc/net/tcp? A socket that received a reset
/// goes to CLOSE and leaves the table, although its descriptor is
/// still open. (Both ends are named, so that another connection that
/// happens to get the same local port later is not taken for it.)
fn in_tcp_table(local: SocketAddr, remote: SocketAddr) -> bool {
    let hex = |a: SocketAddr| format!("0100007F:{:04X}", a.port());
    let (local, remote) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).any(|l| {
        let mut f = l.split_whitespace().skip(1);
        f.next() == Some(local.as_str()) && f.next() == Some(remote.as_str())
    })
}

/// Wait (bounded) until the reset has reached the client socket,
/// whose server end is `server`.
fn wait_for_reset(c: &TcpStream, server: SocketAddr) {
    let local = c.local_addr().unwrap();
    let start = Instant::now();
    while in_tcp_table(local, server) {
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "no reset reached the client"
        );
        std::thread::yield_now();
    }
}

/// The client sends bytes the server will leave unread: wait until
/// they are in the server's receive buffer (peek does not take them).
fn leave_unread(c: &mut TcpStream, s: &TcpStream) {
    c.write_all(b"more from the client").unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut b = [0u8; 1];
    assert_eq!(testkit::retry_eintr(|| s.peek(&mut b)).unwrap(), 1);
}

#[test]
fn a_reset_leaves_what_had_arrived_readable() {
    let (mut c, mut s, at) = pair();
    leave_unread(&mut c, &s);
    s.write_all(b"the reply").unwrap();
    drop(s); // close with unread bytes: RST
    wait_for_reset(&c, at);
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = [0u8; 9];
    c.read_exact(&mut got).unwrap();
    assert_eq!(&got, b"the reply");
    let e = testkit::retry_eintr(|| c.read(&mut [0u8; 1])).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::ConnectionReset);
}

#[test]
fn a_reset_destroys_what_the_closing_side_had_not_sent() {
    let (mut c, mut s, at) = pair();
    leave_unread(&mut c, &s);
    // Write until the kernel takes no more: the client's receive
    // buffer is full, and the rest waits in the server's send buffer.
    s.set_nonblocking(true).unwrap();
    let chunk = [7u8; 65536];
    let mut accepted = 0;
    loop {
        match s.write(&chunk) {
            Ok(n) => accepted += n,
            Err(e) if e.kind() == ErrorKind::WouldBlock => break,
            Err(e) => panic!("{e}"),
        }
    }
    drop(s);
    wait_for_reset(&c, at);
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut read = 0;
    let mut buf = [0u8; 65536];
    let end = loop {
        match testkit::retry_eintr(|| c.read(&mut buf)) {
            Ok(0) => panic!("a FIN, not a reset"),
            Ok(n) => read += n,
            Err(e) => break e,
        }
    };
    assert_eq!(end.kind(), ErrorKind::ConnectionReset);
    assert!(read > 0, "nothing of what had arrived could be read");
    assert!(
        read < accepted,
        "the kernel accepted {accepted} bytes and all {read} arrived"
    );
    eprintln!("accepted by the server's kernel {accepted}, read {read}");
}

#[test]
fn after_a_reset_the_next_write_fails() {
    let (mut c, s, at) = pair();
    leave_unread(&mut c, &s);
    drop(s);
    wait_for_reset(&c, at);
    let e = c.write_all(b"another call").unwrap_err();
    assert!(
        matches!(e.kind(), ErrorKind::ConnectionReset | ErrorKind::BrokenPipe),
        "{e:?}"
    );
}

#[test]
fn a_close_with_nothing_unread_is_a_fin() {
    let (mut c, mut s, _) = pair();
    s.write_all(b"bye").unwrap();
    drop(s);
    c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut got = Vec::new();
    c.read_to_end(&mut got).unwrap();
    assert_eq!(got, b"bye");
}
