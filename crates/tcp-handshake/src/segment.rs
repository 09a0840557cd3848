//! One captured frame, decoded down to what tshark shows of its TCP
//! segment.

use pnet::packet::Packet;
use pnet::packet::ethernet::{EtherTypes, EthernetPacket};
use pnet::packet::ip::IpNextHeaderProtocols;
use pnet::packet::ipv4::Ipv4Packet;
use pnet::packet::ipv6::Ipv6Packet;
use pnet::packet::tcp::{TcpFlags, TcpOptionNumbers, TcpPacket};
use std::net::{IpAddr, SocketAddr};

/// The length of a TCP header without options (data offset 5).
pub const TCP_HEADER_LEN: usize = 20;

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
    /// Bytes of payload (the segment's data, not its headers). At most
    /// 65535 less the headers: the IP length fields are 16 bits.
    pub len: u16,
    /// The maximum segment size option, sent only with SYN.
    pub mss: Option<u16>,
    /// The window scale option, sent only with SYN.
    pub wscale: Option<u8>,
}

impl Segment {
    pub fn has(&self, flag: u8) -> bool {
        self.flags & flag != 0
    }

    /// How many sequence numbers the segment uses: its bytes, and one
    /// each for SYN and FIN (RFC 9293, section 3.4).
    pub fn seq_len(&self) -> u32 {
        u32::from(self.len)
            + u32::from(self.has(TcpFlags::SYN))
            + u32::from(self.has(TcpFlags::FIN))
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
    if header < TCP_HEADER_LEN || header > bytes.len() {
        return None;
    }
    let mut seg = Segment {
        src: SocketAddr::new(src, tcp.get_source()),
        dst: SocketAddr::new(dst, tcp.get_destination()),
        seq: tcp.get_sequence(),
        ack: tcp.get_acknowledgement(),
        flags: tcp.get_flags(),
        window: tcp.get_window(),
        // Both IP length fields are 16 bits, so this always fits.
        len: u16::try_from(bytes.len() - header).ok()?,
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
/// Examples: the unit test `flag_names_examples` below.
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

#[test]
fn flag_names_examples() {
    use crate::flag_names;
    assert_eq!(flag_names(0x12), "[SYN, ACK]");
    assert_eq!(flag_names(0x18), "[PSH, ACK]");
    assert_eq!(flag_names(0x11), "[FIN, ACK]");
    assert_eq!(flag_names(0x00), "[<None>]");
}

#[cfg(test)]
pub(crate) mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    /// A frame as `lo` carries it: zero MACs, IPv4 from 127.0.0.1:40000
    /// to 127.0.0.1:9000, TCP with `flags`, `seq`, `ack`, `options`
    /// and `len` bytes of data.
    pub fn frame(
        flags: u8,
        seq: u32,
        ack: u32,
        options: &[u8],
        len: usize,
    ) -> Vec<u8> {
        let mut f = vec![0u8; 12];
        f.extend_from_slice(&[0x08, 0x00]); // EtherType IPv4
        let tcp_len = 20 + options.len();
        let total = (20 + tcp_len + len) as u16;
        let [hi, lo] = total.to_be_bytes();
        f.extend_from_slice(&[0x45, 0, hi, lo, 0, 0, 0x40, 0, 64, 6, 0, 0]);
        f.extend_from_slice(&[127, 0, 0, 1, 127, 0, 0, 1]);
        f.extend_from_slice(&40000u16.to_be_bytes());
        f.extend_from_slice(&9000u16.to_be_bytes());
        f.extend_from_slice(&seq.to_be_bytes());
        f.extend_from_slice(&ack.to_be_bytes());
        f.extend_from_slice(&[((tcp_len / 4) << 4) as u8, flags]);
        f.extend_from_slice(&65495u16.to_be_bytes()); // window
        f.extend_from_slice(&[0, 0, 0, 0]); // checksum, urgent
        f.extend_from_slice(options);
        f.extend(std::iter::repeat_n(b'x', len));
        f
    }

    /// A SYN with MSS 65495 and window scale 7.
    pub fn syn_frame() -> Vec<u8> {
        frame(0x02, 1000, 0, &[2, 4, 0xff, 0xd7, 1, 3, 3, 7], 0)
    }

    #[test]
    fn a_syn_is_decoded_with_its_options() {
        let s = parse_frame(&syn_frame()).unwrap();
        assert_eq!(s.src, "127.0.0.1:40000".parse().unwrap());
        assert_eq!(s.dst.port(), 9000);
        assert_eq!((s.seq, s.flags, s.len), (1000, 0x02, 0));
        assert_eq!((s.mss, s.wscale), (Some(65495), Some(7)));
        assert_eq!(s.seq_len(), 1);
    }

    #[test]
    fn data_length_is_what_follows_the_headers() {
        let s = parse_frame(&frame(0x18, 5, 7, &[], 14)).unwrap();
        assert_eq!((s.len, s.seq_len()), (14, 14));
        let s = parse_frame(&frame(0x11, 5, 7, &[], 3)).unwrap();
        assert_eq!(s.seq_len(), 4);
    }

    #[test]
    fn every_truncation_is_none_not_a_panic() {
        let f = syn_frame();
        for n in 0..f.len() {
            assert!(parse_frame(&f[..n]).is_none(), "{n} bytes");
        }
    }
}
