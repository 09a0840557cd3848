//! The IPv4 header (RFC 791) that starts every read on a raw IPv4
//! socket (raw(7)): checked by hand before any of it is trusted, then
//! stepped over to reach the ICMP message.

use crate::{DecodeError, IPV4_HEADER_LEN};
use pnet::packet::ip::IpNextHeaderProtocols;
use pnet::packet::ipv4::Ipv4Packet;
use std::net::Ipv4Addr;

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

// ANCHOR: split_ipv4
/// Check the IPv4 header by hand before trusting any of it, then return
/// its fields and the bytes after it.
pub fn split_ipv4(buf: &[u8]) -> Result<(IpHeader, &[u8]), DecodeError> {
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
// ANCHOR_END: split_ipv4
