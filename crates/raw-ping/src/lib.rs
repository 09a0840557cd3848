//! The pure logic behind `ping`: the RFC 1071 checksum, building an ICMP
//! echo request, and decoding whatever a socket read hands back.
//!
//! Nothing here touches a socket, so all of it is unit tested, doctested
//! and property tested (`tests/codec.rs`) without privilege.
//!
//! An ICMP echo message (RFC 792) is eight bytes of header and a payload:
//!
//! ```text
//!  0               1               2               3
//! +---------------+---------------+-------------------------------+
//! | type (8 or 0) |   code (0)    |           checksum            |
//! +---------------+---------------+-------------------------------+
//! |          identifier           |        sequence number        |
//! +-------------------------------+-------------------------------+
//! |  payload ... (echoed back unchanged by the replier)
//! +----------------
//! ```
//!
//! Type 8 is the request, type 0 the reply. All fields are big-endian
//! ("network byte order"): the identifier 13 is the two bytes `00 0d`.
//! [`field`] names the offsets of this picture.

pub mod cli;

use pnet::packet::Packet;
use pnet::packet::icmp::echo_reply::EchoReplyPacket;
use pnet::packet::icmp::echo_request::MutableEchoRequestPacket;
use pnet::packet::icmp::{IcmpCode, IcmpPacket, IcmpTypes};
use pnet::packet::ip::IpNextHeaderProtocols;
use pnet::packet::ipv4::Ipv4Packet;
use std::fmt;
use std::net::Ipv4Addr;

/// ICMP type of an echo request ("ping").
pub const ECHO_REQUEST: u8 = 8;
/// ICMP type of an echo reply ("pong").
pub const ECHO_REPLY: u8 = 0;
/// Where each field of an ICMP echo message starts and ends, in bytes
/// from the start of the message (the picture above, RFC 792), named
/// the way smoltcp's `mod field` names them, so that no code writes
/// `buf[2..4]` and hopes it meant the checksum.
pub mod field {
    use std::ops::{Range, RangeFrom};

    /// 8 for a request, 0 for a reply.
    pub const TYPE: usize = 0;
    /// 0 for both echo messages.
    pub const CODE: usize = 1;
    /// The RFC 1071 checksum, over the whole ICMP message.
    pub const CHECKSUM: Range<usize> = 2..4;
    /// Chosen by the sender, echoed back by the replier.
    pub const IDENTIFIER: Range<usize> = 4..6;
    /// Chosen by the sender, echoed back by the replier.
    pub const SEQUENCE: Range<usize> = 6..8;
    /// Everything after the header, echoed back unchanged.
    pub const PAYLOAD: RangeFrom<usize> = 8..;
}

/// Length of the ICMP echo header: type, code, checksum, id, sequence.
pub const ICMP_HEADER_LEN: usize = field::PAYLOAD.start;
/// Length of an IPv4 header without options (IHL = 5 words).
pub const IPV4_HEADER_LEN: usize = 20;
/// ping(8)'s default payload size, so replies read "64 bytes from".
pub const DEFAULT_PAYLOAD_LEN: usize = 56;

// ANCHOR: checksum
/// The Internet checksum of RFC 1071, computed by hand.
///
/// 1. Read the bytes as big-endian 16-bit words: bytes 0 and 1 make the
///    first word, 2 and 3 the second, and so on, **starting at index 0**.
///    An odd last byte is the high half of a word whose low half is 0.
/// 2. Add the words in a 32-bit accumulator. A 16-bit one's-complement
///    sum adds each carry out of bit 15 back in at bit 0; keeping the
///    carries in the upper half and folding them in at the end gives
///    the same result (RFC 1071 section 2, "deferred carries").
/// 3. Fold: add the upper 16 bits to the lower 16 until nothing is left
///    above bit 15 (a fold can itself carry, hence the loop).
/// 4. The checksum is the one's complement (`!`) of that sum.
///
/// The sender computes it with the checksum field set to zero and
/// stores it there. A receiver sums the whole message, checksum
/// included: an intact message sums to `0xffff`, so `checksum()` of it
/// is 0 (see [`checksum_ok`]).
///
/// RFC 1071's own worked example (section 3), bytes
/// `00 01 f2 03 f4 f5 f6 f7`: the words sum to `0x2ddf0`, which folds
/// to `0xddf2`, whose complement is `0x220d`:
///
/// ```
/// let rfc = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
/// assert_eq!(raw_ping::checksum(&rfc), 0x220d);
/// ```
///
/// And the 8-byte request of Newmarch's text (identifier 13, sequence
/// 37): `0x0800 + 0x0000 + 0x000d + 0x0025 = 0x0832`, complement `0xf7cd`:
///
/// ```
/// assert_eq!(raw_ping::checksum(&[8, 0, 0, 0, 0, 13, 0, 37]), 0xf7cd);
/// ```
pub fn checksum(data: &[u8]) -> u16 {
    // 64 bits hold the carries of any slice that fits in memory.
    let mut sum: u64 = 0;
    // chunks(2) walks the pairs (0,1), (2,3), ...; the last chunk has
    // one byte when the length is odd.
    for pair in data.chunks(2) {
        let high = u64::from(pair[0]) << 8;
        let low = pair.get(1).map_or(0, |&b| u64::from(b));
        sum += high | low;
    }
    while sum > 0xffff {
        sum = (sum >> 16) + (sum & 0xffff);
    }
    // `as u16` keeps the low 16 bits, which after folding are all of it.
    !(sum as u16)
}
// ANCHOR_END: checksum

/// Does this ICMP message (checksum field included) add up?
///
/// ```
/// let mut msg = [8, 0, 0, 0, 0, 13, 0, 37];
/// assert!(!raw_ping::checksum_ok(&msg)); // field still zero
/// raw_ping::put_checksum(&mut msg, 0xf7cd);
/// assert!(raw_ping::checksum_ok(&msg));
/// ```
pub fn checksum_ok(icmp: &[u8]) -> bool {
    checksum(icmp) == 0
}

/// Store `sum` in the checksum field of an ICMP message, big-endian.
/// A message too short to have the field is left alone.
///
/// ```
/// let mut msg = [8, 0, 0, 0, 0, 13, 0, 37];
/// raw_ping::put_checksum(&mut msg, 0xf7cd);
/// assert_eq!(msg, [8, 0, 0xf7, 0xcd, 0, 13, 0, 37]);
/// ```
pub fn put_checksum(msg: &mut [u8], sum: u16) {
    if let Some(f) = msg.get_mut(field::CHECKSUM) {
        f.copy_from_slice(&sum.to_be_bytes());
    }
}

/// The checksum loop as Newmarch's printed program has it: it starts at
/// index 1, so it adds the pairs (1,2), (3,4), (5,6) and never sees
/// byte 0 (the type) or the last byte. Kept only to show the mistake
/// (`ping --book-checksum`); never use it for real.
///
/// ```
/// // The text's request: the book sends f2ff, the right value is f7cd.
/// assert_eq!(raw_ping::book_checksum(&[8, 0, 0, 0, 0, 13, 0, 37]), 0xf2ff);
/// ```
pub fn book_checksum(msg: &[u8]) -> u16 {
    let mut sum: u64 = 0;
    let mut n = 1;
    while n + 1 < msg.len() {
        sum += u64::from(msg[n]) * 256 + u64::from(msg[n + 1]);
        n += 2;
    }
    sum = (sum >> 16) + (sum & 0xffff);
    sum += sum >> 16;
    !(sum as u16)
}

/// The payload `ping` sends: `len` bytes counting 0, 1, 2, ... (mod 256),
/// so that a reply that comes back altered is easy to spot.
///
/// ```
/// assert_eq!(raw_ping::payload(4), vec![0, 1, 2, 3]);
/// ```
pub fn payload(len: usize) -> Vec<u8> {
    // `as u8` keeps the low 8 bits: 256 becomes 0 again.
    (0..len).map(|i| i as u8).collect()
}

// ANCHOR: build
/// Build an ICMP echo request: type 8, code 0, the identifier and
/// sequence number, the payload, and the RFC 1071 checksum over all of
/// it (computed while the checksum field is still zero).
///
/// ```
/// let msg = raw_ping::echo_request(13, 37, &[]);
/// assert_eq!(msg, [0x08, 0x00, 0xf7, 0xcd, 0x00, 0x0d, 0x00, 0x25]);
/// ```
pub fn echo_request(identifier: u16, sequence: u16, payload: &[u8]) -> Vec<u8> {
    let mut buf = vec![0u8; ICMP_HEADER_LEN + payload.len()];
    // pnet's MutableEchoRequestPacket is a typed view over our buffer:
    // each setter writes its field at the right offset, big-endian.
    // new() returns None only for a buffer under 8 bytes, which ours
    // never is; falling back to the plain bytes keeps this panic-free.
    if let Some(mut pkt) = MutableEchoRequestPacket::new(&mut buf) {
        pkt.set_icmp_type(IcmpTypes::EchoRequest);
        pkt.set_icmp_code(IcmpCode::new(0));
        pkt.set_identifier(identifier);
        pkt.set_sequence_number(sequence);
        pkt.set_payload(payload);
    }
    // The checksum field is still zero here, as RFC 792 asks.
    let sum = checksum(&buf);
    put_checksum(&mut buf, sum);
    buf
}
// ANCHOR_END: build

/// How the bytes of one socket read are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// A raw IPv4 socket (`SOCK_RAW`): the whole IP datagram, the IPv4
    /// header first, then the ICMP message.
    Ipv4Header,
    /// An ICMP datagram socket (`SOCK_DGRAM`, "ping socket"): the ICMP
    /// message alone; the kernel has already removed the IP header.
    IcmpOnly,
}

/// The IPv4 header fields of a received datagram (raw sockets only).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IpHeader {
    /// Header length in bytes (IHL x 4): 20 without options.
    pub header_len: usize,
    /// Time to live left when it reached us.
    pub ttl: u8,
    /// Who sent it.
    pub source: Ipv4Addr,
    /// Whom it was for.
    pub destination: Ipv4Addr,
}

/// One decoded ICMP message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Present when the read included the IPv4 header.
    pub ip: Option<IpHeader>,
    /// ICMP type (0 echo reply, 8 echo request, 3 unreachable, ...).
    pub icmp_type: u8,
    /// ICMP code.
    pub code: u8,
    /// Does the ICMP checksum add up?
    pub checksum_ok: bool,
    /// Identifier field (bytes 4-5); meaningful for echo messages only.
    pub identifier: u16,
    /// Sequence field (bytes 6-7); meaningful for echo messages only.
    pub sequence: u16,
    /// The bytes after the 8-byte header.
    pub payload: Vec<u8>,
}

impl Received {
    /// Length of the ICMP message: what ping(8) reports as "N bytes".
    pub fn icmp_len(&self) -> usize {
        ICMP_HEADER_LEN + self.payload.len()
    }
}

/// Why a read could not be decoded. Untrusted bytes: every case is an
/// error value, never a panic.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// Fewer bytes than the part named needs.
    Truncated {
        what: &'static str,
        need: usize,
        got: usize,
    },
    /// The IP version nibble is not 4.
    NotIpv4(u8),
    /// IHL below 5 words, or pointing past the end of the read.
    BadIpHeaderLength { header_len: usize, got: usize },
    /// The IP protocol is not ICMP (1).
    NotIcmp(u8),
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Truncated { what, need, got } => {
                write!(f, "truncated: {what} needs {need} bytes, got {got}")
            }
            DecodeError::NotIpv4(v) => write!(f, "IP version {v}, not 4"),
            DecodeError::BadIpHeaderLength { header_len, got } => {
                write!(f, "bad IPv4 header length {header_len} in {got} bytes")
            }
            DecodeError::NotIcmp(p) => {
                write!(f, "IP protocol {p}, not ICMP (1)")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

// ANCHOR: decode
/// Decode the bytes of one socket read.
///
/// With [`Framing::Ipv4Header`] the IPv4 header comes first: its low
/// nibble of byte 0 (IHL) says how many 4-byte words it takes, and the
/// ICMP message starts right after it, usually at byte 20. Reading ICMP
/// fields at fixed offsets from the start of the read, as Newmarch's
/// program does with `msg[5]` and `msg[7]`, reads IP header bytes.
///
/// ```
/// use raw_ping::{decode, echo_request, Framing};
/// let msg = echo_request(13, 37, b"hi");
/// let got = decode(&msg, Framing::IcmpOnly).unwrap();
/// assert_eq!((got.icmp_type, got.identifier, got.sequence), (8, 13, 37));
/// assert!(got.checksum_ok);
/// assert!(decode(&msg[..5], Framing::IcmpOnly).is_err());
/// ```
pub fn decode(buf: &[u8], framing: Framing) -> Result<Received, DecodeError> {
    let (ip, icmp) = match framing {
        Framing::IcmpOnly => (None, buf),
        Framing::Ipv4Header => {
            let (ip, rest) = split_ipv4(buf)?;
            (Some(ip), rest)
        }
    };
    let truncated = DecodeError::Truncated {
        what: "ICMP echo header",
        need: ICMP_HEADER_LEN,
        got: icmp.len(),
    };
    // IcmpPacket reads type and code; EchoReplyPacket reads identifier
    // and sequence (same offsets in a request). Both return None when
    // the slice is too short for their fixed fields.
    let generic = IcmpPacket::new(icmp).ok_or(truncated.clone())?;
    let echo = EchoReplyPacket::new(icmp).ok_or(truncated)?;
    Ok(Received {
        ip,
        icmp_type: generic.get_icmp_type().0,
        code: generic.get_icmp_code().0,
        checksum_ok: checksum_ok(icmp),
        identifier: echo.get_identifier(),
        sequence: echo.get_sequence_number(),
        payload: echo.payload().to_vec(),
    })
}

/// Check the IPv4 header by hand before trusting any of it, then return
/// its fields and the bytes after it.
fn split_ipv4(buf: &[u8]) -> Result<(IpHeader, &[u8]), DecodeError> {
    let pkt = Ipv4Packet::new(buf).ok_or(DecodeError::Truncated {
        what: "IPv4 header",
        need: IPV4_HEADER_LEN,
        got: buf.len(),
    })?;
    if pkt.get_version() != 4 {
        return Err(DecodeError::NotIpv4(pkt.get_version()));
    }
    let header_len = usize::from(pkt.get_header_length()) * 4;
    let bad_len = DecodeError::BadIpHeaderLength {
        header_len,
        got: buf.len(),
    };
    if header_len < IPV4_HEADER_LEN {
        return Err(bad_len);
    }
    // get() instead of [..]: an IHL pointing past the end is an error
    // value here, where slicing would panic.
    let rest = buf.get(header_len..).ok_or(bad_len)?;
    if pkt.get_next_level_protocol() != IpNextHeaderProtocols::Icmp {
        return Err(DecodeError::NotIcmp(pkt.get_next_level_protocol().0));
    }
    let ip = IpHeader {
        header_len,
        ttl: pkt.get_ttl(),
        source: pkt.get_source(),
        destination: pkt.get_destination(),
    };
    Ok((ip, rest))
}
// ANCHOR_END: decode

/// What a received message is to a ping waiting for one reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The echo reply we are waiting for.
    Match,
    /// The checksum does not add up: nothing in it can be trusted.
    BadChecksum,
    /// An echo request with our identifier and sequence: on loopback,
    /// our own request, which Linux hands to every matching raw ICMP
    /// socket as it arrives, before its ICMP code answers it.
    OwnRequest,
    /// Somebody's echo request (not ours).
    OtherRequest,
    /// An echo reply for another process (another identifier).
    ForeignIdentifier(u16),
    /// An echo reply of ours, but for another sequence (a late reply).
    OtherSequence(u16),
    /// Our reply, but the payload came back changed.
    PayloadDiffers,
    /// Any other ICMP message (unreachable, time exceeded, ...).
    OtherType { icmp_type: u8, code: u8 },
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Verdict::Match => write!(f, "the echo reply we wait for"),
            Verdict::BadChecksum => write!(f, "bad ICMP checksum"),
            Verdict::OwnRequest => {
                write!(f, "our own echo request")
            }
            Verdict::OtherRequest => {
                write!(f, "someone else's echo request")
            }
            Verdict::ForeignIdentifier(id) => {
                write!(f, "echo reply for identifier {id}, not ours")
            }
            Verdict::OtherSequence(s) => {
                write!(f, "echo reply for icmp_seq={s}, a late one")
            }
            Verdict::PayloadDiffers => {
                write!(f, "echo reply with a changed payload")
            }
            Verdict::OtherType { icmp_type, code } => {
                write!(
                    f,
                    "ICMP type {icmp_type} code {code}, not an echo reply"
                )
            }
        }
    }
}

// ANCHOR: classify
/// Is `got` the reply to the request (`identifier`, `sequence`,
/// `payload`) we sent? A raw socket receives every ICMP message that
/// reaches the host, so most of what it reads is not for us.
///
/// ```
/// use raw_ping::{classify, decode, echo_request, Framing, Verdict};
/// let mine = decode(&echo_request(13, 37, b""), Framing::IcmpOnly).unwrap();
/// assert_eq!(classify(&mine, 13, 37, b""), Verdict::OwnRequest);
/// ```
pub fn classify(
    got: &Received,
    identifier: u16,
    sequence: u16,
    payload: &[u8],
) -> Verdict {
    if !got.checksum_ok {
        return Verdict::BadChecksum;
    }
    let ours = got.identifier == identifier;
    match (got.icmp_type, got.code) {
        (ECHO_REQUEST, 0) if ours && got.sequence == sequence => {
            Verdict::OwnRequest
        }
        (ECHO_REQUEST, 0) => Verdict::OtherRequest,
        (ECHO_REPLY, 0) if !ours => Verdict::ForeignIdentifier(got.identifier),
        (ECHO_REPLY, 0) if got.sequence != sequence => {
            Verdict::OtherSequence(got.sequence)
        }
        (ECHO_REPLY, 0) if got.payload != payload => Verdict::PayloadDiffers,
        (ECHO_REPLY, 0) => Verdict::Match,
        (icmp_type, code) => Verdict::OtherType { icmp_type, code },
    }
}
// ANCHOR_END: classify

/// Round-trip statistics for the summary line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Requests sent.
    pub transmitted: u32,
    /// Matching replies received.
    pub received: u32,
    /// Round-trip times of the replies, in milliseconds.
    pub rtts_ms: Vec<f64>,
}

impl Stats {
    /// Record one matching reply.
    pub fn reply(&mut self, rtt_ms: f64) {
        self.received += 1;
        self.rtts_ms.push(rtt_ms);
    }

    /// Packet loss in percent (0 when nothing was sent).
    ///
    /// ```
    /// let s = raw_ping::Stats {
    ///     transmitted: 4,
    ///     received: 3,
    ///     rtts_ms: vec![],
    /// };
    /// assert_eq!(s.loss_percent(), 25.0);
    /// ```
    pub fn loss_percent(&self) -> f64 {
        if self.transmitted == 0 {
            return 0.0;
        }
        let lost = self.transmitted.saturating_sub(self.received);
        f64::from(lost) * 100.0 / f64::from(self.transmitted)
    }

    /// (min, avg, max) round-trip time in ms, None without replies.
    ///
    /// ```
    /// let s = raw_ping::Stats {
    ///     transmitted: 2,
    ///     received: 2,
    ///     rtts_ms: vec![1.0, 3.0],
    /// };
    /// assert_eq!(s.min_avg_max(), Some((1.0, 2.0, 3.0)));
    /// ```
    pub fn min_avg_max(&self) -> Option<(f64, f64, f64)> {
        let first = *self.rtts_ms.first()?;
        let (mut min, mut max, mut total) = (first, first, 0.0);
        for &t in &self.rtts_ms {
            min = min.min(t);
            max = max.max(t);
            total += t;
        }
        Some((min, total / self.rtts_ms.len() as f64, max))
    }

    /// The two summary lines, as ping(8) prints them.
    ///
    /// ```
    /// let s = raw_ping::Stats {
    ///     transmitted: 2,
    ///     received: 1,
    ///     rtts_ms: vec![0.5],
    /// };
    /// assert_eq!(
    ///     s.summary(),
    ///     "2 packets transmitted, 1 received, 50% packet loss\n\
    ///      rtt min/avg/max = 0.500/0.500/0.500 ms"
    /// );
    /// ```
    pub fn summary(&self) -> String {
        let mut s = format!(
            "{} packets transmitted, {} received, {}% packet loss",
            self.transmitted,
            self.received,
            format_percent(self.loss_percent())
        );
        if let Some((min, avg, max)) = self.min_avg_max() {
            s.push_str(&format!(
                "\nrtt min/avg/max = {min:.3}/{avg:.3}/{max:.3} ms"
            ));
        }
        s
    }
}

/// 50 -> "50", 33.33.. -> "33.3": whole numbers without decimals.
fn format_percent(p: f64) -> String {
    if p.fract() == 0.0 {
        format!("{p:.0}")
    } else {
        format!("{p:.1}")
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    /// A 20-byte IPv4 header (no options) carrying ICMP, then `icmp`.
    fn ip_datagram(icmp: &[u8], ttl: u8) -> Vec<u8> {
        let mut v = vec![
            0x45, 0, 0, 0, 0, 0, 0x40, 0, ttl, 1, 0, 0, 127, 0, 0, 1, 127, 0,
            0, 1,
        ];
        v.extend_from_slice(icmp);
        v
    }

    #[test]
    fn checksum_of_rfc_example_and_book_request() {
        // Inputs and results worked out by hand in the doc comments.
        assert_eq!(
            checksum(&[0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7]),
            0x220d
        );
        assert_eq!(checksum(&[8, 0, 0, 0, 0, 13, 0, 37]), 0xf7cd);
    }

    #[test]
    fn checksum_odd_length_pads_low_byte() {
        // One byte 0xab is the word 0xab00; its complement is 0x54ff.
        assert_eq!(checksum(&[0xab]), 0x54ff);
        // Empty input: sum 0, complement 0xffff.
        assert_eq!(checksum(&[]), 0xffff);
    }

    #[test]
    fn checksum_folds_more_than_once() {
        // 0xffff + 0xffff = 0x1fffe -> fold -> 0xffff -> complement 0.
        assert_eq!(checksum(&[0xff, 0xff, 0xff, 0xff]), 0);
    }

    #[test]
    fn request_has_our_fields_and_verifies() {
        let msg = echo_request(0x1234, 0xabcd, b"xyz");
        assert_eq!(&msg[..2], &[8, 0]);
        assert_eq!(&msg[4..8], &[0x12, 0x34, 0xab, 0xcd]);
        assert_eq!(&msg[8..], b"xyz");
        assert!(checksum_ok(&msg));
    }

    #[test]
    fn decode_skips_ip_header_by_its_length() {
        let mut reply = echo_request(7, 9, b"abc");
        reply[field::TYPE] = ECHO_REPLY;
        put_checksum(&mut reply, 0);
        let sum = checksum(&reply);
        put_checksum(&mut reply, sum);
        let got =
            decode(&ip_datagram(&reply, 63), Framing::Ipv4Header).unwrap();
        let ip = got.ip.clone().unwrap();
        assert_eq!((ip.header_len, ip.ttl), (20, 63));
        assert_eq!(ip.source, Ipv4Addr::LOCALHOST);
        assert_eq!((got.icmp_type, got.identifier, got.sequence), (0, 7, 9));
        assert_eq!(got.icmp_len(), 11);
        assert_eq!(classify(&got, 7, 9, b"abc"), Verdict::Match);
        assert_eq!(classify(&got, 8, 9, b"abc"), Verdict::ForeignIdentifier(7));
        assert_eq!(classify(&got, 7, 10, b"abc"), Verdict::OtherSequence(9));
        assert_eq!(classify(&got, 7, 9, b"abd"), Verdict::PayloadDiffers);
    }

    #[test]
    fn ip_options_move_the_icmp_start() {
        // IHL 6: four bytes of options (NOPs) before the ICMP message.
        let msg = echo_request(1, 2, b"");
        let mut d = ip_datagram(&[], 64);
        d[0] = 0x46;
        d.extend_from_slice(&[1, 1, 1, 1]);
        d.extend_from_slice(&msg);
        let got = decode(&d, Framing::Ipv4Header).unwrap();
        assert_eq!(got.ip.unwrap().header_len, 24);
        assert_eq!((got.identifier, got.sequence), (1, 2));
    }

    #[test]
    fn bad_datagrams_are_errors() {
        let msg = echo_request(1, 2, b"");
        let mut d = ip_datagram(&msg, 64);
        d[0] = 0x44; // IHL 4 words: shorter than any IPv4 header
        assert!(matches!(
            decode(&d, Framing::Ipv4Header),
            Err(DecodeError::BadIpHeaderLength { header_len: 16, .. })
        ));
        d[0] = 0x4f; // IHL 15 words = 60 bytes, past the 28 we have
        assert!(matches!(
            decode(&d, Framing::Ipv4Header),
            Err(DecodeError::BadIpHeaderLength { header_len: 60, .. })
        ));
        d[0] = 0x65;
        assert_eq!(
            decode(&d, Framing::Ipv4Header),
            Err(DecodeError::NotIpv4(6))
        );
        d[0] = 0x45;
        d[9] = 17; // UDP
        assert_eq!(
            decode(&d, Framing::Ipv4Header),
            Err(DecodeError::NotIcmp(17))
        );
        assert!(matches!(
            decode(&d[..19], Framing::Ipv4Header),
            Err(DecodeError::Truncated {
                need: 20,
                got: 19,
                ..
            })
        ));
    }

    #[test]
    fn corrupted_and_other_types_do_not_match() {
        let mut msg = echo_request(1, 2, b"p");
        msg[field::PAYLOAD.start] ^= 0xff;
        let got = decode(&msg, Framing::IcmpOnly).unwrap();
        assert_eq!(classify(&got, 1, 2, b"p"), Verdict::BadChecksum);
        // Destination unreachable, port unreachable (type 3 code 3).
        let mut unreach = vec![3, 3, 0, 0, 0, 0, 0, 0];
        let sum = checksum(&unreach);
        put_checksum(&mut unreach, sum);
        let got = decode(&unreach, Framing::IcmpOnly).unwrap();
        assert_eq!(
            classify(&got, 0, 0, b""),
            Verdict::OtherType {
                icmp_type: 3,
                code: 3
            }
        );
    }

    #[test]
    fn stats_summary_without_replies_has_no_rtt_line() {
        let s = Stats {
            transmitted: 3,
            received: 0,
            rtts_ms: vec![],
        };
        assert_eq!(
            s.summary(),
            "3 packets transmitted, 0 received, 100% packet loss"
        );
        let s = Stats {
            transmitted: 3,
            received: 2,
            rtts_ms: vec![1.0, 2.0],
        };
        assert!(s.summary().starts_with(
            "3 packets transmitted, 2 received, 33.3% packet loss"
        ));
    }
}
