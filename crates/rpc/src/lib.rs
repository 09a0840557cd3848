//! The RPC example of Tsoukalos's network chapter (Go Systems Programming,
//! "Remote procedure call (RPC)"): what rpc-server and rpc-client
//! share.
//!
//! - [`shared`]: the book's `sharedRPC` package: `MyInts`, the names;
//! - [`gob`]: encoding/gob, the bytes Go's net/rpc sends;
//! - [`frame`]: a hand-made format whose every byte can be read;
//! - [`codec`]: reading and writing calls in either encoding;
//! - [`show`]: hex dumps, and text from the network made printable;
//! - [`args`]: the programs' command lines;
//! - [`timed`], [`deadline`]: time limits for a whole step;
//! - [`listen`], [`cli`]: what every program of the workspace shares.

pub mod args;
pub mod cli;
pub mod codec;
pub mod deadline;
pub mod frame;
pub mod gob;
pub mod listen;
pub mod shared;
pub mod show;
pub mod timed;

pub use shared::*;
