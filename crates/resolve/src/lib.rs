//! The pure logic behind the resolve crate's five programs.
//!
//! Most of this file is a small DNS codec for `look-ns`: it builds a
//! query and decodes the answer, by hand, with the `bytes` crate. Go's
//! own pure-Go resolver does the same job (its `dnsmessage` package);
//! Rust's standard library has no DNS client at all, and a full
//! resolver library would cost a minute of build time. Writing the
//! codec is also the best way to see what actually travels to port 53.
//!
//! The wire format is RFC 1035, section 4. A DNS message is
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
//!
//! The decoder reads bytes that come from the network, so it must
//! survive anything: every read goes through the non-panicking
//! `try_get_*` methods of [`bytes::Buf`], every length is checked
//! against what is left, and name-compression pointers are followed at
//! most [`MAX_POINTERS`] times, so that a pointer loop is an error
//! rather than a hang. Property tests at the bottom feed it random
//! bytes to show that it never panics.
//!
//! The rest are helpers the binaries share: a forward lookup through
//! the system resolver, the address choice Go's `ResolveIPAddr` makes,
//! and reading `/etc/resolv.conf` and `--server` arguments.

pub mod cli;

use bytes::{Buf, BufMut, Bytes, BytesMut};
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

// ---------------------------------------------------------------------------
// Constants of the wire format
// ---------------------------------------------------------------------------

/// Every DNS message starts with a 12-byte header.
pub const HEADER_LEN: usize = 12;
/// A name is at most 255 bytes on the wire (RFC 1035 section 2.3.4).
pub const MAX_NAME_LEN: usize = 255;
/// A label (the part between dots) is at most 63 bytes.
pub const MAX_LABEL_LEN: usize = 63;
/// How many compression pointers one name may follow. A real name has
/// at most a handful; a hostile answer could make two pointers point at
/// each other, and without a limit the decoder would loop forever.
pub const MAX_POINTERS: usize = 16;
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

/// Response codes: the low four bits of the flags.
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

// ---------------------------------------------------------------------------
// Building a query
// ---------------------------------------------------------------------------

/// Why a name given on the command line cannot be put in a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NameError {
    /// `a..b`, or a leading dot: labels cannot be empty.
    EmptyLabel,
    /// A label longer than 63 bytes.
    LabelTooLong(String),
    /// More than 255 bytes once encoded.
    NameTooLong,
    /// Spaces, control characters, or non-ASCII letters.
    BadCharacter(char),
}

impl fmt::Display for NameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NameError::EmptyLabel => {
                write!(f, "empty label (two dots in a row, or a leading dot)")
            }
            NameError::LabelTooLong(l) => {
                write!(f, "label `{l}` is longer than {MAX_LABEL_LEN} bytes")
            }
            NameError::NameTooLong => {
                write!(f, "longer than {MAX_NAME_LEN} bytes")
            }
            NameError::BadCharacter(c) if !c.is_ascii() => write!(
                f,
                "non-ASCII character {c:?} (write international names in their xn-- form)"
            ),
            NameError::BadCharacter(c) => {
                write!(f, "character {c:?} is not allowed in a name")
            }
        }
    }
}

impl std::error::Error for NameError {}

// ANCHOR: encode_name
/// Append `name` in wire form: each label as a length byte and its
/// bytes, then a zero byte for the root. `example.test` becomes
/// `07 'example' 04 'test' 00`. A trailing dot is allowed and means
/// the same; `.` alone is the root zone.
pub fn encode_name(name: &str, buf: &mut BytesMut) -> Result<(), NameError> {
    let name = name.strip_suffix('.').unwrap_or(name);
    let mut wire_len = 1; // the final zero byte
    if !name.is_empty() {
        for label in name.split('.') {
            check_label(label)?;
            wire_len += 1 + label.len();
            if wire_len > MAX_NAME_LEN {
                return Err(NameError::NameTooLong);
            }
            // check_label made sure the length fits in 6 bits.
            buf.put_u8(label.len() as u8);
            buf.put_slice(label.as_bytes());
        }
    }
    buf.put_u8(0);
    Ok(())
}
// ANCHOR_END: encode_name

/// A label must be 1 to 63 printable ASCII bytes.
fn check_label(label: &str) -> Result<(), NameError> {
    if label.is_empty() {
        return Err(NameError::EmptyLabel);
    }
    if let Some(c) = label.chars().find(|c| !c.is_ascii_graphic()) {
        return Err(NameError::BadCharacter(c));
    }
    if label.len() > MAX_LABEL_LEN {
        return Err(NameError::LabelTooLong(label.to_string()));
    }
    Ok(())
}

// ANCHOR: build_query
/// A complete query: a header asking for recursion, with one question
/// `name`, `qtype`, class IN. `id` lets us match the answer to it.
pub fn build_query(
    id: u16,
    name: &str,
    qtype: u16,
) -> Result<Bytes, NameError> {
    let mut buf = BytesMut::with_capacity(HEADER_LEN + MAX_NAME_LEN + 4);
    buf.put_u16(id);
    buf.put_u16(FLAG_RD); // a query (QR=0), standard, recursion desired
    buf.put_u16(1); // QDCOUNT: one question
    buf.put_u16(0); // ANCOUNT
    buf.put_u16(0); // NSCOUNT
    buf.put_u16(0); // ARCOUNT
    encode_name(name, &mut buf)?;
    buf.put_u16(qtype);
    buf.put_u16(CLASS_IN);
    Ok(buf.freeze())
}
// ANCHOR_END: build_query

// ---------------------------------------------------------------------------
// Decoding an answer
// ---------------------------------------------------------------------------

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

/// What was wrong with an answer. Offsets count from the first byte
/// of the message, as Wireshark shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The message ended in the middle of `what`.
    Short { what: &'static str, offset: usize },
    /// A length byte whose top two bits are 01 or 10 (reserved).
    BadLabelType { offset: usize, byte: u8 },
    /// A compression pointer to a place outside the message.
    PointerOutOfRange { offset: usize, target: usize },
    /// More than MAX_POINTERS pointers in one name: a loop.
    PointerLoop { offset: usize },
    /// A name longer than 255 bytes.
    NameTooLong { offset: usize },
    /// A record whose data length does not fit its type.
    BadRdata {
        rtype: u16,
        offset: usize,
        len: usize,
    },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Short { what, offset } => {
                write!(f, "the message ends inside {what} (byte {offset})")
            }
            DecodeError::BadLabelType { offset, byte } => {
                write!(f, "bad label length byte {byte:#04x} at byte {offset}")
            }
            DecodeError::PointerOutOfRange { offset, target } => write!(
                f,
                "name pointer at byte {offset} points to byte {target}, outside the message"
            ),
            DecodeError::PointerLoop { offset } => write!(
                f,
                "name at byte {offset} follows more than {MAX_POINTERS} pointers (a loop?)"
            ),
            DecodeError::NameTooLong { offset } => {
                write!(
                    f,
                    "name at byte {offset} is longer than {MAX_NAME_LEN} bytes"
                )
            }
            DecodeError::BadRdata { rtype, offset, len } => write!(
                f,
                "record of type {rtype} at byte {offset} has {len} bytes of data, \
                 which do not fit its type"
            ),
        }
    }
}

impl std::error::Error for DecodeError {}

/// The offset of a cursor within the message it reads. Every cursor
/// here is a suffix of the message, so this is plain arithmetic.
fn offset(msg: &[u8], cur: &[u8]) -> usize {
    msg.len() - cur.remaining()
}

/// Build a "too short" error for the cursor's position.
fn short(msg: &[u8], cur: &[u8], what: &'static str) -> DecodeError {
    DecodeError::Short {
        what,
        offset: offset(msg, cur),
    }
}

// ANCHOR: decode_header
/// Decode only the header: enough to match the id and read the flags.
pub fn decode_header(msg: &[u8]) -> Result<Header, DecodeError> {
    let mut cur = msg;
    let mut next = || {
        cur.try_get_u16().map_err(|_| DecodeError::Short {
            what: "the 12-byte header",
            offset: msg.len(),
        })
    };
    Ok(Header {
        id: next()?,
        flags: next()?,
        qdcount: next()?,
        ancount: next()?,
        nscount: next()?,
        arcount: next()?,
    })
}
// ANCHOR_END: decode_header

/// Decode a whole message: header, question and answer sections.
pub fn decode(msg: &[u8]) -> Result<Message, DecodeError> {
    let header = decode_header(msg)?;
    let mut cur = msg.get(HEADER_LEN..).unwrap_or_default();
    // The counts come from the network: do not trust them to size a
    // Vec. Each entry takes at least 5 bytes, so the loops below end
    // after at most msg.len() / 5 rounds whatever the counts say.
    let mut questions = Vec::new();
    for _ in 0..header.qdcount {
        questions.push(read_question(msg, &mut cur)?);
    }
    let mut answers = Vec::new();
    for _ in 0..header.ancount {
        answers.push(read_record(msg, &mut cur)?);
    }
    Ok(Message {
        header,
        questions,
        answers,
    })
}

fn read_question<'a>(
    msg: &'a [u8],
    cur: &mut &'a [u8],
) -> Result<Question, DecodeError> {
    let name = read_name(msg, cur)?;
    let qtype = cur
        .try_get_u16()
        .map_err(|_| short(msg, cur, "a question's type"))?;
    let qclass = cur
        .try_get_u16()
        .map_err(|_| short(msg, cur, "a question's class"))?;
    Ok(Question {
        name,
        qtype,
        qclass,
    })
}

// ANCHOR: read_record
/// One resource record: name, type, class, TTL, data length, data.
fn read_record<'a>(
    msg: &'a [u8],
    cur: &mut &'a [u8],
) -> Result<Record, DecodeError> {
    let name = read_name(msg, cur)?;
    let fixed = "a record's type, class, TTL and length";
    let rtype = cur.try_get_u16().map_err(|_| short(msg, cur, fixed))?;
    let class = cur.try_get_u16().map_err(|_| short(msg, cur, fixed))?;
    let ttl = cur.try_get_u32().map_err(|_| short(msg, cur, fixed))?;
    let len =
        usize::from(cur.try_get_u16().map_err(|_| short(msg, cur, fixed))?);
    let start = offset(msg, cur);
    // The data must be there in full before we look inside it.
    let Some(rdata) = cur.get(..len) else {
        return Err(short(msg, cur, "a record's data"));
    };
    let data = read_rdata(msg, rtype, start, rdata)?;
    cur.advance(len);
    Ok(Record {
        name,
        rtype,
        class,
        ttl,
        data,
    })
}
// ANCHOR_END: read_record

/// Decode the data of a record. `rdata` is exactly the record's data;
/// `start` is where it begins in `msg` (names inside may point back
/// into the rest of the message).
fn read_rdata<'a>(
    msg: &'a [u8],
    rtype: u16,
    start: usize,
    rdata: &'a [u8],
) -> Result<RData, DecodeError> {
    let bad = || DecodeError::BadRdata {
        rtype,
        offset: start,
        len: rdata.len(),
    };
    Ok(match rtype {
        TYPE_A => RData::A(Ipv4Addr::from(
            <[u8; 4]>::try_from(rdata).map_err(|_| bad())?,
        )),
        TYPE_AAAA => RData::Aaaa(Ipv6Addr::from(
            <[u8; 16]>::try_from(rdata).map_err(|_| bad())?,
        )),
        TYPE_NS | TYPE_CNAME | TYPE_PTR => {
            // The name must fill the data exactly: it may not run on
            // into the next record, nor leave bytes unexplained. Its
            // pointers may still lead anywhere in the whole message.
            let mut cur = rdata;
            let name = read_name_in(msg, start + rdata.len(), &mut cur)
                .map_err(|e| match e {
                    DecodeError::Short { .. } => bad(),
                    other => other,
                })?;
            if !cur.is_empty() {
                return Err(bad());
            }
            match rtype {
                TYPE_NS => RData::Ns(name),
                TYPE_CNAME => RData::Cname(name),
                _ => RData::Ptr(name),
            }
        }
        _ => RData::Other(rdata.to_vec()),
    })
}

/// Read a possibly compressed name at the cursor.
pub fn read_name<'a>(
    msg: &'a [u8],
    cur: &mut &'a [u8],
) -> Result<String, DecodeError> {
    read_name_in(msg, msg.len(), cur)
}

// ANCHOR: read_name
/// The name reader. A name is a run of labels ending with a zero byte,
/// or with a two-byte pointer (top bits 11) to a name elsewhere in the
/// message: RFC 1035 section 4.1.4, "message compression". `cur` is a
/// suffix of `msg[..end]`; it moves past the name as it is in place
/// (up to and including the first pointer), not past what the pointer
/// leads to.
fn read_name_in<'a>(
    msg: &'a [u8],
    end: usize,
    cur: &mut &'a [u8],
) -> Result<String, DecodeError> {
    let base = end - cur.remaining(); // where the name starts
    let mut text = String::new();
    let mut wire_len = 0;
    let mut pointers = 0;
    // `pos` walks the labels; it jumps when it meets a pointer.
    let mut pos: &'a [u8] = cur;
    let mut pos_end = end; // where `pos` stops (it is a suffix of msg[..pos_end])
    let mut jumped = false;
    loop {
        let at = pos_end - pos.remaining();
        let len = pos.try_get_u8().map_err(|_| DecodeError::Short {
            what: "a name",
            offset: at,
        })?;
        match len >> 6 {
            0b00 if len == 0 => break, // the root: end of the name
            0b00 => {
                let len = usize::from(len);
                wire_len += 1 + len;
                if wire_len + 1 > MAX_NAME_LEN {
                    return Err(DecodeError::NameTooLong { offset: base });
                }
                let Some(label) = pos.get(..len) else {
                    return Err(DecodeError::Short {
                        what: "a label",
                        offset: at,
                    });
                };
                push_label(&mut text, label);
                pos.advance(len);
            }
            0b11 => {
                let low = pos.try_get_u8().map_err(|_| DecodeError::Short {
                    what: "a name pointer",
                    offset: at,
                })?;
                pointers += 1;
                if pointers > MAX_POINTERS {
                    return Err(DecodeError::PointerLoop { offset: base });
                }
                if !jumped {
                    *cur = pos; // the name in place ends after its first pointer
                    jumped = true;
                }
                let target = usize::from(len & 0x3f) << 8 | usize::from(low);
                // A pointer must land on a byte of the message.
                pos = match msg.get(target..) {
                    Some(rest) if !rest.is_empty() => rest,
                    _ => {
                        return Err(DecodeError::PointerOutOfRange {
                            offset: at,
                            target,
                        });
                    }
                };
                pos_end = msg.len();
            }
            _ => {
                return Err(DecodeError::BadLabelType {
                    offset: at,
                    byte: len,
                });
            }
        }
    }
    if !jumped {
        *cur = pos;
    }
    if text.is_empty() {
        text.push('.'); // the root zone
    }
    Ok(text)
}
// ANCHOR_END: read_name

/// Append a label and its dot. Bytes a terminal could misread (dots
/// inside a label, backslashes, spaces, control characters, non-ASCII)
/// are written as `\DDD`, as `dig` does: a hostile server must not be
/// able to send escape sequences to the learner's terminal.
fn push_label(text: &mut String, label: &[u8]) {
    for &b in label {
        if b.is_ascii_graphic() && b != b'.' && b != b'\\' {
            text.push(char::from(b));
        } else {
            text.push_str(&format!("\\{b:03}"));
        }
    }
    text.push('.');
}

/// Compare two domain names the DNS way: ignoring ASCII case and a
/// trailing dot.
pub fn same_name(a: &str, b: &str) -> bool {
    let a = a.strip_suffix('.').unwrap_or(a);
    let b = b.strip_suffix('.').unwrap_or(b);
    a.eq_ignore_ascii_case(b)
}

/// The name a reverse (PTR) lookup asks for: `127.0.0.1` becomes
/// `1.0.0.127.in-addr.arpa.`, and an IPv6 address is written nibble by
/// nibble, backwards, under `ip6.arpa.`. This is what getnameinfo asks
/// the DNS when /etc/hosts does not know the address.
pub fn reverse_name(ip: IpAddr) -> String {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, c, d] = v4.octets();
            format!("{d}.{c}.{b}.{a}.in-addr.arpa.")
        }
        IpAddr::V6(v6) => {
            let mut s = String::new();
            for byte in v6.octets().iter().rev() {
                s.push_str(&format!("{:x}.{:x}.", byte & 0x0f, byte >> 4));
            }
            s.push_str("ip6.arpa.");
            s
        }
    }
}

// ---------------------------------------------------------------------------
// Choosing the DNS server
// ---------------------------------------------------------------------------

// ANCHOR: resolv_conf
/// The first `nameserver` line of a resolv.conf text, as the system
/// resolver would use it. Comments start with `#` or `;`. A line the
/// resolver would skip (an address with a `%zone`, say) is skipped.
pub fn first_nameserver(resolv_conf: &str) -> Option<IpAddr> {
    resolv_conf.lines().find_map(|line| {
        let line = line.split(['#', ';']).next().unwrap_or_default();
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("nameserver"), Some(addr)) => addr.parse().ok(),
            _ => None,
        }
    })
}
// ANCHOR_END: resolv_conf

/// Parse a `--server` argument: `127.0.0.1`, `::1` (port 53), or with a
/// port: `127.0.0.1:5353`, `[::1]:5353`.
pub fn parse_server(arg: &str) -> Option<SocketAddr> {
    if let Ok(sa) = arg.parse::<SocketAddr>() {
        return Some(sa);
    }
    let bare = arg
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(arg);
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, DNS_PORT))
}

// ---------------------------------------------------------------------------
// The system resolver
// ---------------------------------------------------------------------------

// ANCHOR: lookup_host
/// Every address of `name`, through the system resolver: the C
/// library's getaddrinfo(3), which reads /etc/nsswitch.conf and then
/// consults /etc/hosts, DNS (via /etc/resolv.conf) and whatever else
/// is configured there. This is what Go's `net.LookupHost` does when
/// it uses its cgo resolver.
///
/// std's `ToSocketAddrs` calls getaddrinfo too, but its error only
/// carries text; the dns-lookup crate's `lookup_host` gives the error
/// code as well, so we can say "no such host" as Go does. A literal
/// address (`127.0.0.1`, `::1`) comes back as it is, without asking
/// anybody. Duplicates are dropped, keeping the resolver's order.
pub fn lookup_host(name: &str) -> Result<Vec<IpAddr>, LookupFailure> {
    let found = dns_lookup::lookup_host(name)
        .map_err(|e| LookupFailure::new("getaddrinfo", name, e))?;
    let mut addrs: Vec<IpAddr> = Vec::new();
    for ip in found {
        if !addrs.contains(&ip) {
            addrs.push(ip);
        }
    }
    Ok(addrs)
}
// ANCHOR_END: lookup_host

/// The name of `ip`, through the system resolver: getnameinfo(3) with
/// NI_NAMEREQD ("a name or an error, never the number back"). It looks
/// in /etc/hosts, then asks the DNS for the PTR record of the address's
/// `in-addr.arpa` name (see [`reverse_name`]), as nsswitch.conf says.
pub fn lookup_addr(ip: IpAddr) -> Result<String, LookupFailure> {
    dns_lookup::lookup_addr(&ip)
        .map_err(|e| LookupFailure::new("getnameinfo", &ip.to_string(), e))
}

/// A failed lookup through the system resolver, worded like Go's
/// error (`lookup NAME: no such host`) followed by the C library's own
/// words, so that a learner can search for either.
#[derive(Debug)]
pub struct LookupFailure {
    name: String,
    go_words: &'static str,
    call: &'static str,
    libc_words: String,
}

impl LookupFailure {
    fn new(
        call: &'static str,
        name: &str,
        e: dns_lookup::LookupError,
    ) -> LookupFailure {
        use dns_lookup::LookupErrorKind as K;
        let go_words = match e.kind() {
            // EAI_NONAME: NXDOMAIN, or a name with no address at all.
            K::NoName | K::NoData => "no such host",
            // EAI_AGAIN: no DNS server answered (offline, firewall).
            K::Again => "temporary failure: no DNS server answered",
            // EAI_FAIL: a server answered SERVFAIL or similar.
            K::Fail => "server misbehaving",
            _ => "lookup failed",
        };
        LookupFailure {
            name: name.to_string(),
            go_words,
            call,
            // dns-lookup puts std's generic prefix in front of the
            // C library's message (gai_strerror); keep only the latter.
            libc_words: std::io::Error::from(e)
                .to_string()
                .trim_start_matches("failed to lookup address information: ")
                .to_string(),
        }
    }
}

impl fmt::Display for LookupFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "lookup {}: {} ({}: {})",
            self.name, self.go_words, self.call, self.libc_words
        )
    }
}

impl std::error::Error for LookupFailure {}

// ANCHOR: pick_like_go
/// The one address Go's `ResolveIPAddr("ip", name)` returns out of
/// several: the first IPv4 address, unless the name itself is an IPv6
/// literal (it contains a colon), then the first IPv6 one; and the
/// first address of all if none is of the preferred kind.
pub fn pick_like_go(name: &str, addrs: &[IpAddr]) -> Option<IpAddr> {
    let want_v6 = name.contains(':');
    addrs
        .iter()
        .find(|a| a.is_ipv6() == want_v6)
        .or_else(|| addrs.first())
        .copied()
}
// ANCHOR_END: pick_like_go

/// The command line as Strings. `std::env::args()` panics on an
/// argument that is not UTF-8; this says which one instead.
pub fn utf8_args() -> Result<Vec<String>, String> {
    std::env::args_os()
        .map(|a| {
            a.into_string()
                .map_err(|bad| format!("argument {bad:?} is not valid UTF-8"))
        })
        .collect()
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    /// The query `look-ns` sends for `example.test` with id 0x1234,
    /// byte for byte (the page's "On the wire" shows the same bytes).
    #[test]
    fn ns_query_bytes() {
        let q = build_query(0x1234, "example.test", TYPE_NS).unwrap();
        let want: &[u8] = &[
            0x12, 0x34, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, // header
            7, b'e', b'x', b'a', b'm', b'p', b'l', b'e', 4, b't', b'e', b's',
            b't', 0, // name
            0x00, 0x02, 0x00, 0x01, // type NS, class IN
        ];
        assert_eq!(&q[..], want);
    }

    #[test]
    fn names_encode() {
        let enc = |n: &str| {
            let mut b = BytesMut::new();
            encode_name(n, &mut b).map(|_| b.to_vec())
        };
        assert_eq!(enc("a.bc").unwrap(), b"\x01a\x02bc\x00");
        assert_eq!(enc("a.bc.").unwrap(), b"\x01a\x02bc\x00");
        assert_eq!(enc(".").unwrap(), b"\x00");
        assert_eq!(enc("").unwrap(), b"\x00");
        assert_eq!(enc("a..b"), Err(NameError::EmptyLabel));
        assert_eq!(enc(".a"), Err(NameError::EmptyLabel));
        assert_eq!(enc("a b"), Err(NameError::BadCharacter(' ')));
        assert_eq!(enc("é.test"), Err(NameError::BadCharacter('é')));
        let long = "x".repeat(64);
        assert_eq!(enc(&long), Err(NameError::LabelTooLong(long.clone())));
        assert!(enc(&"x".repeat(63)).is_ok());
        // 4 labels of 63 = 256 bytes with length bytes, plus the root.
        let too_long = vec!["y".repeat(63); 4].join(".");
        assert_eq!(enc(&too_long), Err(NameError::NameTooLong));
        let just_fits = [
            &"y".repeat(63)[..],
            &"y".repeat(63),
            &"y".repeat(63),
            &"y".repeat(61),
        ]
        .join(".");
        assert_eq!(enc(&just_fits).unwrap().len(), 255);
    }

    /// An answer as a server would send it: our query, QR and RA set,
    /// two NS records, the second using compression pointers.
    fn ns_answer() -> Vec<u8> {
        let mut m = build_query(0x1234, "example.test", TYPE_NS)
            .unwrap()
            .to_vec();
        m[2] |= 0x84; // QR, AA
        m[3] |= 0x80; // RA
        m[7] = 2; // ANCOUNT
        // Record 1: owner = pointer to 12 (the question's name).
        m.extend_from_slice(&[0xc0, 12, 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 6]);
        m.extend_from_slice(b"\x03ns1\xc0\x0c"); // ns1 + pointer to example.test
        // Record 2: rdata "ns2" + pointer.
        m.extend_from_slice(&[0xc0, 12, 0, 2, 0, 1, 0, 0, 0x0e, 0x10, 0, 6]);
        m.extend_from_slice(b"\x03ns2\xc0\x0c");
        m
    }

    #[test]
    fn decodes_ns_answer_with_pointers() {
        let m = decode(&ns_answer()).unwrap();
        assert!(m.header.is_response());
        assert!(!m.header.truncated());
        assert_eq!(m.header.rcode(), RCODE_NOERROR);
        assert_eq!(m.questions[0].name, "example.test.");
        assert_eq!(m.questions[0].qtype, TYPE_NS);
        let hosts: Vec<_> = m.answers.iter().map(|r| r.data.clone()).collect();
        assert_eq!(
            hosts,
            vec![
                RData::Ns("ns1.example.test.".into()),
                RData::Ns("ns2.example.test.".into())
            ]
        );
        assert_eq!(m.answers[0].name, "example.test.");
        assert_eq!(m.answers[0].ttl, 3600);
    }

    #[test]
    fn every_truncation_is_an_error_not_a_panic() {
        let full = ns_answer();
        for n in 0..full.len() {
            assert!(decode(&full[..n]).is_err(), "prefix of {n} bytes decoded");
        }
    }

    #[test]
    fn short_header() {
        assert_eq!(
            decode_header(&[1, 2, 3]),
            Err(DecodeError::Short {
                what: "the 12-byte header",
                offset: 3
            })
        );
    }

    /// A header with one answer and no question, then `rest`.
    fn one_answer(rest: &[u8]) -> Vec<u8> {
        let mut m = vec![0, 1, 0x80, 0, 0, 0, 0, 1, 0, 0, 0, 0];
        m.extend_from_slice(rest);
        m
    }

    #[test]
    fn pointer_loops_are_caught() {
        // The owner name at 12 is a pointer to itself.
        let m =
            one_answer(&[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 0, 0, 4, 1, 2, 3, 4]);
        assert_eq!(decode(&m), Err(DecodeError::PointerLoop { offset: 12 }));
        // Two pointers pointing at each other.
        let m = one_answer(&[0xc0, 14, 0xc0, 12]);
        assert_eq!(decode(&m), Err(DecodeError::PointerLoop { offset: 12 }));
    }

    #[test]
    fn pointer_out_of_range() {
        let m = one_answer(&[0xc0, 200]);
        assert_eq!(
            decode(&m),
            Err(DecodeError::PointerOutOfRange {
                offset: 12,
                target: 200
            })
        );
    }

    #[test]
    fn reserved_label_types() {
        let m = one_answer(&[0x40, 0]);
        assert_eq!(
            decode(&m),
            Err(DecodeError::BadLabelType {
                offset: 12,
                byte: 0x40
            })
        );
    }

    #[test]
    fn overlong_names_via_pointers() {
        // 5 labels of 63 bytes each in a row, reached through a pointer.
        let mut m = one_answer(&[0xc0, 14]);
        for _ in 0..5 {
            m.push(63);
            m.extend_from_slice(&[b'z'; 63]);
        }
        m.push(0);
        assert_eq!(decode(&m), Err(DecodeError::NameTooLong { offset: 12 }));
    }

    #[test]
    fn a_and_aaaa_and_bad_lengths() {
        let m = one_answer(&[0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 4, 192, 0, 2, 10]);
        let r = &decode(&m).unwrap().answers[0];
        assert_eq!(r.name, ".");
        assert_eq!(r.data, RData::A(Ipv4Addr::new(192, 0, 2, 10)));
        let mut rest = vec![0, 0, 28, 0, 1, 0, 0, 0, 5, 0, 16];
        rest.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        let r = &decode(&one_answer(&rest)).unwrap().answers[0];
        assert_eq!(r.data, RData::Aaaa(Ipv6Addr::LOCALHOST));
        // An A record with 3 bytes of data.
        let m = one_answer(&[0, 0, 1, 0, 1, 0, 0, 0, 5, 0, 3, 1, 2, 3]);
        assert_eq!(
            decode(&m),
            Err(DecodeError::BadRdata {
                rtype: 1,
                offset: 23,
                len: 3
            })
        );
    }

    #[test]
    fn ns_name_must_fill_its_rdata() {
        // RDLENGTH 7, but the name `\x03ns1\x00` takes only 5 of them.
        let m = one_answer(&[
            0, 0, 2, 0, 1, 0, 0, 0, 5, 0, 7, 3, b'n', b's', b'1', 0, 9, 9,
        ]);
        assert!(matches!(decode(&m), Err(DecodeError::BadRdata { .. })));
        // RDLENGTH 3 cuts the name short.
        let m = one_answer(&[
            0, 0, 2, 0, 1, 0, 0, 0, 5, 0, 3, 3, b'n', b's', b'1', 0,
        ]);
        assert!(matches!(decode(&m), Err(DecodeError::BadRdata { .. })));
    }

    #[test]
    fn odd_bytes_in_labels_are_escaped() {
        let m = one_answer(&[
            3, b'a', b'.', 0x1b, 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0,
        ]);
        assert_eq!(decode(&m).unwrap().answers[0].name, "a\\046\\027.");
    }

    #[test]
    fn reverse_names() {
        assert_eq!(
            reverse_name("192.0.2.10".parse().unwrap()),
            "10.2.0.192.in-addr.arpa."
        );
        let v6 = reverse_name("2001:db8::1".parse().unwrap());
        assert!(v6.starts_with("1.0.0.0.0.0.0.0."), "{v6}");
        assert!(v6.ends_with("8.b.d.0.1.0.0.2.ip6.arpa."), "{v6}");
        assert_eq!(v6.split('.').count(), 32 + 3);
    }

    #[test]
    fn resolv_conf() {
        let text = "# generated\nsearch lan\n;nameserver 1.1.1.1\nnameserver fe80::1%eth0\n\
                    nameserver 10.0.0.53 # office\nnameserver 9.9.9.9\n";
        assert_eq!(first_nameserver(text), Some("10.0.0.53".parse().unwrap()));
        assert_eq!(first_nameserver("search lan\n"), None);
        assert_eq!(first_nameserver(""), None);
    }

    #[test]
    fn server_arguments() {
        let sa = |s: &str| parse_server(s).map(|a| a.to_string());
        assert_eq!(sa("127.0.0.1").as_deref(), Some("127.0.0.1:53"));
        assert_eq!(sa("127.0.0.1:5353").as_deref(), Some("127.0.0.1:5353"));
        assert_eq!(sa("::1").as_deref(), Some("[::1]:53"));
        assert_eq!(sa("[::1]").as_deref(), Some("[::1]:53"));
        assert_eq!(sa("[::1]:5353").as_deref(), Some("[::1]:5353"));
        assert_eq!(sa("localhost"), None);
        assert_eq!(sa("127.0.0.1:99999"), None);
        assert_eq!(sa(""), None);
    }

    #[test]
    fn go_prefers_ipv4_unless_asked_for_a_v6_literal() {
        let v4: IpAddr = "127.0.0.1".parse().unwrap();
        let v6: IpAddr = "::1".parse().unwrap();
        assert_eq!(pick_like_go("localhost", &[v6, v4]), Some(v4));
        assert_eq!(pick_like_go("localhost", &[v6]), Some(v6));
        assert_eq!(pick_like_go("::1", &[v6]), Some(v6));
        assert_eq!(pick_like_go("x", &[]), None);
    }

    #[test]
    fn names_compare_like_dns() {
        assert!(same_name("Example.TEST.", "example.test"));
        assert!(!same_name("example.test", "example.tes"));
    }

    mod props {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(2000))]

            /// Whatever arrives, decoding returns; it never panics.
            #[test]
            fn decode_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..600)) {
                let _ = decode(&bytes);
            }

            /// Random bytes after a plausible header (counts of 1-3)
            /// reach much deeper into the decoder than pure noise.
            #[test]
            fn decode_never_panics_past_the_header(
                counts in proptest::collection::vec(0u8..4, 2),
                body in proptest::collection::vec(any::<u8>(), 0..300),
            ) {
                let mut m = vec![0, 1, 0x81, 0x80, 0, counts[0], 0, counts[1], 0, 0, 0, 0];
                m.extend_from_slice(&body);
                let _ = decode(&m);
            }

            /// A real answer with any bytes overwritten still decodes
            /// or fails cleanly.
            #[test]
            fn corrupted_answers_never_panic(
                edits in proptest::collection::vec((0usize..64, any::<u8>()), 1..8),
            ) {
                let mut m = super::ns_answer();
                for (i, b) in edits {
                    let n = m.len();
                    m[i % n] = b;
                }
                let _ = decode(&m);
            }

            /// Any name we can encode decodes back to itself.
            #[test]
            fn names_round_trip(labels in proptest::collection::vec("[a-z0-9-]{1,20}", 1..6)) {
                let name = labels.join(".");
                let q = build_query(7, &name, TYPE_A).unwrap();
                let m = decode(&q).unwrap();
                prop_assert_eq!(&m.questions[0].name, &format!("{name}."));
            }
        }
    }
}
