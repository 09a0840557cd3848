//! How much a TCP socket's send buffer holds on this machine: the
//! figures the daytime page quotes, measured and written down.
//!
//!     cargo run -q -p daytime --example send-buffer
//!
//! It writes docs/src/figures/daytime.md (the page includes it) and
//! prints the same lines. Measured: `net.ipv4.tcp_wmem` (min, default,
//! max), SO_SNDBUF of a TCP socket not yet connected, and SO_SNDBUF of
//! both ends of a connection over loopback, once it is established.
//! Linux starts a socket at tcp_wmem's default and, when the
//! connection is established, grows the buffer from the connection's
//! segment size and congestion window (tcp_sndbuf_expand in
//! net/ipv4/tcp_input.c), up to tcp_wmem's max; loopback's large MTU
//! (65536 bytes) makes it large. Setting SO_SNDBUF by hand locks the
//! size (SOCK_SNDBUF_LOCK) and turns that growth off.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use socket2::{Domain, SockRef, Socket, Type};
use std::net::{TcpListener, TcpStream};
use std::path::Path;

fn main() {
    let wmem = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_wmem")
        .expect("read /proc/sys/net/ipv4/tcp_wmem (Linux only)");
    let wmem = wmem.split_whitespace().collect::<Vec<_>>().join(" ");
    let fresh = Socket::new(Domain::IPV4, Type::STREAM, None)
        .and_then(|s| s.send_buffer_size())
        .expect("SO_SNDBUF of a new socket");
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let client =
        TcpStream::connect(listener.local_addr().unwrap()).expect("connect");
    let (accepted, _) = listener.accept().expect("accept");
    let sndbuf = |s: &TcpStream| SockRef::from(s).send_buffer_size().unwrap();
    let figures = [
        ("tcp_wmem", wmem),
        ("unconnected", fresh.to_string()),
        ("accepted", sndbuf(&accepted).to_string()),
        ("client", sndbuf(&client).to_string()),
    ];

    let release = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let date = jiff::Timestamp::now().strftime("%Y-%m-%d");
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    let mut text = format!(
        "<!-- Written by `cargo run -q -p daytime --example send-buffer` \
         on {date}; machine: Linux {} {}, {cores} cores; build: {build}. \
         Do not edit: run the command again. -->\n",
        release.trim(),
        std::env::consts::ARCH,
    );
    for (name, value) in &figures {
        text += &format!(
            "<!-- ANCHOR: {name} -->\n{value}\n<!-- ANCHOR_END: {name} -->\n"
        );
    }
    let out = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../docs/src/figures/daytime.md");
    std::fs::create_dir_all(out.parent().unwrap()).expect("mkdir figures");
    std::fs::write(&out, &text).expect("write the figures file");
    for (name, value) in &figures {
        println!("{name}: {value}");
    }
}
