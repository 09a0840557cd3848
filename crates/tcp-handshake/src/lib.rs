//! Decoding and following one TCP conversation, for `handshake-watch`,
//! and what the blog's server and client share.
//!
//! A frame captured on the loopback interface, or on a lab host's
//! veth, is an Ethernet header (all-zero addresses on `lo`), an IPv4
//! or IPv6 header and a TCP segment. [`parse_frame`] pulls out what
//! tshark shows of a segment; [`Conversation`] turns absolute sequence
//! numbers into the relative ones Wireshark prints (0 for the SYN) and
//! says what each segment does; [`Dedup`] drops the second copy of
//! each frame that a packet socket sees on `lo` (and only there);
//! [`pcap`] writes a file tcpdump and Wireshark open; [`filter`] is the
//! kernel-side filter of the capture.

pub mod cli;
mod conversation;
pub mod filter;
pub mod listen;
mod segment;

pub use conversation::{Conversation, EXPLAIN_WIDTH, seq_lt};
pub use segment::{Segment, TCP_HEADER_LEN, flag_names, parse_frame};

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Bytes from the network as text for a terminal: invalid UTF-8 as
/// U+FFFD, and control characters other than newline and tab as `?`,
/// so that a peer cannot send escape sequences to our terminal (ESC [
/// 2 J would clear it).
///
/// Examples: the unit test `printable_examples` below.
pub fn printable(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                '?'
            } else {
                c
            }
        })
        .collect()
}

#[test]
fn printable_examples() {
    assert_eq!(printable(b"hi\x1b[2J\n"), "hi?[2J\n");
}

/// On `lo` a packet socket sees every frame twice: once as it is
/// sent (the kernel's "outgoing" copy) and once as it is received.
/// libpcap drops the outgoing copy using a field pnet does not show
/// (the packet type in the socket address, `PACKET_OUTGOING` in
/// packet(7)), so this drops a frame identical to one seen in the last
/// moments instead. On any other interface each frame is seen once,
/// and two identical frames are two packets: handshake-watch uses
/// this on loopback interfaces only.
#[derive(Debug, Default)]
pub struct Dedup {
    recent: VecDeque<(Instant, Vec<u8>)>,
}

impl Dedup {
    /// How long a copy may lag behind the original.
    const WINDOW: Duration = Duration::from_millis(50);
    /// How many recent frames are remembered: the memory is bounded
    /// however fast frames arrive.
    const KEEP: usize = 64;

    /// True the first time a frame is seen, false for its copy.
    pub fn first_time(&mut self, now: Instant, frame: &[u8]) -> bool {
        while self.recent.front().is_some_and(|(t, _)| {
            now.saturating_duration_since(*t) > Self::WINDOW
        }) {
            self.recent.pop_front();
        }
        if let Some(i) = self.recent.iter().position(|(_, f)| f == frame) {
            // Each original has exactly one copy: forget it now.
            self.recent.remove(i);
            return false;
        }
        self.recent.push_back((now, frame.to_vec()));
        if self.recent.len() > Self::KEEP {
            self.recent.pop_front();
        }
        true
    }
}

/// The classic pcap file format (what `tcpdump -w` writes): a 24-byte
/// file header, then per frame a 16-byte record header and the bytes.
/// All fields little-endian here; the magic number tells readers so.
pub mod pcap {
    use std::time::{SystemTime, UNIX_EPOCH};

    /// Link type 1: Ethernet, which is what `lo` frames look like.
    pub const LINKTYPE_ETHERNET: u32 = 1;

    /// The file header.
    pub fn header(snaplen: u32) -> Vec<u8> {
        let mut h = Vec::with_capacity(24);
        // The magic number of a file with microsecond timestamps.
        h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
        h.extend_from_slice(&2u16.to_le_bytes()); // version 2.4
        h.extend_from_slice(&4u16.to_le_bytes());
        h.extend_from_slice(&0i32.to_le_bytes()); // time zone: UTC
        h.extend_from_slice(&0u32.to_le_bytes()); // timestamp accuracy
        h.extend_from_slice(&snaplen.to_le_bytes());
        h.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
        h
    }

    /// One frame's record: timestamp, captured and original length.
    pub fn record(when: SystemTime, frame: &[u8]) -> Vec<u8> {
        let t = when.duration_since(UNIX_EPOCH).unwrap_or_default();
        let len = u32::try_from(frame.len()).unwrap_or(u32::MAX);
        let mut r = Vec::with_capacity(16 + frame.len());
        // Seconds in 32 bits: the format's own limit (year 2106).
        r.extend_from_slice(&(t.as_secs() as u32).to_le_bytes());
        r.extend_from_slice(&t.subsec_micros().to_le_bytes());
        r.extend_from_slice(&len.to_le_bytes()); // bytes in the file
        r.extend_from_slice(&len.to_le_bytes()); // bytes on the wire
        r.extend_from_slice(frame);
        r
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    #[test]
    fn dedup_drops_exactly_one_copy() {
        let mut d = Dedup::default();
        let t = Instant::now();
        assert!(d.first_time(t, b"abc"));
        assert!(!d.first_time(t, b"abc"));
        assert!(d.first_time(t, b"abc")); // a third: a new frame
        assert!(d.first_time(t + Duration::from_secs(1), b"xyz"));
    }

    #[test]
    fn pcap_header_is_24_bytes_and_records_16_plus_data() {
        assert_eq!(pcap::header(65535).len(), 24);
        assert_eq!(
            pcap::record(std::time::SystemTime::now(), b"12345").len(),
            21
        );
    }
}
