//! Domain names: reading a (maybe compressed) name out of a message,
//! and the name a reverse lookup asks for.

use crate::decode::DecodeError;
use crate::wire::{MAX_NAME_LEN, MAX_POINTERS};
use bytes::Buf;
use std::net::IpAddr;

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
pub(crate) fn read_name_in<'a>(
    msg: &'a [u8],
    end: usize,
    cur: &mut &'a [u8],
) -> Result<String, DecodeError> {
    let base = end - cur.remaining(); // where the name starts
    let mut text = String::new();
    let mut wire_len = 0;
    let mut pointers = 0;
    // `pos` walks the labels; it jumps when it meets a pointer. It is
    // a suffix of msg[..pos_end].
    let mut pos: &'a [u8] = cur;
    let mut pos_end = end;
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
                    // The name in place ends after its first pointer.
                    *cur = pos;
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

/// The name a reverse (PTR) lookup asks for: `127.0.0.1` becomes
/// `1.0.0.127.in-addr.arpa.` (RFC 1035 section 3.5), and an IPv6
/// address is written nibble by nibble, backwards, under `ip6.arpa.`
/// (RFC 3596 section 2.5). This is what getnameinfo asks the DNS when
/// /etc/hosts does not know the address.
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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use crate::decode;
    use crate::decode::tests::one_answer;

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
    fn odd_bytes_in_labels_are_escaped() {
        let m = one_answer(&[
            3, b'a', b'.', 0x1b, 0, 0, 16, 0, 1, 0, 0, 0, 0, 0, 0,
        ]);
        assert_eq!(decode(&m).unwrap().answers[0].name, "a\\046\\027.");
    }

    #[test]
    fn the_cursor_stops_after_the_first_pointer() {
        // "x" + pointer to 12, then two more bytes: the name in place
        // is 4 bytes long, whatever the pointer leads to.
        let msg = [0u8; 12]
            .iter()
            .chain(&[1, b'y', 0, 1, b'x', 0xc0, 12, 0xaa, 0xbb])
            .copied()
            .collect::<Vec<u8>>();
        let mut cur = &msg[15..];
        assert_eq!(read_name(&msg, &mut cur).unwrap(), "x.y.");
        assert_eq!(cur, &[0xaa, 0xbb]);
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
}
