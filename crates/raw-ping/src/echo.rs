//! The echo codec: building an ICMP echo request (RFC 792), and
//! decoding the bytes of one socket read into the fields of whatever
//! ICMP message they hold. Untrusted bytes in, an error value out:
//! never a panic.

use crate::ipv4::{IpHeader, split_ipv4};
use crate::{ICMP_HEADER_LEN, checksum, checksum_ok, put_checksum};
use pnet::packet::Packet;
use pnet::packet::icmp::echo_reply::EchoReplyPacket;
use pnet::packet::icmp::echo_request::MutableEchoRequestPacket;
use pnet::packet::icmp::{IcmpCode, IcmpPacket, IcmpTypes};
use std::fmt;

/// The payload `ping` sends: `len` bytes counting 0, 1, 2, ... (mod 256),
/// so that a reply that comes back altered is easy to spot.
///
/// Examples: the unit test `payload_examples` below.
pub fn payload(len: usize) -> Vec<u8> {
    // `as u8` keeps the low 8 bits: 256 becomes 0 again.
    (0..len).map(|i| i as u8).collect()
}

#[test]
fn payload_examples() {
    assert_eq!(payload(4), vec![0, 1, 2, 3]);
}

// ANCHOR: build
/// Build an ICMP echo request: type 8, code 0, the identifier and
/// sequence number, the payload, and the RFC 1071 checksum over all of
/// it (computed while the checksum field is still zero).
///
/// Examples: the unit test `echo_request_examples` below.
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

#[test]
fn echo_request_examples() {
    let msg = echo_request(13, 37, &[]);
    assert_eq!(msg, [0x08, 0x00, 0xf7, 0xcd, 0x00, 0x0d, 0x00, 0x25]);
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
/// Examples: the unit test `decode_examples` below.
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

#[test]
fn decode_examples() -> Result<(), crate::DecodeError> {
    use crate::{Framing, decode, echo_request};
    let msg = echo_request(13, 37, b"hi");
    let got = decode(&msg, Framing::IcmpOnly)?;
    assert_eq!((got.icmp_type, got.identifier, got.sequence), (8, 13, 37));
    assert!(got.checksum_ok);
    assert!(decode(&msg[..5], Framing::IcmpOnly).is_err());
    Ok(())
}
// ANCHOR_END: decode
