//! encoding/gob, as much of it as Go's net/rpc needs here: what Go's
//! RPCclient and RPCserver put on the wire.
//!
//! A gob stream is a sequence of messages, each one its length (an
//! unsigned gob integer) and then that many bytes. A message holds
//! either a type definition (a negative type id and a description of
//! the type) or a value (a type id and the value). A sender defines
//! each of its own types once per connection, before its first value,
//! which is why the first call on a connection is longer than the
//! next ones. Integers take as few bytes as they need, and a struct
//! is sent as (field number delta, value) pairs, zero fields left out.
//!
//! net/rpc writes two values per call: a header (`Request`: the
//! method's name and a sequence number) and the arguments; and two
//! per reply: a header (`Response`: the same two, and an error
//! string) and the result (or, after an error, an empty struct).
//!
//! - [`wire`]: integers, strings and messages;
//! - [`types`]: type ids and the table of types a side has learnt;
//! - [`value`]: decoding any value into a tree, writing structs;
//! - [`netrpc`]: net/rpc's headers and this example's `MyInts`;
//! - [`annotate`]: the byte-by-byte explanation `--dump` prints.
//!
//! Decoding takes bytes from a stranger: nothing is indexed without a
//! check, every length is compared with the bytes left before it is
//! believed, and a message's length with [`MAX_MESSAGE`] before any
//! buffer exists.

pub mod annotate;
pub mod netrpc;
pub mod types;
pub mod value;
pub mod wire;

use std::fmt;
use std::io;

// ANCHOR: limits
/// The largest gob message either side accepts: the frame limit.
pub const MAX_MESSAGE: usize = crate::frame::MAX_FRAME;

/// The most types one peer may define on a connection, and the
/// largest definition (message) of one. net/rpc with this example's
/// types defines two each way, of under 60 bytes each.
pub const MAX_TYPES: usize = 8;
pub const MAX_DEFINITION: usize = 4 * 1024;

/// The most values one message may hold (every integer, string,
/// struct and element counts one). A decoded value takes more memory
/// than its one or two bytes on the wire; the limit keeps a message
/// of a thousand tiny values from becoming megabytes. The largest
/// message of this example, the definition of MyInts, holds 18.
pub const MAX_VALUES: usize = 1024;

/// How deeply values may nest (a struct in a slice in a struct ...).
/// gob's own type definitions nest 4 deep; a limit keeps a hostile
/// recursive type from running the decoder off its stack.
pub const MAX_DEPTH: usize = 16;
// ANCHOR_END: limits

/// Why the bytes of a message are not a value we can use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GobError {
    /// The message ended inside a value.
    Short,
    /// An integer whose count byte says more than 8 bytes.
    BadUint(u8),
    EmptyMessage,
    /// A value of a type nobody defined.
    UnknownType(i64),
    /// A definition of a type already defined, or of one of gob's.
    DuplicateType(i64),
    /// More than [`MAX_TYPES`] definitions on one connection.
    TooManyTypes,
    /// Values nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// More than [`MAX_VALUES`] values in one message.
    TooManyValues,
    /// A type definition over [`MAX_DEFINITION`] bytes.
    DefinitionTooLong(usize),
    /// A field delta that leads past the struct's last field.
    BadField(u64),
    Unsupported(&'static str),
    BadDefinition(&'static str),
    /// A non-struct value not preceded by its 0 byte.
    Singleton,
    /// Bytes left in a message after its value.
    Trailing(usize),
    /// A value of the wrong type for what it should be.
    Mismatch(String),
}

impl fmt::Display for GobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GobError::Short => {
                write!(f, "gob: the message ends inside a value")
            }
            GobError::BadUint(b) => write!(
                f,
                "gob: integer of {} bytes (0x{b:02x}), at most 8",
                b.wrapping_neg()
            ),
            GobError::EmptyMessage => write!(f, "gob: empty message"),
            GobError::UnknownType(id) => {
                write!(f, "gob: a value of type {id}, which was never defined")
            }
            GobError::DuplicateType(id) => {
                write!(f, "gob: type {id} defined again, or gob's own")
            }
            GobError::TooManyTypes => write!(
                f,
                "gob: more than {} types defined on one connection",
                MAX_TYPES
            ),
            GobError::TooDeep => {
                write!(f, "gob: values nested more than {} deep", MAX_DEPTH)
            }
            GobError::TooManyValues => {
                write!(f, "gob: more than {MAX_VALUES} values in one message")
            }
            GobError::DefinitionTooLong(n) => write!(
                f,
                "gob: a type definition of {n} bytes, over {MAX_DEFINITION}"
            ),
            GobError::BadField(d) => {
                write!(
                    f,
                    "gob: field delta {d} is past the struct's last field"
                )
            }
            GobError::Unsupported(what) => {
                write!(f, "gob: {what} values are not supported here")
            }
            GobError::BadDefinition(why) => {
                write!(f, "gob: bad type definition: {why}")
            }
            GobError::Singleton => {
                write!(f, "gob: a value that is not a struct must start with 0")
            }
            GobError::Trailing(n) => {
                write!(f, "gob: {n} bytes left in the message after the value")
            }
            GobError::Mismatch(why) => write!(f, "gob: {why}"),
        }
    }
}

impl std::error::Error for GobError {}

/// Why a gob value could not be read off a connection.
#[derive(Debug)]
pub enum ReadError {
    /// A message longer than [`MAX_MESSAGE`]; nothing allocated.
    TooLarge(u64),
    /// A message length whose count byte says more than 8 bytes: the
    /// stream cannot be followed any further.
    BadLength(u8),
    /// The peer closed the connection inside a message, or between a
    /// type definition and the value it was sent for.
    ClosedMidMessage,
    Io(io::Error),
    /// A whole message arrived, but it is not what it should be. The
    /// stream is still in step: the next message starts after it.
    Malformed(GobError),
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::TooLarge(n) => write!(
                f,
                "gob message of {n} bytes is over the {MAX_MESSAGE}-byte limit"
            ),
            ReadError::BadLength(b) => {
                write!(f, "{}", GobError::BadUint(*b))
            }
            ReadError::ClosedMidMessage => {
                write!(f, "connection closed in the middle of a gob value")
            }
            ReadError::Io(e) => write!(f, "{e}"),
            ReadError::Malformed(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}
