//! The numbers of the DNS wire format (RFC 1035, section 4): sizes,
//! record types, header flags and response codes. A DNS message is
//!
//! ```text
//! +---------------------+
//! | header   (12 bytes) |  id, flags, four counts
//! | question            |  name, type, class (what we ask)
//! | answer              |  resource records (what we want)
//! | authority           |  records naming the zone's servers (SOA, NS)
//! | additional          |  anything else the server thinks helps
//! +---------------------+
//! ```

/// Every DNS message starts with a 12-byte header.
pub const HEADER_LEN: usize = 12;
/// A name is at most 255 bytes on the wire (RFC 1035 section 2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// A label (the part between dots) is at most 63 bytes.
pub const MAX_LABEL_LEN: usize = 63;
// ANCHOR: max_pointers
/// How many compression pointers one name may follow. A real name has
/// at most a handful; a hostile answer could make two pointers point at
/// each other, and without a limit the decoder would loop forever.
pub const MAX_POINTERS: usize = 16;
// ANCHOR_END: max_pointers
/// The well-known DNS port.
pub const DNS_PORT: u16 = 53;

/// Record types (RFC 1035 section 3.2.2, and RFC 3596 for AAAA).
pub const TYPE_A: u16 = 1;
pub const TYPE_NS: u16 = 2;
pub const TYPE_CNAME: u16 = 5;
pub const TYPE_SOA: u16 = 6;
pub const TYPE_PTR: u16 = 12;
pub const TYPE_AAAA: u16 = 28;
/// The Internet class; the only one anybody uses.
pub const CLASS_IN: u16 = 1;

/// Header flag bits (the 16 bits after the id).
/// QR: 0 in a query, 1 in a response.
pub const FLAG_QR: u16 = 0x8000;
/// AA: the answer comes from a server authoritative for the zone.
pub const FLAG_AA: u16 = 0x0400;
/// TC: the answer was truncated to fit a UDP datagram; ask over TCP.
pub const FLAG_TC: u16 = 0x0200;
/// RD: recursion desired; "please chase the answer for me".
pub const FLAG_RD: u16 = 0x0100;
/// RA: recursion available (set by a recursive resolver).
pub const FLAG_RA: u16 = 0x0080;

/// Response codes: the low four bits of the flags (RFC 1035 section
/// 4.1.1).
pub const RCODE_NOERROR: u8 = 0;
pub const RCODE_FORMERR: u8 = 1;
pub const RCODE_SERVFAIL: u8 = 2;
pub const RCODE_NXDOMAIN: u8 = 3;
pub const RCODE_NOTIMP: u8 = 4;
pub const RCODE_REFUSED: u8 = 5;

/// The name of a response code, as `dig` prints it.
pub fn rcode_name(rcode: u8) -> &'static str {
    match rcode {
        RCODE_NOERROR => "NOERROR",
        RCODE_FORMERR => "FORMERR",
        RCODE_SERVFAIL => "SERVFAIL",
        RCODE_NXDOMAIN => "NXDOMAIN",
        RCODE_NOTIMP => "NOTIMP",
        RCODE_REFUSED => "REFUSED",
        _ => "an unknown response code",
    }
}
