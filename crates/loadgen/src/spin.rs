//! `--spin`: one OS thread per connection that never sleeps. Each
//! socket is non-blocking and the thread retries a read that would
//! block at once, instead of asking the kernel to wake it later.
//!
//! Why: at one connection, a request and its reply take a few
//! microseconds, but a thread that sleeps between them must be woken
//! for every reply, and on a virtual machine waking a virtual CPU that
//! has gone idle goes through the hypervisor. Spinning keeps the
//! generator's side awake, so that the figure is meant to measure the
//! server rather than the generator's wake-up (the page's wakeup table
//! shows whether it does, on the machine of that run; the cost of one
//! wake-up was not measured apart). Go's scheduler also lets an idle
//! thread look for work a while before it parks ("spinning", Go's
//! runtime/proc.go). It burns a core per connection: use it only with
//! a few connections (at most 4).

use crate::{IO_TIMEOUT, Opts, Stats, UDP_TIMEOUT};
use anyhow::{Context, Result};
use std::io::{ErrorKind, Read, Write};
use std::net::{TcpStream, UdpSocket};
use std::thread;
use std::time::Instant;

pub fn drive(o: &Opts) -> Result<Stats> {
    let t0 = Instant::now();
    let workers: Vec<_> = (0..o.conns)
        .map(|_| {
            let o = o.clone();
            thread::Builder::new().spawn(move || worker(&o))
        })
        .collect();
    let mut total = Stats::default();
    for w in workers {
        match w.map(|w| w.join()) {
            Ok(Ok(Ok(s))) => total.merge(s),
            Ok(Ok(Err(e))) => total.note_error(format!("{e:#}")),
            Ok(Err(_)) => total.errors += 1,
            Err(e) => total.note_error(format!("cannot start a thread: {e}")),
        }
    }
    total.elapsed = t0.elapsed();
    Ok(total)
}

fn worker(o: &Opts) -> Result<Stats> {
    let mut st = Stats::default();
    if o.mode == "udp" {
        let s = UdpSocket::bind(if o.addr.is_ipv4() {
            "127.0.0.1:0"
        } else {
            "[::1]:0"
        })
        .context("binding a UDP socket")?;
        s.connect(o.addr).context("connecting the UDP socket")?;
        s.set_nonblocking(true)?;
        let msg = vec![b'x'; o.size];
        let mut buf = vec![0u8; 65536];
        let deadline = Instant::now() + o.duration;
        while Instant::now() < deadline {
            let t = Instant::now();
            s.send(&msg).context("send")?;
            loop {
                match s.recv(&mut buf) {
                    Ok(n) => break st.record(t.elapsed(), n),
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        if t.elapsed() > UDP_TIMEOUT {
                            st.lost += 1;
                            break;
                        }
                    }
                    Err(e) => return Err(e).context("recv"),
                }
            }
        }
        return Ok(st);
    }
    let mut s =
        TcpStream::connect_timeout(&o.addr, IO_TIMEOUT).context("connect")?;
    s.set_nodelay(true)?;
    s.set_nonblocking(true)?;
    let mut msg = vec![b'x'; o.size];
    if o.mode == "line" {
        msg[o.size - 1] = b'\n';
    }
    let mut buf = vec![0u8; o.size];
    let deadline = Instant::now() + o.duration;
    while Instant::now() < deadline {
        let t = Instant::now();
        write_all(&mut s, &msg, t)?;
        read_exact(&mut s, &mut buf, t)?;
        if buf != msg {
            anyhow::bail!("reply differs from the request");
        }
        st.record(t.elapsed(), o.size);
    }
    Ok(st)
}

fn write_all(s: &mut TcpStream, mut b: &[u8], t: Instant) -> Result<()> {
    while !b.is_empty() {
        match s.write(b) {
            Ok(n) => b = &b[n..],
            Err(e)
                if e.kind() == ErrorKind::WouldBlock
                    && t.elapsed() < IO_TIMEOUT => {}
            Err(e) => return Err(e).context("round trip: write"),
        }
    }
    Ok(())
}

fn read_exact(s: &mut TcpStream, b: &mut [u8], t: Instant) -> Result<()> {
    let mut got = 0;
    while got < b.len() {
        match s.read(&mut b[got..]) {
            Ok(0) => {
                anyhow::bail!("round trip: the server closed the connection")
            }
            Ok(n) => got += n,
            Err(e)
                if e.kind() == ErrorKind::WouldBlock
                    && t.elapsed() < IO_TIMEOUT => {}
            Err(e) => return Err(e).context("round trip: read"),
        }
    }
    Ok(())
}
