//! A socket read or written against a [`Deadline`]: the whole step
//! (a call to arrive, a reply to be taken) has one time limit.

use crate::deadline::Deadline;
use std::io::{self, Read, Write};
use std::net::TcpStream;

// ANCHOR: timed
/// A stream whose reads and writes must all be over by one deadline:
/// Go's `conn.SetDeadline(t)`. Before each read or write the socket's
/// timeout (SO_RCVTIMEO or SO_SNDTIMEO) is set to the time left, so a
/// peer that sends or takes one byte at a time cannot stretch the
/// step: once the deadline has passed, the next call fails with
/// `TimedOut` without touching the socket.
pub struct Timed<'a> {
    stream: &'a TcpStream,
    deadline: Deadline,
}

impl<'a> Timed<'a> {
    pub fn new(stream: &'a TcpStream, deadline: Deadline) -> Timed<'a> {
        Timed { stream, deadline }
    }
}

impl Read for Timed<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.stream.set_read_timeout(Some(self.deadline.left()?))?;
        let mut stream = self.stream;
        stream.read(buf)
    }
}

impl Write for Timed<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.stream.set_write_timeout(Some(self.deadline.left()?))?;
        let mut stream = self.stream;
        stream.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}
// ANCHOR_END: timed

/// Did a socket call time out? An expired `SO_RCVTIMEO` or
/// `SO_SNDTIMEO` (std's `set_read_timeout`, `set_write_timeout`)
/// makes the call fail with EAGAIN on Linux (socket(7)), which std
/// calls `WouldBlock`; std's docs warn that other systems may say
/// `TimedOut`, as std's `connect_timeout` does. Both count.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::net::TcpListener;
    use std::time::{Duration, Instant};

    #[test]
    fn a_dripping_peer_cannot_stretch_the_deadline() {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        let c = TcpStream::connect(l.local_addr().unwrap()).unwrap();
        let (mut s, _) = l.accept().unwrap();
        let drip = std::thread::spawn(move || {
            // A byte every 50 ms, for much longer than the deadline.
            for _ in 0..40 {
                if s.write_all(b"x").is_err() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        });
        let start = Instant::now();
        let limit = Duration::from_millis(300);
        let mut r = Timed::new(&c, Deadline::after(limit));
        let mut buf = [0u8; 1];
        let err = loop {
            if let Err(e) = r.read(&mut buf) {
                break e;
            }
        };
        assert!(is_timeout(&err), "{err:?}");
        let took = start.elapsed();
        assert!(took >= limit && took < Duration::from_secs(1), "{took:?}");
        drop(c);
        drip.join().unwrap();
    }
}
