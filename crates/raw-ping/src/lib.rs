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
// The ICMP checksum of RFC 1071, and the book's loop that gets it wrong.
mod checksum;
// What a decoded message is to a ping waiting for its reply.
mod classify;
// The echo codec: building a request, decoding whatever a read returns.
mod echo;
// The IPv4 header that comes first in a raw socket's reads.
mod ipv4;
// Round-trip statistics and ping(8)'s summary lines.
mod stats;

pub use checksum::{book_checksum, checksum, checksum_ok, put_checksum};
pub use classify::{Verdict, classify};
pub use echo::{DecodeError, Framing, Received, decode, echo_request, payload};
pub use ipv4::IpHeader;
pub use stats::Stats;

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

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests;
