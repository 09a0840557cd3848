//! Following the segments of one port's conversations: relative
//! sequence numbers, scaled windows, who is client and who is server,
//! what each segment does, and whether the connection has ended.
//!
//! Everything here reads numbers that anyone who can send a packet to
//! the port chooses, so all sequence arithmetic is modulo 2^32, as TCP
//! itself does it (RFC 9293, section 3.4): `wrapping_add`,
//! `wrapping_sub`, and comparisons by [`seq_lt`]. No segment, however
//! crafted, can make it panic or print a number it did not compute.

use crate::Segment;
use pnet::packet::tcp::TcpFlags;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

/// The widest line of [`Conversation::explain`]: what fits in 80
/// columns after handshake-watch's indent of 6.
pub const EXPLAIN_WIDTH: usize = 74;

/// Is sequence number `a` before `b`? RFC 9293 compares sequence
/// numbers modulo 2^32: `a` is before `b` when going forward from `a`
/// reaches `b` in less than half the circle, that is when `a - b`,
/// wrapped to 32 bits and read as signed, is negative. This holds
/// because a window is at most 1 GiB (a scale of 14, RFC 7323 section
/// 2.3), far less than half the 2^32 circle.
///
/// Examples: the unit test `seq_lt_examples` below.
pub fn seq_lt(a: u32, b: u32) -> bool {
    (a.wrapping_sub(b) as i32) < 0
}

#[test]
fn seq_lt_examples() {
    use crate::seq_lt;
    assert!(seq_lt(990, 1000));
    assert!(seq_lt(u32::MAX - 5, 10)); // 10 comes after the wrap
    assert!(!seq_lt(1000, 1000));
}

/// `a` at or before `b`, modulo 2^32.
fn seq_le(a: u32, b: u32) -> bool {
    a == b || seq_lt(a, b)
}

/// What a segment's sequence numbers were to its sender's stream when
/// it arrived, for [`Conversation::explain`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Novelty {
    /// Numbers right after everything seen before (or the first seen).
    New,
    /// All of them sent before: a retransmission.
    Resent,
    /// Some sent before, some new.
    Overlap { new_from: u32 },
    /// Past a gap: numbers between were lost, or not captured.
    Gap { missing_from: u32 },
    /// Before the sender's first number (its SYN): not of this
    /// connection.
    Stale,
}

/// Follows the segments of one port's conversations.
#[derive(Debug, Default)]
pub struct Conversation {
    /// The initial sequence number of each endpoint (its SYN's seq).
    isn: HashMap<SocketAddr, u32>,
    /// The sequence number after the last one each endpoint has used
    /// so far: what it will send next, as far as the capture shows.
    next: HashMap<SocketAddr, u32>,
    /// The window scale each endpoint announced in its SYN.
    wscale: HashMap<SocketAddr, u8>,
    /// The endpoint that sent the first SYN: the client.
    client: Option<SocketAddr>,
    /// Where each endpoint's FIN was (absolute seq).
    fin: HashMap<SocketAddr, u32>,
    /// The last segment tracked, and what it was to its sender.
    last: Option<(SocketAddr, u32, Novelty)>,
    done: bool,
}

impl Conversation {
    pub fn new() -> Conversation {
        Conversation::default()
    }

    /// Take note of a segment; call before `line` and `explain`.
    pub fn track(&mut self, s: &Segment) {
        if s.has(TcpFlags::SYN) {
            self.isn.insert(s.src, s.seq);
            self.next.remove(&s.src);
            if let Some(w) = s.wscale {
                self.wscale.insert(s.src, w);
            }
            if !s.has(TcpFlags::ACK) {
                self.client = Some(s.src);
            }
        }
        // Seen mid-stream: the first seq of a direction is its base.
        let isn = *self.isn.entry(s.src).or_insert(s.seq.wrapping_sub(1));
        let end = s.seq.wrapping_add(s.seq_len());
        let novelty = match self.next.get(&s.src).copied() {
            _ if s.seq_len() == 0 => Novelty::New,
            _ if !s.has(TcpFlags::SYN) && seq_le(end, isn.wrapping_add(1)) => {
                Novelty::Stale
            }
            None => Novelty::New,
            Some(next) if s.seq == next => Novelty::New,
            Some(next) if seq_lt(next, s.seq) => {
                Novelty::Gap { missing_from: next }
            }
            Some(next) if seq_le(end, next) => Novelty::Resent,
            Some(next) => Novelty::Overlap { new_from: next },
        };
        self.last = Some((s.src, s.seq, novelty));
        if novelty != Novelty::Stale {
            let next = self.next.entry(s.src).or_insert(end);
            if seq_lt(*next, end) {
                *next = end;
            }
        }
        if s.has(TcpFlags::FIN) {
            self.fin.insert(s.src, s.seq.wrapping_add(u32::from(s.len)));
        }
        if s.has(TcpFlags::RST) {
            self.done = true;
        }
        // The last ACK: both FINs seen, and this acknowledges the
        // FIN of the other side.
        if self.fin.len() == 2
            && s.has(TcpFlags::ACK)
            && self.fin.get(&s.dst).map(|f| f.wrapping_add(1)) == Some(s.ack)
            && self
                .fin
                .get(&s.src)
                .is_some_and(|f| s.seq.wrapping_sub(*f) == 1)
        {
            self.done = true;
        }
    }

    /// Has the connection been closed (both FINs acknowledged) or
    /// reset?
    pub fn finished(&self) -> bool {
        self.done
    }

    /// A sequence number of `from`, relative to its ISN (SYN = 0),
    /// modulo 2^32 as Wireshark shows it.
    fn rel(&self, from: SocketAddr, seq: u32) -> u32 {
        seq.wrapping_sub(self.isn.get(&from).copied().unwrap_or(seq))
    }

    /// Sequence number relative to the sender's ISN (SYN = 0).
    pub fn rel_seq(&self, s: &Segment) -> u32 {
        self.rel(s.src, s.seq)
    }

    /// Acknowledgement relative to the receiver's ISN (the absolute
    /// number while the receiver has sent nothing yet).
    pub fn rel_ack(&self, s: &Segment) -> u32 {
        s.ack
            .wrapping_sub(self.isn.get(&s.dst).copied().unwrap_or(0))
    }

    /// The window in bytes: the raw field, shifted by the sender's
    /// window scale once both sides have agreed to scaling (RFC 7323).
    /// A SYN's own window is never scaled.
    pub fn window(&self, s: &Segment) -> u32 {
        let both = self.wscale.contains_key(&s.src)
            && self.wscale.contains_key(&s.dst);
        match self.wscale.get(&s.src) {
            // RFC 7323 caps the shift at 14.
            Some(&w) if both && !s.has(TcpFlags::SYN) => {
                u32::from(s.window) << w.min(14)
            }
            _ => u32::from(s.window),
        }
    }

    /// "client" or "server"; before a SYN was seen, `unknown`.
    fn role(&self, a: SocketAddr, unknown: &'static str) -> &'static str {
        match self.client {
            Some(c) if c == a => "client",
            Some(_) => "server",
            None => unknown,
        }
    }

    /// What `s` was to its sender's stream: known when `s` is the
    /// segment tracked last.
    fn novelty(&self, s: &Segment) -> Novelty {
        match self.last {
            Some((src, seq, n)) if src == s.src && seq == s.seq => n,
            _ => Novelty::New,
        }
    }

    // ANCHOR: line
    /// One line per segment, in tshark's words.
    pub fn line(&self, n: usize, t: Duration, s: &Segment) -> String {
        let mut l = format!(
            "{n:3} {:.6} {} → {} {} Seq={}",
            t.as_secs_f64(),
            s.src,
            s.dst,
            crate::flag_names(s.flags),
            self.rel_seq(s)
        );
        if s.has(TcpFlags::ACK) {
            l.push_str(&format!(" Ack={}", self.rel_ack(s)));
        }
        l.push_str(&format!(" Win={} Len={}", self.window(s), s.len));
        // Exercise 1: show the SYN options here, as tshark does.
        // Exercise 2: then mark a retransmission: ` (retransmission)`.
        l
    }
    // ANCHOR_END: line

    // ANCHOR: explain
    /// What the segment does, with the arithmetic: a sentence in lines
    /// of at most [`EXPLAIN_WIDTH`] columns, whatever the numbers.
    pub fn explain(&self, s: &Segment) -> String {
        let who = self.role(s.src, "sender");
        let peer = self.role(s.dst, "receiver");
        let (seq, ack) = (self.rel_seq(s), self.rel_ack(s));
        let len = u32::from(s.len);
        // One past the last number used: what the peer acknowledges.
        let end = seq.wrapping_add(s.seq_len());
        let last = end.wrapping_sub(1);
        let ackf = s.has(TcpFlags::ACK);
        if s.has(TcpFlags::RST) {
            return format!(
                "the {who} resets the connection: it is gone at once, no \
                 FIN exchange"
            );
        }
        if s.has(TcpFlags::SYN) && ackf {
            return format!(
                "handshake 2/3: the {who} accepts with its own SYN \
                 (sequence {}\nshown as 0) and Ack={ack}: the {peer}'s SYN \
                 was byte 0,\nbyte 1 comes next",
                s.seq
            );
        }
        if s.has(TcpFlags::SYN) {
            return format!(
                "handshake 1/3: the {who} asks to connect; a SYN counts as \
                 one byte;\nits first sequence number is {} (shown as 0)",
                s.seq
            );
        }
        match self.novelty(s) {
            Novelty::Stale => {
                return format!(
                    "a segment from before the {who}'s first byte (sequence \
                     {}):\nan old duplicate, or forged; TCP drops it",
                    s.seq
                );
            }
            Novelty::Resent => {
                return format!(
                    "retransmission: the {who} sends again what it had sent \
                     before,\nup to byte {last}"
                );
            }
            Novelty::Gap { missing_from } => {
                let from = self.rel(s.src, missing_from);
                return format!(
                    "out of order: the {who}'s bytes from {from} on have not \
                     been seen\n(lost, or not captured); the {peer} keeps \
                     answering Ack={from}\nuntil they come"
                );
            }
            Novelty::Overlap { .. } | Novelty::New => {}
        }
        if s.has(TcpFlags::FIN) {
            let fin = seq.wrapping_add(len);
            return format!(
                "teardown: the {who} has nothing more to send (it closed its \
                 socket);\nthe FIN takes sequence number {fin} and counts as \
                 one byte"
            );
        }
        if len > 0 {
            let new = match self.novelty(s) {
                Novelty::Overlap { new_from } => {
                    format!("new from byte {} on; ", self.rel(s.src, new_from))
                }
                _ => String::new(),
            };
            return format!(
                "data: {len} bytes, the {who}'s bytes {seq} to {last};\n\
                 {new}the {peer} will answer Ack={end}"
            );
        }
        if seq == 1 && ack == 1 {
            return format!(
                "handshake 3/3: the {who} acknowledges the {peer}'s SYN:\n\
                 the connection is open: connect() returns in the client,\n\
                 accept() in the server"
            );
        }
        if let Some(&sent) = self.next.get(&s.dst)
            && ackf
            && seq_lt(sent, s.ack)
        {
            return format!(
                "Ack={ack} acknowledges bytes the {peer} has not sent:\n\
                 forged or broken; TCP answers with an ACK and drops it"
            );
        }
        if self
            .fin
            .get(&s.dst)
            .is_some_and(|f| f.wrapping_add(1) == s.ack)
        {
            return format!(
                "the {who} acknowledges the {peer}'s FIN: Ack={ack},\n\
                 the FIN's number plus one"
            );
        }
        format!(
            "acknowledgement: the {who} has everything up to byte {}\n\
             and expects byte {ack} next",
            ack.wrapping_sub(1)
        )
    }
    // ANCHOR_END: explain
}

#[cfg(test)]
mod tests;
