//! What the kernel does with UDP, as docs/src/udp-daytime.md says it:
//! each claim of the page's walk-through, checked on this machine
//! over loopback.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::ErrorKind;
use std::mem::MaybeUninit;
use std::net::UdpSocket;
use std::time::Duration;
use testkit::WAIT;

/// Long enough for a datagram on loopback, which arrives at once: a
/// wait for something that must not come.
const NOTHING: Duration = Duration::from_millis(300);

fn bound() -> UdpSocket {
    let s = UdpSocket::bind("127.0.0.1:0").unwrap();
    s.set_read_timeout(Some(WAIT)).unwrap();
    s
}

fn nothing_comes(s: &UdpSocket) {
    s.set_read_timeout(Some(NOTHING)).unwrap();
    let got = testkit::retry_eintr(|| s.recv_from(&mut [0u8; 64]));
    assert!(
        matches!(&got, Err(e) if e.kind() == ErrorKind::WouldBlock),
        "{got:?}"
    );
}

#[test]
fn connect_sends_nothing() {
    let server = bound();
    let client = bound();
    client.connect(server.local_addr().unwrap()).unwrap();
    nothing_comes(&server);
}

#[test]
fn a_connected_socket_hears_its_peer_only() {
    let server = bound();
    let stranger = bound();
    let client = bound();
    client.connect(server.local_addr().unwrap()).unwrap();
    let me = client.local_addr().unwrap();
    stranger.send_to(b"from a stranger", me).unwrap();
    server.send_to(b"from the peer", me).unwrap();
    let mut buf = [0u8; 64];
    let n = testkit::retry_eintr(|| client.recv(&mut buf)).unwrap();
    assert_eq!(&buf[..n], b"from the peer");
    nothing_comes(&client);
}

#[test]
fn a_datagram_longer_than_the_buffer_is_cut_without_a_word() {
    let rx = bound();
    let tx = bound();
    tx.send_to(&[b'l'; 2000], rx.local_addr().unwrap()).unwrap();
    let mut buf = [0u8; 1025];
    let (n, _) = testkit::retry_eintr(|| rx.recv_from(&mut buf)).unwrap();
    assert_eq!(n, 1025, "the buffer's size, not the datagram's");
    // The rest is gone: the next receive waits for a new datagram.
    nothing_comes(&rx);
}

#[test]
fn msg_trunc_gives_the_real_length() {
    // recv(2) with MSG_TRUNC (0x20 on Linux) returns the datagram's
    // length even when less was copied. socket2 passes the flag.
    const MSG_TRUNC: i32 = 0x20;
    let rx = bound();
    let tx = bound();
    tx.send_to(&[b'l'; 2000], rx.local_addr().unwrap()).unwrap();
    let rx = socket2::Socket::from(rx);
    let mut buf = [MaybeUninit::<u8>::uninit(); 1025];
    let n = testkit::retry_eintr(|| rx.recv_with_flags(&mut buf, MSG_TRUNC))
        .unwrap();
    assert_eq!(n, 2000);
}

#[test]
fn the_largest_udp_payload_over_ipv4_is_65507_bytes() {
    // 65,535 (IPv4's largest total length) - 20 (IP header) - 8 (UDP
    // header).
    let rx = bound();
    let tx = bound();
    let to = rx.local_addr().unwrap();
    tx.send_to(&vec![b'x'; 65_507], to).unwrap();
    let err = tx.send_to(&vec![b'x'; 65_508], to).unwrap_err();
    const EMSGSIZE: i32 = 90;
    assert_eq!(err.raw_os_error(), Some(EMSGSIZE), "{err}");
    let mut buf = vec![0u8; 70_000];
    let n = testkit::retry_eintr(|| rx.recv(&mut buf)).unwrap();
    assert_eq!(n, 65_507);
}

#[test]
fn ss_shows_a_connected_udp_socket_as_estab() {
    if !testkit::need_tool("ss", "listing sockets") {
        return;
    }
    let server = bound();
    let client = bound();
    let state = |s: &UdpSocket| {
        let port = s.local_addr().unwrap().port();
        let out = testkit::Cmd::new("ss")
            .args(["-Huan", &format!("sport = :{port}")])
            .run();
        out.stdout
            .split_whitespace()
            .next()
            .unwrap_or("")
            .to_string()
    };
    assert_eq!(state(&client), "UNCONN");
    client.connect(server.local_addr().unwrap()).unwrap();
    assert_eq!(state(&client), "ESTAB");
    assert_eq!(state(&server), "UNCONN");
}
