//! Decoding and following one TCP conversation, for `handshake-watch`.
//!
//! A frame captured on the loopback interface is an Ethernet header
//! (all-zero addresses on `lo`), an IPv4 or IPv6 header and a TCP
//! segment. [`parse_frame`] pulls out what tshark shows of a segment;
//! [`Conversation`] turns absolute sequence numbers into the relative
//! ones Wireshark prints (0 for the SYN) and says what each segment
//! does; [`Dedup`] drops the second copy of each frame that a packet
//! socket sees on `lo`; [`pcap`] writes a file tcpdump and Wireshark
//! open.

pub mod cli;

use pnet::packet::Packet;
use pnet::packet::ethernet::{EtherTypes, EthernetPacket};
use pnet::packet::ip::IpNextHeaderProtocols;
use pnet::packet::ipv4::Ipv4Packet;
use pnet::packet::ipv6::Ipv6Packet;
use pnet::packet::tcp::{TcpFlags, TcpOptionNumbers, TcpPacket};
use std::collections::{HashMap, VecDeque};
use std::net::{IpAddr, SocketAddr};
use std::time::{Duration, Instant};

/// What one TCP segment says, as tshark shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub src: SocketAddr,
    pub dst: SocketAddr,
    /// Absolute sequence number: the number of the first byte carried
    /// (or of the SYN/FIN, which count as one byte each).
    pub seq: u32,
    /// Absolute acknowledgement number: the next byte the sender
    /// expects from its peer. Meaningful only with the ACK flag.
    pub ack: u32,
    /// The flag bits (FIN = 0x01, SYN = 0x02, RST = 0x04, PSH = 0x08,
    /// ACK = 0x10, ...).
    pub flags: u8,
    /// The raw 16-bit window field.
    pub window: u16,
    /// Bytes of payload (the segment's data, not its headers).
    pub len: usize,
    /// The maximum segment size option, sent only with SYN.
    pub mss: Option<u16>,
    /// The window scale option, sent only with SYN.
    pub wscale: Option<u8>,
}

impl Segment {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }
}

// ANCHOR: parse
/// Decode an Ethernet frame down to its TCP segment. Anything else
/// (ARP, UDP, ICMP, a truncated header) gives `None`, never a panic:
/// pnet's packet views check each length before they read a field.
pub fn parse_frame(frame: &[u8]) -> Option<Segment> {
    let eth = EthernetPacket::new(frame)?;
    match eth.get_ethertype() {
        EtherTypes::Ipv4 => {
            let ip = Ipv4Packet::new(eth.payload())?;
            if ip.get_next_level_protocol() != IpNextHeaderProtocols::Tcp {
                return None;
            }
            // The IP header says how long the packet really is; the
            // frame may carry padding after it on some links.
            let ihl = usize::from(ip.get_header_length()) * 4;
            let total = usize::from(ip.get_total_length());
            let tcp_bytes = ip.packet().get(ihl..total)?;
            let (s, d) = (
                IpAddr::V4(ip.get_source()),
                IpAddr::V4(ip.get_destination()),
            );
            segment(s, d, tcp_bytes)
        }
        EtherTypes::Ipv6 => {
            let ip = Ipv6Packet::new(eth.payload())?;
            // Extension headers are left out: loopback TCP has none.
            if ip.get_next_header() != IpNextHeaderProtocols::Tcp {
                return None;
            }
            let len = usize::from(ip.get_payload_length());
            let tcp_bytes = ip.payload().get(..len)?;
            let (s, d) = (
                IpAddr::V6(ip.get_source()),
                IpAddr::V6(ip.get_destination()),
            );
            segment(s, d, tcp_bytes)
        }
        _ => None,
    }
}

fn segment(src: IpAddr, dst: IpAddr, bytes: &[u8]) -> Option<Segment> {
    let tcp = TcpPacket::new(bytes)?;
    // Data offset: the TCP header length in 32-bit words (5 to 15).
    let header = usize::from(tcp.get_data_offset()) * 4;
    if header < 20 || header > bytes.len() {
        return None;
    }
    let mut seg = Segment {
        src: SocketAddr::new(src, tcp.get_source()),
        dst: SocketAddr::new(dst, tcp.get_destination()),
        seq: tcp.get_sequence(),
        ack: tcp.get_acknowledgement(),
        flags: tcp.get_flags(),
        window: tcp.get_window(),
        len: bytes.len() - header,
        mss: None,
        wscale: None,
    };
    for opt in tcp.get_options_iter() {
        let data = opt.payload();
        match opt.get_number() {
            TcpOptionNumbers::MSS if data.len() == 2 => {
                seg.mss = Some(u16::from_be_bytes([data[0], data[1]]));
            }
            TcpOptionNumbers::WSCALE if data.len() == 1 => {
                seg.wscale = Some(data[0])
            }
            _ => {}
        }
    }
    Some(seg)
}
// ANCHOR_END: parse

/// The flags as Wireshark lists them: `[SYN, ACK]`, `[PSH, ACK]`, ...
///
/// ```
/// use tcp_handshake::flag_names;
/// assert_eq!(flag_names(0x12), "[SYN, ACK]");
/// assert_eq!(flag_names(0x18), "[PSH, ACK]");
/// assert_eq!(flag_names(0x11), "[FIN, ACK]");
/// assert_eq!(flag_names(0x00), "[<None>]");
/// ```
pub fn flag_names(flags: u8) -> String {
    let names = [
        (TcpFlags::FIN, "FIN"),
        (TcpFlags::SYN, "SYN"),
        (TcpFlags::RST, "RST"),
        (TcpFlags::PSH, "PSH"),
        (TcpFlags::ACK, "ACK"),
        (TcpFlags::URG, "URG"),
        (TcpFlags::ECE, "ECE"),
        (TcpFlags::CWR, "CWR"),
    ];
    let set: Vec<&str> = names
        .iter()
        .filter(|(bit, _)| flags & bit != 0)
        .map(|(_, n)| *n)
        .collect();
    if set.is_empty() {
        "[<None>]".to_string()
    } else {
        format!("[{}]", set.join(", "))
    }
}

/// Follows the segments of one port's conversations: relative
/// sequence numbers, scaled windows, who is client and who is
/// server, and whether the connection has ended.
#[derive(Debug, Default)]
pub struct Conversation {
    /// The initial sequence number of each endpoint (its SYN's seq).
    isn: HashMap<SocketAddr, u32>,
    /// The window scale each endpoint announced in its SYN.
    wscale: HashMap<SocketAddr, u8>,
    /// The endpoint that sent the first SYN: the client.
    client: Option<SocketAddr>,
    /// Where each endpoint's FIN was (absolute seq).
    fin: HashMap<SocketAddr, u32>,
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
            if let Some(w) = s.wscale {
                self.wscale.insert(s.src, w);
            }
            if !s.has(TcpFlags::ACK) {
                self.client = Some(s.src);
            }
        }
        // Seen mid-stream: the first seq of a direction is its base.
        self.isn.entry(s.src).or_insert(s.seq.wrapping_sub(1));
        if s.has(TcpFlags::FIN) {
            self.fin.insert(s.src, s.seq.wrapping_add(s.len as u32));
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

    /// Sequence number relative to the sender's ISN (SYN = 0).
    pub fn rel_seq(&self, s: &Segment) -> u32 {
        s.seq
            .wrapping_sub(self.isn.get(&s.src).copied().unwrap_or(s.seq))
    }

    /// Acknowledgement relative to the receiver's ISN.
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
            Some(&w) if both && !s.has(TcpFlags::SYN) => {
                u32::from(s.window) << w.min(14)
            }
            _ => u32::from(s.window),
        }
    }

    fn role(&self, a: SocketAddr) -> &'static str {
        match self.client {
            Some(c) if c == a => "client",
            Some(_) => "server",
            None => "sender",
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
            flag_names(s.flags),
            self.rel_seq(s)
        );
        if s.has(TcpFlags::ACK) {
            l.push_str(&format!(" Ack={}", self.rel_ack(s)));
        }
        l.push_str(&format!(" Win={} Len={}", self.window(s), s.len));
        // Exercise 1: show the SYN options here, as tshark does.
        l
    }
    // ANCHOR_END: line

    // ANCHOR: explain
    /// What the segment does, in a sentence, with the arithmetic.
    pub fn explain(&self, s: &Segment) -> String {
        let who = self.role(s.src);
        let peer = self.role(s.dst);
        let (seq, ack) = (self.rel_seq(s), self.rel_ack(s));
        let syn = s.has(TcpFlags::SYN);
        let ackf = s.has(TcpFlags::ACK);
        if s.has(TcpFlags::RST) {
            return format!(
                "the {who} resets the connection: it is gone at once, no FIN exchange"
            );
        }
        if syn && !ackf {
            return format!(
                "handshake 1/3: the {who} asks to connect; its first sequence number is {} \
                 (shown as 0); a SYN counts as one byte",
                s.seq
            );
        }
        if syn && ackf {
            return format!(
                "handshake 2/3: the {who} accepts: its own SYN (sequence {} shown as 0) and \
                 Ack={ack}: the {peer}'s SYN counted as byte 0, byte 1 comes next",
                s.seq
            );
        }
        if s.has(TcpFlags::FIN) {
            return format!(
                "teardown: the {who} has nothing more to send (it closed its socket); \
                 the FIN takes sequence number {seq} and counts as one byte"
            );
        }
        if s.len > 0 {
            return format!(
                "data: {} bytes, the {who}'s bytes {seq} to {}; the {peer} will answer Ack={}",
                s.len,
                seq + s.len as u32 - 1,
                seq + s.len as u32
            );
        }
        if seq == 1 && ack == 1 {
            return format!(
                "handshake 3/3: the {who} acknowledges the {peer}'s SYN: the connection \
                 is open (connect() returns in the client, accept() in the server)"
            );
        }
        if self
            .fin
            .get(&s.dst)
            .is_some_and(|f| f.wrapping_add(1) == s.ack)
        {
            return format!(
                "the {who} acknowledges the {peer}'s FIN: Ack={ack} is the FIN's number plus one"
            );
        }
        format!(
            "acknowledgement: the {who} has everything up to byte {} and expects byte {ack} next",
            ack.wrapping_sub(1)
        )
    }
    // ANCHOR_END: explain
}

/// On `lo` a packet socket sees every frame twice: once as it is
/// sent (the kernel's "outgoing" copy) and once as it is received.
/// libpcap drops the outgoing copy using a field pnet does not show,
/// so this drops a frame identical to one seen in the last moments.
#[derive(Debug, Default)]
pub struct Dedup {
    recent: VecDeque<(Instant, Vec<u8>)>,
}

impl Dedup {
    /// How long a copy may lag behind the original.
    const WINDOW: Duration = Duration::from_millis(50);

    /// True the first time a frame is seen, false for its copy.
    pub fn first_time(&mut self, now: Instant, frame: &[u8]) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|(t, _)| now.duration_since(*t) > Self::WINDOW)
        {
            self.recent.pop_front();
        }
        if let Some(i) = self.recent.iter().position(|(_, f)| f == frame) {
            // Each original has exactly one copy: forget it now.
            self.recent.remove(i);
            return false;
        }
        self.recent.push_back((now, frame.to_vec()));
        if self.recent.len() > 64 {
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
        h.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes()); // magic: microseconds
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

    /// A SYN from 127.0.0.1:40000 to 127.0.0.1:9000 as `lo` carries
    /// it: zero MACs, IPv4, TCP with MSS 65495 and window scale 7.
    pub fn syn_frame() -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]); // EtherType IPv4
        let tcp_len = 20 + 8;
        let total = 20 + tcp_len as u16;
        f.extend_from_slice(&[
            0x45,
            0,
            (total >> 8) as u8,
            total as u8,
            0,
            0,
            0x40,
            0,
            64,
            6,
            0,
            0,
        ]);
        f.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
        f.extend_from_slice(&40000u16.to_be_bytes());
        f.extend_from_slice(&9000u16.to_be_bytes());
        f.extend_from_slice(&1000u32.to_be_bytes()); // seq
        f.extend_from_slice(&0u32.to_be_bytes()); // ack
        f.extend_from_slice(&[0x70, 0x02]); // data offset 7 words, SYN
        f.extend_from_slice(&65495u16.to_be_bytes()); // window
        f.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent
        f.extend_from_slice(&[2, 4, 0xff, 0xd7]); // MSS 65495
        f.extend_from_slice(&[1, 3, 3, 7]); // NOP, window scale 7
        f
    }

    #[test]
    fn a_syn_is_decoded_with_its_options() {
        let s = parse_frame(&syn_frame()).unwrap();
        assert_eq!(s.src, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(s.dst.port(), 9000);
        assert_eq!((s.seq, s.flags, s.len), (1000, 0x02, 0));
        assert_eq!((s.mss, s.wscale), (Some(65495), Some(7)));
    }

    #[test]
    fn every_truncation_is_none_not_a_panic() {
        let f = syn_frame();
        for n in 0..f.len() {
            assert!(parse_frame(&f[..n]).is_none(), "{n} bytes");
        }
    }

    #[test]
    fn relative_numbers_follow_the_isn() {
        let mut c = Conversation::new();
        let syn = parse_frame(&syn_frame()).unwrap();
        c.track(&syn);
        assert_eq!(c.rel_seq(&syn), 0);
        let mut data = syn.clone();
        data.flags = 0x18;
        data.seq = 1001;
        data.len = 14;
        c.track(&data);
        assert_eq!(c.rel_seq(&data), 1);
        assert!(c.explain(&data).contains("bytes 1 to 14"));
        assert!(c.explain(&data).contains("Ack=15"));
    }

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
