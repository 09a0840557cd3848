//! The active modes (echo, line, connect, udp): every connection is a
//! task on a small tokio runtime (`--threads`, default 1), so that the
//! load generator itself takes as little CPU as it can from the server
//! it measures.

use crate::{IO_TIMEOUT, Opts, Stats, UDP_TIMEOUT};
use anyhow::{Context, Result};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::Barrier;
use tokio::time::timeout;

/// Run N workers for the duration on a small tokio runtime; merge
/// what they measured.
pub fn drive(o: &Opts) -> Result<Stats> {
    let rt = if o.threads == 1 {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?
    } else {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(o.threads)
            .enable_all()
            .build()?
    };
    rt.block_on(async {
        // Every worker connects first; the clock starts when all have.
        let start = Arc::new(Barrier::new(o.conns + 1));
        let mut tasks = Vec::new();
        for _ in 0..o.conns {
            let (o, start) = (o.clone(), start.clone());
            tasks.push(tokio::spawn(async move { worker(&o, &start).await }));
        }
        start.wait().await;
        let t0 = Instant::now();
        let mut total = Stats::default();
        for t in tasks {
            match t.await {
                Ok(s) => total.merge(s),
                Err(_) => total.errors += 1,
            }
        }
        total.elapsed = t0.elapsed();
        Ok(total)
    })
}

async fn worker(o: &Opts, start: &Barrier) -> Stats {
    let mut st = Stats::default();
    match o.mode.as_str() {
        "echo" | "line" => {
            match timeout(IO_TIMEOUT, TcpStream::connect(o.addr)).await {
                Ok(Ok(s)) => {
                    start.wait().await;
                    round_trips(o, s, &mut st).await;
                }
                Ok(Err(e)) => {
                    start.wait().await;
                    st.note_error(format!("connect: {e}"));
                }
                Err(_) => {
                    start.wait().await;
                    st.note_error("connect: timed out".into());
                }
            }
        }
        "connect" => {
            start.wait().await;
            connects(o, &mut st).await;
        }
        _ => {
            let sock = udp_socket(o.addr).await;
            start.wait().await;
            match sock {
                Ok(s) => datagrams(o, &s, &mut st).await,
                Err(e) => st.note_error(format!("udp socket: {e:#}")),
            }
        }
    }
    st
}

/// echo/line: write a message, read the same number of bytes back.
async fn round_trips(o: &Opts, mut s: TcpStream, st: &mut Stats) {
    // Small messages must not wait for Nagle's algorithm.
    let _ = s.set_nodelay(true);
    let mut msg = vec![b'x'; o.size];
    if o.mode == "line" {
        msg[o.size - 1] = b'\n';
    }
    let mut buf = vec![0u8; o.size];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        let r = timeout(IO_TIMEOUT, async {
            s.write_all(&msg).await?;
            s.read_exact(&mut buf).await
        })
        .await;
        match r {
            Ok(Ok(_)) if buf == msg => st.record(t.elapsed(), o.size),
            Ok(Ok(_)) => {
                return st.note_error("reply differs from the request".into());
            }
            Ok(Err(e)) => return st.note_error(format!("round trip: {e}")),
            Err(_) => {
                return st.note_error("round trip: no reply within 5 s".into());
            }
        }
    }
}

/// connect: connect, read to EOF, close; as many times as possible.
async fn connects(o: &Opts, st: &mut Stats) {
    let deadline = Instant::now() + o.duration;
    let mut buf = Vec::with_capacity(256);
    while Instant::now() < deadline {
        let t = Instant::now();
        buf.clear();
        let r = timeout(IO_TIMEOUT, async {
            let mut s = TcpStream::connect(o.addr).await?;
            s.read_to_end(&mut buf).await
        })
        .await;
        match r {
            Ok(Ok(n)) if n > 0 => st.record(t.elapsed(), n),
            Ok(Ok(_)) => st.note_error("connection closed with no data".into()),
            Ok(Err(e)) => st.note_error(format!("connect/read: {e}")),
            Err(_) => st.note_error("connect/read: timed out".into()),
        }
        if st.errors > 100 {
            return;
        }
    }
}

async fn udp_socket(addr: SocketAddr) -> Result<UdpSocket> {
    let local: SocketAddr = if addr.is_ipv4() {
        "127.0.0.1:0".parse()?
    } else {
        "[::1]:0".parse()?
    };
    let s = UdpSocket::bind(local)
        .await
        .context("binding a UDP socket")?;
    s.connect(addr).await.context("connecting the UDP socket")?;
    Ok(s)
}

/// udp: send a datagram, wait for one back; a timeout is a loss.
async fn datagrams(o: &Opts, s: &UdpSocket, st: &mut Stats) {
    let msg = vec![b'x'; o.size];
    let mut buf = vec![0u8; 65536];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        if let Err(e) = s.send(&msg).await {
            return st.note_error(format!("send: {e}"));
        }
        match timeout(UDP_TIMEOUT, s.recv(&mut buf)).await {
            Ok(Ok(n)) => st.record(t.elapsed(), n),
            Ok(Err(e)) => return st.note_error(format!("recv: {e}")),
            Err(_) => st.lost += 1,
        }
    }
}
