//! The logic behind the resolve crate's five programs.
//!
//! Most of it is a small DNS codec for `look-ns`: it builds a query
//! and decodes the answer, by hand, with the `bytes` crate. Go's own
//! pure-Go resolver does the same job (its `dnsmessage` package);
//! Rust's standard library has no DNS client at all, and a full
//! resolver library would bring far more than two record types need.
//! Writing the codec is also the best way to see what actually travels
//! to port 53. The rest wraps the system resolver for the other four.
//!
//! | module | what it holds |
//! |---|---|
//! | [`wire`] | the numbers of the format: sizes, types, flags, codes |
//! | [`query`] | building a query: header, question, encoded name |
//! | [`message`] | the decoded parts: header, question, record, message |
//! | [`decode`] | decoding an answer, safely |
//! | [`name`] | reading compressed names; reverse-lookup names |
//! | [`resolv_conf`] | which DNS server to ask |
//! | [`system`] | getaddrinfo and getnameinfo, answering as Go does |
//!
//! Everything is also exported here at the crate root
//! (`resolve::build_query`, `resolve::decode`, ...).

pub mod cli;
pub mod deadline;

pub mod decode;
pub mod message;
pub mod name;
pub mod query;
pub mod resolv_conf;
pub mod system;
pub mod wire;

pub use decode::{DecodeError, decode, decode_header};
pub use message::{Header, Message, Question, RData, Record};
pub use name::{read_name, reverse_name};
pub use query::{NameError, build_query, encode_name};
pub use resolv_conf::{DEFAULT_SERVER, first_nameserver, parse_server};
pub use system::{
    GoIpAddr, LookupFailure, lookup_addr, lookup_host, lookup_ip_addr,
    parse_literal, pick_like_go,
};
pub use wire::*;
