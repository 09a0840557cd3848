//! The Go servers of scripts/bench (go/*.go) build, print `listening
//! on ADDR`, and serve as the book's programs do; loadgen drives each.
//! Without Go these tests say they were skipped (and fail under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{Read, Write};
use std::net::{Shutdown, TcpStream, UdpSocket};
use testkit::{Cmd, LineClient, Server, WAIT};

const LOADGEN: &str = env!("CARGO_BIN_EXE_loadgen");

fn go_server(name: &str) -> Option<Server> {
    let bin = testkit::go_program(env!("CARGO_MANIFEST_DIR"), name)?;
    Some(Server::start(bin.to_str().unwrap(), &[]))
}

/// loadgen against the server: no errors, some requests.
fn load(s: &Server, mode: &str, size: &str) {
    let args = [mode, &s.addr, "--conns", "2", "--size", size];
    let out = Cmd::new(LOADGEN)
        .args(args)
        .args(["--duration", "0.1"])
        .run();
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.stdout.contains(" errors=0"), "{}", out.stdout);
}

#[test]
fn threaded_echo_sends_back_every_byte() {
    let Some(s) = go_server("threaded_echo") else {
        return;
    };
    let mut c = TcpStream::connect_timeout(&s.socket_addr(), WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let msg: Vec<u8> = (0..=255u8).cycle().take(2000).collect();
    c.write_all(&msg).unwrap();
    c.shutdown(Shutdown::Write).unwrap();
    let mut back = Vec::new();
    c.read_to_end(&mut back).unwrap();
    assert_eq!(back, msg);
    load(&s, "echo", "512");
}

/// concTCP's per-line bufio.Reader, kept in the bench server: two
/// lines in one segment, and the second is lost with the first reader.
#[test]
fn conc_tcp_echoes_lines_and_loses_the_second_of_two_in_one_segment() {
    let Some(s) = go_server("conc_tcp") else {
        return;
    };
    let mut c = LineClient::connect(s.socket_addr());
    assert_eq!(c.ask("one line\n"), "one line\n");
    assert!(s.wait_line(|l| l == "-> one line", WAIT).is_some());
    c.send(b"first\nsecond\n");
    assert_eq!(c.line(), "first\n");
    // The second line went with the reader that read it; the server
    // now waits for a line that never comes. One more is answered.
    assert_eq!(c.ask("third\n"), "third\n");
    assert!(
        !s.stdout().iter().any(|l| l == "-> second"),
        "{:?}",
        s.stdout()
    );
    load(&s, "line", "512");
}

#[test]
fn daytime_sends_the_time_and_closes() {
    let Some(s) = go_server("daytime") else {
        return;
    };
    let mut c = TcpStream::connect_timeout(&s.socket_addr(), WAIT).unwrap();
    c.set_read_timeout(Some(WAIT)).unwrap();
    let mut text = String::new();
    c.read_to_string(&mut text).unwrap();
    // time.Now().String(): "2006-01-02 15:04:05.999999999 -0700 MST ..."
    assert!(text.len() > 20 && text.as_bytes()[4] == b'-', "{text:?}");
    load(&s, "connect", "1");
}

#[test]
fn udp_daytime_answers_each_datagram() {
    let Some(s) = go_server("udp_daytime") else {
        return;
    };
    let u = UdpSocket::bind("127.0.0.1:0").unwrap();
    u.set_read_timeout(Some(WAIT)).unwrap();
    u.connect(s.socket_addr()).unwrap();
    u.send(b"what time is it?").unwrap();
    let mut buf = [0u8; 512];
    let n = testkit::retry_eintr(|| u.recv(&mut buf)).unwrap();
    assert!(n > 20 && buf[4] == b'-', "{:?}", &buf[..n]);
    load(&s, "udp", "16");
}
