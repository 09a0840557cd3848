//! Showing bytes and text from the network to a human.

use std::borrow::Cow;
use std::fmt::Write;

/// Bytes laid out as `hexdump -C` prints them: offset, 16 bytes in
/// two groups of 8, and the printable ASCII between bars.
pub fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (row, chunk) in bytes.chunks(16).enumerate() {
        let mut hex = String::new();
        for (i, b) in chunk.iter().enumerate() {
            if i == 8 {
                hex.push(' ');
            }
            let _ = write!(hex, "{b:02x} ");
        }
        let text: String = chunk.iter().map(|&b| ascii(b)).collect();
        let _ = writeln!(out, "{:08x}  {hex:<49} |{text}|", row * 16);
    }
    out
}

/// A byte as hexdump shows it: itself if printable ASCII, else `.`.
pub fn ascii(b: u8) -> char {
    if b == b' ' || b.is_ascii_graphic() {
        char::from(b)
    } else {
        '.'
    }
}

// ANCHOR: printable
/// Text that came from the network, made safe for a terminal.
///
/// A server's error message is printed to the user's terminal, and a
/// terminal obeys control characters: ESC (0x1b) starts sequences
/// that move the cursor, clear the screen or set the window title,
/// CR (0x0d) returns to the start of the line so that what follows
/// overwrites it. A hostile server could make its message look like
/// something else. So every control character (Unicode category Cc:
/// 0x00-0x1f, 0x7f, 0x80-0x9f) is shown as a Rust escape instead,
/// `\u{1b}`, `\r`, `\n`; other text is unchanged.
pub fn printable(s: &str) -> Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}
// ANCHOR_END: printable

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hexdump_has_the_layout_of_hexdump_c() {
        let d = hexdump(b"0123456789abcdefXY\n");
        assert_eq!(
            d,
            "00000000  30 31 32 33 34 35 36 37  38 39 61 62 63 64 65 66  \
             |0123456789abcdef|\n\
             00000010  58 59 0a                                          \
             |XY.|\n"
        );
    }

    #[test]
    fn control_characters_are_escaped_and_the_rest_kept() {
        assert_eq!(printable("division by zero"), "division by zero");
        assert!(matches!(printable("plain é ü"), Cow::Borrowed(_)));
        assert_eq!(printable("a\u{1b}[2Jb"), "a\\u{1b}[2Jb");
        assert_eq!(printable("x\ry\n\u{7f}\u{9b}"), "x\\ry\\n\\u{7f}\\u{9b}");
    }
}
