//! The parts of a DNS message, as the decoder hands them out.

use crate::wire::{FLAG_QR, FLAG_TC};
use std::net::{Ipv4Addr, Ipv6Addr};

/// The 12-byte header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    pub id: u16,
    pub flags: u16,
    pub qdcount: u16,
    pub ancount: u16,
    pub nscount: u16,
    pub arcount: u16,
}

impl Header {
    /// QR is set: this is a response, not a query.
    pub fn is_response(&self) -> bool {
        self.flags & FLAG_QR != 0
    }
    /// TC is set: the server cut the answer short.
    pub fn truncated(&self) -> bool {
        self.flags & FLAG_TC != 0
    }
    /// The response code (low four bits).
    pub fn rcode(&self) -> u8 {
        (self.flags & 0x000f) as u8
    }
}

/// One entry of the question section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Question {
    pub name: String,
    pub qtype: u16,
    pub qclass: u16,
}

/// The data of a record, decoded for the types this crate uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RData {
    A(Ipv4Addr),
    Aaaa(Ipv6Addr),
    Ns(String),
    Cname(String),
    Ptr(String),
    /// Any other type, kept as raw bytes.
    Other(Vec<u8>),
}

/// One resource record of the answer section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    pub name: String,
    pub rtype: u16,
    pub class: u16,
    pub ttl: u32,
    pub data: RData,
}

/// A decoded message: header, questions and answers. The authority and
/// additional sections are not decoded: `look-ns` does not need them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub header: Header,
    pub questions: Vec<Question>,
    pub answers: Vec<Record>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_are_read_from_their_bits() {
        let h = |flags| Header {
            id: 0,
            flags,
            qdcount: 0,
            ancount: 0,
            nscount: 0,
            arcount: 0,
        };
        // 0x8783: QR, AA, TC, RD and RA set, rcode 3 (NXDOMAIN).
        let all = h(0x8783);
        assert!(all.is_response() && all.truncated());
        assert_eq!(all.rcode(), 3);
        let none = h(0x0100);
        assert!(!none.is_response() && !none.truncated());
        assert_eq!(none.rcode(), 0);
    }
}
