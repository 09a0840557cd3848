//! Address and mask arithmetic behind the `parse-ip` and `mask`
//! programs (Newmarch, *Socket-level Programming*, "The type IP" and
//! "The type IPMask").
//!
//! Go keeps an address as a byte slice (`type IP []byte`) and a mask
//! as another (`type IPMask []byte`). Rust's std has real types for
//! addresses ([`Ipv4Addr`], [`Ipv6Addr`]) but none for masks, so this
//! file supplies the small part of Go's `IPMask` the programs use.
//!
//! An IPv4 mask fits in a `u32`: the network bits are ones, the host
//! bits zeros. `255.255.255.0` is `0xffff_ff00`, a 24-bit mask.

pub mod cli;

use std::net::{IpAddr, Ipv4Addr};

// ANCHOR: parse
/// Parse an address the way Go's `net.ParseIP` does.
///
/// Both dotted IPv4 (`127.0.0.1`) and IPv6 (`::1`) are accepted. An
/// IPv4-mapped IPv6 address (`::ffff:10.0.0.1`) comes back as the
/// IPv4 address it carries: Go's `ParseIP` returns every IPv4
/// address in that 16-byte form, and `IP.String` prints such an
/// address dotted (`net/ip.go`, Go 1.19), so we do the same.
/// The old forms that glibc's inet_aton(3) still reads, `127.1` and
/// `010.0.0.1` (octal), are refused by both, and so is a zone
/// (`fe80::1%eth0`). The tests compare with Go on such inputs.
///
/// Examples: the unit test `parse_ip_examples` below.
pub fn parse_ip(text: &str) -> Option<IpAddr> {
    // `parse` is Rust's ParseIP. It never looks anything up: a host
    // name such as "localhost" is simply not an address.
    let ip: IpAddr = text.parse().ok()?;
    Some(ip.to_canonical())
}

#[test]
fn parse_ip_examples() {
    use crate::parse_ip;
    let text = |t| parse_ip(t).map(|ip| ip.to_string());
    assert_eq!(text("0:0:0:0:0:0:0:1").as_deref(), Some("::1"));
    assert_eq!(text("::ffff:10.0.0.1").as_deref(), Some("10.0.0.1"));
    assert!(parse_ip("300.1.2.3").is_none());
}
// ANCHOR_END: parse

/// An IPv4 network mask, Go's `IPMask` for a 4-byte address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mask(pub u32);

// ANCHOR: default_mask
/// The classful default mask of an IPv4 address, as Go's
/// `IP.DefaultMask` computes it from the first byte:
///
/// | first byte | class | mask          | network bits |
/// |------------|-------|---------------|--------------|
/// | 0-127      | A     | 255.0.0.0     | 8            |
/// | 128-191    | B     | 255.255.0.0   | 16           |
/// | 192-255    | C     | 255.255.255.0 | 24           |
///
/// Classes D (multicast) and E also get the class C mask, exactly
/// as in Go. Classful addressing was replaced by CIDR in 1993
/// (RFC 1519): real networks say their prefix length explicitly.
///
/// Examples: the unit test `default_mask_examples` below.
pub fn default_mask(addr: Ipv4Addr) -> Mask {
    match addr.octets()[0] {
        0..=0x7f => Mask(0xff00_0000), // leading bit 0: class A
        0x80..=0xbf => Mask(0xffff_0000), // leading bits 10: class B
        _ => Mask(0xffff_ff00),        // 110 and above: class C
    }
}

#[test]
fn default_mask_examples() {
    use crate::{Mask, default_mask};
    assert_eq!(default_mask([127, 0, 0, 1].into()), Mask(0xff00_0000));
    assert_eq!(default_mask([172, 16, 5, 4].into()), Mask(0xffff_0000));
    assert_eq!(default_mask([192, 168, 1, 10].into()), Mask(0xffff_ff00));
}
// ANCHOR_END: default_mask

impl Mask {
    // ANCHOR: size
    /// Go's `IPMask.Size`: the number of leading ones and the total
    /// number of bits, or `(0, 0)` when the mask is not ones followed
    /// by zeros (such a mask has no prefix length).
    ///
    /// Examples: the unit test `size_examples` below.
    pub fn size(self) -> (u32, u32) {
        let ones = self.0.leading_ones();
        // Canonical means: after the ones, nothing but zeros.
        // `checked_shl` because shifting a u32 by 32 is not allowed.
        let rest = self.0.checked_shl(ones).unwrap_or(0);
        if rest == 0 { (ones, 32) } else { (0, 0) }
    }
    // ANCHOR_END: size

    /// The mask as Go's `IPMask.String` prints it: eight hex digits.
    ///
    /// Examples: the unit test `hex_examples` below.
    pub fn hex(self) -> String {
        format!("{:08x}", self.0)
    }

    // ANCHOR: network
    /// The network part of an address: address AND mask, Go's
    /// `IP.Mask`. The host bits are cleared, the network bits kept.
    ///
    /// Examples: the unit test `network_examples` below.
    pub fn network(self, addr: Ipv4Addr) -> Ipv4Addr {
        Ipv4Addr::from(u32::from(addr) & self.0)
    }
    // ANCHOR_END: network
}

#[test]
fn size_examples() {
    use crate::Mask;
    assert_eq!(Mask(0xffff_fe00).size(), (23, 32));
    assert_eq!(Mask(0xff00_ff00).size(), (0, 0));
}

#[test]
fn hex_examples() {
    assert_eq!(Mask(0xffff_0000).hex(), "ffff0000");
}

#[test]
fn network_examples() {
    use crate::Mask;
    let net = Mask(0xffff_ff00).network([192, 168, 1, 10].into());
    assert_eq!(net.to_string(), "192.168.1.0");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_boundaries() {
        let m = |a: [u8; 4]| default_mask(a.into()).size().0;
        assert_eq!(m([0, 0, 0, 0]), 8);
        assert_eq!(m([127, 255, 255, 255]), 8);
        assert_eq!(m([128, 0, 0, 0]), 16);
        assert_eq!(m([191, 255, 0, 0]), 16);
        assert_eq!(m([192, 0, 0, 0]), 24);
        assert_eq!(m([224, 0, 0, 1]), 24); // class D, as Go
        assert_eq!(m([255, 255, 255, 255]), 24);
    }

    #[test]
    fn size_of_edge_masks() {
        assert_eq!(Mask(0).size(), (0, 32));
        assert_eq!(Mask(u32::MAX).size(), (32, 32));
        assert_eq!(Mask(0x8000_0001).size(), (0, 0));
    }

    #[test]
    fn network_and_host_split_the_address() {
        // Every bit of the address lands in exactly one of the parts.
        let a = Ipv4Addr::new(10, 200, 3, 77);
        for ones in 0..=32u32 {
            let m = Mask(u32::MAX.checked_shl(32 - ones).unwrap_or(0));
            let net = u32::from(m.network(a));
            let host = u32::from(a) & !m.0;
            assert_eq!(net | host, u32::from(a));
            assert_eq!(net & host, 0);
        }
    }

    #[test]
    fn parse_like_go() {
        assert_eq!(parse_ip("127.0.0.1"), Some(IpAddr::from([127, 0, 0, 1])));
        assert!(parse_ip("localhost").is_none());
        assert!(parse_ip("1.2.3").is_none());
        // A leading zero (octal to inet_aton), a zone: Go refuses too.
        assert!(parse_ip("01.2.3.4").is_none());
        assert!(parse_ip("fe80::1%eth0").is_none());
        assert!(parse_ip("127.1").is_none());
        assert!(parse_ip("").is_none());
    }
}
