//! Check for exercise 2 of docs/src/tcp-handshake.md: a segment whose
//! sequence numbers its sender has sent before (a SYN again, data
//! again) ends its line with ` (retransmission)`, as Wireshark marks
//! it `[TCP Retransmission]`; nothing else does.
//! Run it with `scripts/exercise tcp-handshake 2`.
//!
//! The last part captures a real retransmission on `lo`, so it needs
//! what handshake-watch needs: root, or CAP_NET_RAW on the binary the
//! check builds. Without either it says NOT CHECKED (never a pass).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::net::{SocketAddr, TcpStream};
use std::time::Duration;
use tcp_handshake::{Conversation, Segment};
use testkit::{Cmd, Server, WAIT};

const WATCH: &str = env!("CARGO_BIN_EXE_handshake-watch");

const SYN: u8 = 0x02;
const ACK: u8 = 0x10;
const PSH_ACK: u8 = 0x18;
const FIN_ACK: u8 = 0x11;
const SYN_ACK: u8 = 0x12;

const CLIENT_ISN: u32 = 1000;
const SERVER_ISN: u32 = 5000;

fn client() -> SocketAddr {
    "127.0.0.1:40000".parse().unwrap()
}

fn server() -> SocketAddr {
    "127.0.0.1:9000".parse().unwrap()
}

/// A segment from the client (`to_server`) or from the server.
fn seg(to_server: bool, flags: u8, seq: u32, ack: u32, len: u16) -> Segment {
    let (src, dst) = if to_server {
        (client(), server())
    } else {
        (server(), client())
    };
    Segment {
        src,
        dst,
        seq,
        ack,
        flags,
        window: 512,
        len,
        mss: None,
        wscale: None,
    }
}

/// The line of each segment, in order, through one Conversation, as
/// handshake-watch makes them.
fn lines(segments: &[Segment]) -> Vec<String> {
    let mut c = Conversation::new();
    segments
        .iter()
        .enumerate()
        .map(|(i, s)| {
            c.track(s);
            c.line(i + 1, Duration::ZERO, s)
        })
        .collect()
}

const MARK: &str = " (retransmission)";

/// The blog's conversation: handshake, 14 bytes each way, teardown.
fn conversation() -> Vec<Segment> {
    let (c, s) = (CLIENT_ISN, SERVER_ISN);
    vec![
        seg(true, SYN, c, 0, 0),
        seg(false, SYN_ACK, s, c + 1, 0),
        seg(true, ACK, c + 1, s + 1, 0),
        seg(true, PSH_ACK, c + 1, s + 1, 14),
        seg(false, ACK, s + 1, c + 15, 0),
        seg(false, PSH_ACK, s + 1, c + 15, 14),
        seg(true, ACK, c + 15, s + 15, 0),
        seg(true, FIN_ACK, c + 15, s + 15, 0),
        seg(false, FIN_ACK, s + 15, c + 16, 0),
        seg(true, ACK, c + 16, s + 16, 0),
    ]
}

#[test]
fn a_conversation_without_losses_has_no_retransmission() {
    for (i, l) in lines(&conversation()).iter().enumerate() {
        assert!(
            !l.contains("retransmission"),
            "hint: segment {} is new: its sequence numbers come right \
             after what its sender sent before (the first SYN is not a \
             retransmission either: when line() runs, track() has \
             already noted this segment, so compare with what came \
             before it); got {l:?}",
            i + 1
        );
    }
}

#[test]
fn a_syn_sent_again_is_a_retransmission() {
    let syn = seg(true, SYN, CLIENT_ISN, 0, 0);
    let l = lines(&[syn.clone(), syn.clone(), syn]);
    assert!(
        !l[0].ends_with(MARK),
        "hint: the first SYN is not a retransmission; got {:?}",
        l[0]
    );
    for (i, line) in l.iter().enumerate().skip(1) {
        assert!(
            line.ends_with("[SYN] Seq=0 Win=512 Len=0 (retransmission)"),
            "hint: a SYN sent again has the Seq of its sender's SYN before \
             it: end its line with ` (retransmission)` (track() forgets \
             the old numbers on a SYN: look before it does); segment {} \
             got {line:?}",
            i + 1
        );
    }
}

#[test]
fn a_syn_ack_sent_again_is_a_retransmission() {
    let c = conversation();
    let l = lines(&[c[0].clone(), c[1].clone(), c[1].clone()]);
    assert!(
        !l[1].ends_with(MARK) && l[2].ends_with(MARK),
        "hint: the server's SYN-ACK sent again is a SYN sent again too; \
         got {l:?}"
    );
}

#[test]
fn data_sent_again_is_a_retransmission() {
    let mut c = conversation();
    // The client's 14 bytes again, before the server's ACK.
    c.insert(4, c[3].clone());
    let l = lines(&c[..6]);
    assert!(
        !l[3].ends_with(MARK),
        "hint: the first copy of the data is new; got {:?}",
        l[3]
    );
    assert!(
        l[4].ends_with("Seq=1 Ack=1 Win=512 Len=14 (retransmission)"),
        "hint: data whose bytes were all sent before is a retransmission \
         (track() already works that out for explain()); got {:?}",
        l[4]
    );
}

#[test]
fn a_repeated_ack_is_not_a_retransmission() {
    let c = conversation();
    // The client acknowledges the server's data three times: a
    // duplicate ACK carries no new numbers, but no old ones either.
    let again = [c[6].clone(), c[6].clone()];
    let l = lines(&[&c[..7], &again[..]].concat());
    for line in &l[6..] {
        assert!(
            !line.contains("retransmission"),
            "hint: an ACK without data uses no sequence numbers, so it \
             repeats none: a duplicate ACK is not a retransmission; got \
             {line:?}"
        );
    }
}

/// Can this machine's handshake-watch capture? Root can; so can a
/// user when the binary has CAP_NET_RAW. Otherwise: NOT CHECKED.
fn need_capture() {
    let out = Cmd::new(WATCH)
        .args(["--port", "9", "--duration", "0.1"])
        .run();
    if out.code == Some(0) {
        return;
    }
    if out.stderr.contains("needs CAP_NET_RAW") {
        panic!(
            "NOT CHECKED: the capture of a real retransmission needs root \
             or CAP_NET_RAW: run the check as root (setup.md), or give the \
             binary the capability: sudo setcap cap_net_raw+ep {WATCH} \
             (then check again; cargo writes a new binary without it after \
             each edit, so set it again then)"
        );
    }
    panic!(
        "hint: `handshake-watch --port 9 --duration 0.1` must still work \
         before this check can go on\n{}",
        out.describe()
    );
}

#[test]
fn a_real_syn_retransmission_on_lo_is_marked() {
    need_capture();
    // A listener with room for one connection in its accept queue
    // (listen(0)), and a first client that fills it: Linux drops the
    // next SYN while the queue is full, and the client's TCP sends it
    // again a second later.
    use socket2::{Domain, Socket, Type};
    let l = Socket::new(Domain::IPV4, Type::STREAM, None).unwrap();
    let any: SocketAddr = "127.0.0.1:0".parse().unwrap();
    l.bind(&any.into()).unwrap();
    l.listen(0).unwrap();
    let addr = l.local_addr().unwrap().as_socket().unwrap();
    let _first = TcpStream::connect(addr).unwrap();
    let port = addr.port().to_string();
    let mut w = Server::start(WATCH, &["--port", &port, "--count", "2"]);
    // Fails after 2.5 s: the SYNs go unanswered.
    let second = TcpStream::connect_timeout(&addr, Duration::from_millis(2500));
    assert!(second.is_err(), "the accept queue was not full");
    w.wait_exit(WAIT)
        .expect("handshake-watch stops after 2 segments");
    let out = w.stdout();
    // Each segment is two lines; the second ends with Len=...
    let seg: Vec<&String> = out.iter().filter(|l| l.contains("Seq=")).collect();
    assert_eq!(seg.len(), 2, "{out:?}");
    assert!(
        !seg[0].ends_with(MARK) && seg[1].ends_with(MARK),
        "hint: the client's SYN, sent again a second later, must be \
         marked, and only that one: handshake-watch printed\n{}",
        out.join("\n")
    );
}
