//! What the blog's Go programs do, measured with go/cocoserver.go and
//! go/cococlient.go (small programs written for these tests that do
//! what the post's listings do, not the listings), so that every
//! sentence of the page about Go rests on a run. Skipped with a
//! printed reason without Go; the capture needs root.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;
use testkit::{Cmd, Server, WAIT};

const SERVER: &str = env!("CARGO_BIN_EXE_handshake-server");
const WATCH: &str = env!("CARGO_BIN_EXE_handshake-watch");

fn go(name: &str) -> Option<String> {
    let bin = testkit::go_program(env!("CARGO_MANIFEST_DIR"), name)?;
    Some(bin.display().to_string())
}

/// A port that was free a moment ago, for a server to listen on: one
/// where connecting is refused ([`testkit::refused_tcp_port`]), so no
/// socket holds it any more.
fn free_port() -> u16 {
    testkit::refused_tcp_port()
}

#[test]
fn go_listen_on_colon_port_takes_every_interface_ipv4_and_ipv6() {
    let Some(server) = go("cocoserver") else {
        return;
    };
    // net.Listen("tcp", ":PORT") on Linux: one dual-stack socket on
    // [::], which IPv4 clients reach too.
    let port = free_port();
    let s = Server::start(&server, &[&port.to_string()]);
    assert_eq!(s.addr, format!("[::]:{port}"));
    for addr in [format!("127.0.0.1:{port}"), format!("[::1]:{port}")] {
        std::net::TcpStream::connect(&addr)
            .unwrap_or_else(|e| panic!("{addr}: {e}"));
    }
}

#[test]
fn go_echoes_its_whole_buffer_and_the_client_prints_it() {
    let (Some(server), Some(client)) = (go("cocoserver"), go("cococlient"))
    else {
        return;
    };
    // Go's server writes back all 15 bytes of its buffer: the 14 of
    // the message and a NUL. Go's client prints its 15-byte buffer
    // with Println: the message, a NUL, and Println's newline.
    let port = free_port().to_string();
    let s = Server::start(&server, &[&port]);
    let out = Cmd::new(&client).args([&port]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Hi, I am Coco\n\0\n");
    // Its log: `request: %s` of the whole buffer, NUL included, so the
    // next line starts right after the NUL.
    let closed = "\0connection closed by client: 127.0.0.1:";
    assert!(
        s.wait_output(|l| l.iter().any(|l| l.starts_with(closed)), WAIT),
        "{:?}",
        s.stdout()
    );
    assert!(s.stdout().contains(&"request: Hi, I am Coco".to_string()));
}

#[test]
fn go_client_against_our_server_still_prints_a_nul() {
    let Some(client) = go("cococlient") else {
        return;
    };
    // Dial(":PORT") reaches a server on 127.0.0.1 (Go dials the local
    // system). Our server sends back 14 bytes; the client's 15-byte
    // buffer still ends with a zero byte, which it prints.
    let port = free_port().to_string();
    let _s = Server::start(SERVER, &[&port]);
    let out = Cmd::new(&client).args([&port]).run();
    out.expect_code(0);
    assert_eq!(out.stdout, "Hi, I am Coco\n\0\n");
}

#[test]
fn go_log_fatalf_prints_date_and_time_first() {
    let Some(client) = go("cococlient") else {
        return;
    };
    let port = free_port().to_string();
    let out = Cmd::new(&client).args([&port]).run();
    out.expect_code(1);
    // log's standard flags: "2009/11/10 23:00:00 " (LstdFlags), then
    // the message; the error names the dialled ":PORT".
    let line = out.stderr.trim_end();
    let (stamp, msg) = line.split_at(20.min(line.len()));
    let shape = stamp
        .chars()
        .map(|c| if c.is_ascii_digit() { '9' } else { c })
        .collect::<String>();
    assert_eq!(shape, "9999/99/99 99:99:99 ", "{line}");
    assert_eq!(
        msg,
        format!(
            "couldn't connect to the server: dial tcp :{port}: connect: \
             connection refused"
        )
    );
}

#[test]
fn the_blogs_capture_has_len_14_one_way_and_15_the_other() {
    let (Some(server), Some(client)) = (go("cocoserver"), go("cococlient"))
    else {
        return;
    };
    if !testkit::need_root("capturing on lo needs CAP_NET_RAW") {
        return;
    }
    let port = free_port().to_string();
    let _s = Server::start(&server, &[&port]);
    let out = Cmd::new(WATCH)
        .args(["--port", &port, "--", &client, &port])
        .timeout(Duration::from_secs(20))
        .run();
    out.expect_code(0);
    let to_server = format!("→ 127.0.0.1:{port} ");
    // Each segment is printed in two lines; join them.
    let lines: Vec<&str> = out.stdout.lines().collect();
    let segments: Vec<String> = lines
        .windows(2)
        .filter(|w| w[0].contains(" → "))
        .map(|w| format!("{} {}", w[0], w[1].trim_start()))
        .collect();
    let data: Vec<&String> = segments
        .iter()
        .filter(|l| l.contains("[PSH, ACK]"))
        .collect();
    assert_eq!(data.len(), 2, "{}", out.stdout);
    assert!(data[0].contains(&to_server) && data[0].ends_with("Len=14"));
    assert!(!data[1].contains(&to_server) && data[1].ends_with("Len=15"));
    // The client's FIN follows its 14 bytes and acknowledges 15.
    assert!(
        segments.iter().any(|l| l.contains(&to_server)
            && l.contains("[FIN, ACK] Seq=15 Ack=16 ")),
        "{}",
        out.stdout
    );
}
