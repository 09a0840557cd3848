//! One way to read and write calls, whichever bytes carry them: Go's
//! net/rpc has the interfaces `ServerCodec` and `ClientCodec` for the
//! same reason (net/rpc/server.go, client.go), with gob behind both
//! by default. Here the encodings are gob, the bytes of Go's programs,
//! and the hand-made frames of [`crate::frame`].

use crate::MyInts;
use crate::frame::{self, FrameError, Reply};
use crate::gob::netrpc::{self, Request, Response};
use crate::gob::{self, ReadError};
use bytes::Bytes;
use std::fmt;
use std::io::{self, Read};

/// Which bytes carry the calls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// encoding/gob, as Go's net/rpc: talks to the book's programs.
    Gob,
    /// The frames of [`crate::frame`] (`--frames`).
    Frames,
}

/// A call as the server reads it. The arguments are decoded already;
/// if they could not be, `args` says why (the call still gets an
/// error reply, and the connection goes on).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerCall {
    pub seq: u64,
    pub method: String,
    pub args: Result<MyInts, String>,
}

/// Why no call (or no reply) could be read.
#[derive(Debug)]
pub enum CallError {
    /// The read failed, or the deadline passed.
    Io(io::Error),
    /// The peer closed the connection between messages.
    Eof,
    /// The peer closed the connection inside a call or reply.
    Closed(&'static str),
    /// Bytes that break the protocol: the connection cannot go on.
    /// `answer` is the error reply to send first, where the encoding
    /// has a way to say it (frames do; a Go server just hangs up).
    Broken { why: String, answer: Option<Bytes> },
}

impl fmt::Display for CallError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Io(e) => write!(f, "{e}"),
            CallError::Eof => write!(f, "the connection was closed"),
            CallError::Closed(what) => write!(f, "{what}"),
            CallError::Broken { why, .. } => write!(f, "{why}"),
        }
    }
}

impl From<FrameError> for CallError {
    fn from(e: FrameError) -> CallError {
        match e {
            FrameError::Io(e) => CallError::Io(e),
            FrameError::ClosedMidFrame => {
                CallError::Closed("connection closed in the middle of a frame")
            }
            e @ FrameError::TooLarge(_) => frame_broken(e.to_string(), 0),
        }
    }
}

impl From<ReadError> for CallError {
    fn from(e: ReadError) -> CallError {
        match e {
            ReadError::Io(e) => CallError::Io(e),
            ReadError::ClosedMidMessage => CallError::Closed(
                "connection closed in the middle of a gob value",
            ),
            e => CallError::Broken {
                why: e.to_string(),
                answer: None,
            },
        }
    }
}

/// A frames protocol error, answered with an error reply to `id`.
fn frame_broken(why: String, id: u32) -> CallError {
    let answer = Some(Reply::answer(id, &why));
    CallError::Broken { why, answer }
}

/// The server's end of one connection.
#[derive(Debug)]
pub enum ServerCodec {
    Frames,
    Gob(netrpc::Encoder, netrpc::Decoder),
}

impl ServerCodec {
    pub fn new(encoding: Encoding) -> ServerCodec {
        match encoding {
            Encoding::Frames => ServerCodec::Frames,
            Encoding::Gob => {
                ServerCodec::Gob(Default::default(), Default::default())
            }
        }
    }

    /// Read the next call. `Ok(None)`: the client closed the
    /// connection between calls, which is how a client says goodbye.
    pub fn read_call(
        &mut self,
        r: &mut impl Read,
    ) -> Result<Option<ServerCall>, CallError> {
        match self {
            ServerCodec::Frames => {
                let Some(body) = frame::read_frame(r)? else {
                    return Ok(None);
                };
                let call = frame::decode_call(&body).map_err(|e| {
                    let id = frame::peek_id(&body).unwrap_or(0);
                    frame_broken(format!("malformed call: {e}"), id)
                })?;
                let args =
                    frame::decode_args(&call.args).map_err(|e| e.to_string());
                let seq = u64::from(call.id);
                let method = call.method;
                Ok(Some(ServerCall { seq, method, args }))
            }
            ServerCodec::Gob(_, dec) => read_gob_call(dec, r),
        }
    }

    /// The bytes of the reply to `call`.
    pub fn reply(
        &mut self,
        call: &ServerCall,
        result: &Result<i64, String>,
    ) -> Bytes {
        match self {
            ServerCodec::Frames => {
                // The frame's id is a u32; a frames call's seq is one.
                let id = u32::try_from(call.seq).unwrap_or(0);
                let result = result.clone();
                Reply { id, result }.encode()
            }
            ServerCodec::Gob(enc, _) => {
                let r = Response {
                    service_method: call.method.clone(),
                    seq: call.seq,
                    error: result.clone().err().unwrap_or_default(),
                };
                enc.reply(&r, result.as_ref().ok().copied())
            }
        }
    }

    /// An error reply that answers no call (for a client refused at
    /// once), where the encoding has one: frames use call id 0. gob
    /// has none that a Go client would take, so it gets nothing.
    pub fn refusal(&self, why: &str) -> Option<Bytes> {
        match self {
            ServerCodec::Frames => Some(Reply::answer(0, why)),
            ServerCodec::Gob(..) => None,
        }
    }
}

// ANCHOR: read_gob_call
/// A call in gob: the header, then the arguments (net/rpc/server.go,
/// `readRequest`). A header that cannot be read ends the connection,
/// as in Go; arguments that cannot be read get an error reply.
fn read_gob_call(
    dec: &mut netrpc::Decoder,
    r: &mut impl Read,
) -> Result<Option<ServerCall>, CallError> {
    let Some((id, node)) = dec.read_value(r, None)? else {
        return Ok(None);
    };
    let Request {
        service_method,
        seq,
    } = netrpc::request(&dec.types, id, &node).map_err(|e| {
        let why = format!("cannot read a call's header: {e}");
        CallError::Broken { why, answer: None }
    })?;
    let args = match dec.read_value(r, None) {
        Ok(Some((id, node))) => netrpc::my_ints(&dec.types, id, &node),
        Ok(None) => {
            return Err(CallError::Closed(
                "connection closed after a call's header",
            ));
        }
        Err(ReadError::Malformed(e)) => Err(e),
        Err(e) => return Err(e.into()),
    };
    let args = args.map_err(|e| e.to_string());
    let method = service_method;
    Ok(Some(ServerCall { seq, method, args }))
}
// ANCHOR_END: read_gob_call

/// A reply as the client reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientReply {
    pub seq: u64,
    pub result: Result<i64, String>,
}

/// The client's end of one connection.
#[derive(Debug)]
pub enum ClientCodec {
    Frames,
    Gob(netrpc::Encoder, netrpc::Decoder),
}

impl ClientCodec {
    pub fn new(encoding: Encoding) -> ClientCodec {
        match encoding {
            Encoding::Frames => ClientCodec::Frames,
            Encoding::Gob => {
                ClientCodec::Gob(Default::default(), Default::default())
            }
        }
    }

    /// The number of the first call. Go's client counts from 0; the
    /// frames count from 1, because id 0 marks an error reply that
    /// answers no call in particular.
    pub fn first_seq(&self) -> u64 {
        match self {
            ClientCodec::Frames => 1,
            ClientCodec::Gob(..) => 0,
        }
    }

    /// The bytes of a call.
    pub fn call(
        &mut self,
        seq: u64,
        method: &str,
        args: &MyInts,
    ) -> Result<Bytes, String> {
        match self {
            ClientCodec::Frames => {
                let id = u32::try_from(seq).map_err(|_| {
                    format!("call number {seq} does not fit a frame's id")
                })?;
                frame::Call::new(id, method, args)
                    .encode()
                    .map_err(|e| e.to_string())
            }
            ClientCodec::Gob(enc, _) => {
                let bytes = enc.call(seq, method, args);
                // Refuse to send what no server of ours would read.
                let mut rest = &bytes[..];
                let mut next = || gob::wire::read_message(&mut rest);
                while next().map_err(|e| e.to_string())?.is_some() {}
                Ok(bytes)
            }
        }
    }

    /// Read one reply; every byte read is appended to `raw`.
    pub fn read_reply(
        &mut self,
        r: &mut impl Read,
        raw: &mut Vec<u8>,
    ) -> Result<ClientReply, CallError> {
        match self {
            ClientCodec::Frames => {
                let body = frame::read_frame(r)?.ok_or(CallError::Eof)?;
                raw.extend_from_slice(&(body.len() as u32).to_be_bytes());
                raw.extend_from_slice(&body);
                let reply = frame::decode_reply(&body).map_err(|e| {
                    CallError::Broken {
                        why: e.to_string(),
                        answer: None,
                    }
                })?;
                let seq = u64::from(reply.id);
                Ok(ClientReply {
                    seq,
                    result: reply.result,
                })
            }
            ClientCodec::Gob(_, dec) => read_gob_reply(dec, r, raw),
        }
    }
}

/// A reply in gob: the `Response`, then the result (client.go,
/// `input`). After an error the body is read and thrown away, as
/// Go's client does with `ReadResponseBody(nil)`.
fn read_gob_reply(
    dec: &mut netrpc::Decoder,
    r: &mut impl Read,
    raw: &mut Vec<u8>,
) -> Result<ClientReply, CallError> {
    let broken = |e: gob::GobError| CallError::Broken {
        why: e.to_string(),
        answer: None,
    };
    let (id, node) = dec.read_value(r, Some(raw))?.ok_or(CallError::Eof)?;
    let head = netrpc::response(&dec.types, id, &node).map_err(broken)?;
    let body = dec.read_value(r, Some(raw));
    if !head.error.is_empty() {
        return Ok(ClientReply {
            seq: head.seq,
            result: Err(head.error),
        });
    }
    let (id, node) = body?.ok_or(CallError::Closed(
        "connection closed after a reply's header",
    ))?;
    let value = netrpc::int(&dec.types, id, &node).map_err(broken)?;
    Ok(ClientReply {
        seq: head.seq,
        result: Ok(value),
    })
}

impl std::error::Error for CallError {}
