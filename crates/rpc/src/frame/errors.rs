//! Why a frame could not be read, decoded or encoded.

use super::{ARGS_LEN, MAX_FRAME};
use std::fmt;
use std::io;

/// Why a frame's body could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The body ended before a field did.
    Short {
        what: &'static str,
        needed: usize,
        available: usize,
    },
    /// The kind byte was not the one expected here.
    WrongKind { want: &'static str, got: u8 },
    /// The method name is not UTF-8.
    NameNotUtf8,
    /// Bytes left over after a complete reply.
    Trailing { extra: usize },
    /// Arguments that are not exactly 18 bytes.
    ArgsLength { got: usize },
    /// A sign byte other than 0 or 1.
    BadFlag { field: &'static str, value: u8 },
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DecodeError::Short {
                what,
                needed,
                available,
            } => write!(
                f,
                "frame too short for the {what} \
                 (needs {needed} bytes, {available} left)"
            ),
            DecodeError::WrongKind { want, got } => {
                write!(f, "expected {want}, got kind byte 0x{got:02x}")
            }
            DecodeError::NameNotUtf8 => write!(f, "method name is not UTF-8"),
            DecodeError::Trailing { extra } => {
                write!(f, "{extra} unexpected bytes after the reply")
            }
            DecodeError::ArgsLength { got } => {
                write!(f, "arguments are {got} bytes, MyInts takes {ARGS_LEN}")
            }
            DecodeError::BadFlag { field, value } => {
                write!(f, "sign flag {field} is {value}, must be 0 or 1")
            }
        }
    }
}

impl std::error::Error for DecodeError {}

/// Why a frame could not be read off the connection.
#[derive(Debug)]
pub enum FrameError {
    /// The announced length is over [`MAX_FRAME`]; nothing allocated.
    TooLarge(usize),
    /// The peer closed the connection in the middle of a frame.
    ClosedMidFrame,
    /// The read itself failed (reset, timeout, ...).
    Io(io::Error),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::TooLarge(n) => {
                write!(
                    f,
                    "frame of {n} bytes is over the {MAX_FRAME}-byte limit"
                )
            }
            FrameError::ClosedMidFrame => {
                write!(f, "connection closed in the middle of a frame")
            }
            FrameError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Why a call could not be encoded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EncodeError {
    /// A method name longer than its u16 length field can say.
    NameTooLong(usize),
    /// A body over [`MAX_FRAME`].
    TooLarge(usize),
}

impl fmt::Display for EncodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EncodeError::NameTooLong(n) => {
                write!(
                    f,
                    "method name of {n} bytes is over the 65535-byte limit"
                )
            }
            EncodeError::TooLarge(n) => {
                write!(
                    f,
                    "call of {n} bytes is over the {MAX_FRAME}-byte limit"
                )
            }
        }
    }
}

impl std::error::Error for EncodeError {}
