//! Bytes from a peer, made safe to show on one line of a terminal.
//!
//! This file is the same in every crate that prints what a peer sent
//! (a repository test keeps the copies identical), so that each crate
//! can be read on its own.
//!
//! A terminal obeys the bytes it is given: ESC (0x1b) starts the
//! control sequences that move the cursor, clear the screen or set
//! the window title (ECMA-48), and a bare CR lets a line overwrite
//! itself. A server that logs what strangers send, or a client that
//! prints what a server answered, must not pass such bytes on.

use std::fmt::Write as _;

// ANCHOR: printable
/// Bytes from the network as one line: one trailing line end (`\n`,
/// `\r\n` or a lone `\r`) dropped, then control characters and
/// bytes that are not UTF-8 written as escapes, so that `Hi!\n` shows
/// as `Hi!` and ESC `[2J` (clear the screen) as `\x1b[2J`.
pub fn printable(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\n").unwrap_or(bytes);
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    escaped(bytes)
}

/// Bytes as text, every control character (Unicode's Cc: 0x00-0x1f,
/// 0x7f-0x9f) and every byte that is not part of valid UTF-8 written
/// as `\xNN`; everything else as it is.
pub fn escaped(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_control() {
                for b in c.to_string().bytes() {
                    let _ = write!(out, "\\x{b:02x}");
                }
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            let _ = write!(out, "\\x{b:02x}");
        }
    }
    out
}
// ANCHOR_END: printable

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_end_is_dropped() {
        assert_eq!(printable(b""), "");
        assert_eq!(printable(b"\n"), "");
        assert_eq!(printable(b"Hi!\n"), "Hi!");
        assert_eq!(printable(b"STOP\r\n"), "STOP");
        assert_eq!(printable(b"two\nlines\n"), "two\\x0alines");
        assert_eq!(printable(b"a\n\n"), "a\\x0a");
    }

    #[test]
    fn control_and_invalid_bytes_are_escaped() {
        assert_eq!(printable(b"\x1b[2J\xff\r\n"), "\\x1b[2J\\xff");
        assert_eq!(printable(b"tab\there"), "tab\\x09here");
        assert_eq!(printable(b"\x00\x80ok"), "\\x00\\x80ok");
        // U+0085, a C1 control, is two bytes in UTF-8.
        assert_eq!(printable("\u{85}".as_bytes()), "\\xc2\\x85");
        assert_eq!(printable("caf\u{e9} 100%".as_bytes()), "caf\u{e9} 100%");
        assert_eq!(escaped(b"s\xff.sock\n"), "s\\xff.sock\\x0a");
    }
}
