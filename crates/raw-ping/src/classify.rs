//! What a received ICMP message is to a ping waiting for one reply: a
//! raw socket reads every ICMP message that reaches the host, so most
//! of what it reads is not the reply it waits for.

use crate::{ECHO_REPLY, ECHO_REQUEST, Received};
use std::fmt;

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
/// Examples: the unit test `classify_examples` below.
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

#[test]
fn classify_examples() -> Result<(), crate::DecodeError> {
    use crate::{Framing, Verdict, classify, decode, echo_request};
    let mine = decode(&echo_request(13, 37, b""), Framing::IcmpOnly)?;
    assert_eq!(classify(&mine, 13, 37, b""), Verdict::OwnRequest);
    Ok(())
}
// ANCHOR_END: classify
