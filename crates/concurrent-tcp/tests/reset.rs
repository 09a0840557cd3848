//! What a reset (RST) destroys, and what it does not, on Linux: the
//! experiment behind `say_goodbye`'s comment.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::time::Instant;
use testkit::WAIT;

/// Is this connection (local and remote address) still in the
/// kernel's TCP table, /proc/net/tcp ("ADDR:PORT" in hex)? A socket
/// that received a reset goes to CLOSE and leaves the table, although
/// its descriptor is still open. Both ends are named: an old socket in
/// TIME-WAIT may hold the same local port with another peer.
fn in_tcp_table(local: SocketAddr, remote: SocketAddr) -> bool {
    let hex = |a: SocketAddr| format!("0100007F:{:04X}", a.port());
    let (local, remote) = (hex(local), hex(remote));
    let table = std::fs::read_to_string("/proc/net/tcp").unwrap();
    table.lines().skip(1).any(|l| {
        let mut f = l.split_whitespace().skip(1);
        f.next() == Some(local.as_str()) && f.next() == Some(remote.as_str())
    })
}

/// A server reads 1 byte of 10, writes a message and closes: with 9
/// bytes unread, Linux sends a reset instead of a FIN. The client,
/// reading only after the reset has arrived, still gets the message;
/// the read after it fails with ECONNRESET instead of an end of
/// stream. What the server had not read is gone.
#[test]
fn the_receiver_keeps_what_arrived_before_the_reset() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let (mut s, _) = l.accept().unwrap();
    c.write_all(b"0123456789").unwrap();
    let mut one = [0u8; 1];
    s.read_exact(&mut one).unwrap();
    s.write_all(b"bye\n").unwrap();
    drop(s); // close(2) with 9 bytes unread: RST
    // Wait (bounded) until the reset has closed the client's socket.
    let (local, remote) = (c.local_addr().unwrap(), l.local_addr().unwrap());
    let deadline = Instant::now() + WAIT;
    while in_tcp_table(local, remote) {
        assert!(Instant::now() < deadline, "no reset arrived");
        std::thread::yield_now();
    }
    let mut buf = [0u8; 64];
    let n = testkit::retry_eintr(|| c.read(&mut buf))
        .expect("the message is still readable");
    assert_eq!(&buf[..n], b"bye\n");
    let e = testkit::retry_eintr(|| c.read(&mut buf))
        .expect_err("then the reset is reported");
    assert_eq!(e.kind(), ErrorKind::ConnectionReset);
}

/// The same close after a lingering close (`say_goodbye`): the client
/// gets the message and a clean end of stream, while it still sends.
#[test]
fn a_lingering_close_ends_with_a_fin() {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let mut c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let (s, _) = l.accept().unwrap();
    c.write_all(b"0123456789").unwrap();
    let server = std::thread::spawn(move || {
        concurrent_tcp::say_goodbye(&s, "bye\n", concurrent_tcp::DRAIN_TIME)
            .unwrap();
    });
    c.write_all(b"more bytes the server will never use")
        .unwrap();
    c.shutdown(std::net::Shutdown::Write).unwrap();
    let mut all = Vec::new();
    c.read_to_end(&mut all)
        .expect("an end of stream, not a reset");
    assert_eq!(all, b"bye\n");
    server.join().unwrap();
}
