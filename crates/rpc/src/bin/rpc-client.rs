//! rpc-client: Tsoukalos's RPCclient.go (Go Systems Programming, "An RPC
//! client") in Rust.
//!
//! It connects to an RPC server, calls `MyInterface.Add` and then
//! `MyInterface.Subtract` with the book's arguments {17, 18, true,
//! false} (that is, -17 and +18) and prints the two replies:
//! `Reply (Add): 1` and `Reply (Subtract): -35`. It speaks gob, as
//! Go's net/rpc does, so the server can be Go's RPCserver or
//! rpc-server; `--frames` speaks the hand-made frames instead (to
//! rpc-server --frames).
//!
//! Run it: `cargo run -p rpc --bin rpc-client -- localhost:1234`
//!
//! Options the book's client does not have, for looking closer:
//! `--dump` prints every byte sent and received, explained;
//! `--call METHOD` calls that one method instead of the two;
//! `--args A1,A2,S1,S2` sends other arguments (e.g. `7,0,false,false`).
//!
//! Time limits: 5 s to connect, 5 s for each call and its whole
//! reply (both times `NETPROG_TIME_SCALE`, see `cli::time_limit`).
//! Errors, a bad `NETPROG_TIME_SCALE` among them: one line on stderr
//! and exit status 100, as the book's programs.

use anyhow::{Context, Result, anyhow, bail};
use rpc::args::ClientOptions;
use rpc::cli::Secs;
use rpc::codec::{CallError, ClientCodec, Encoding};
use rpc::deadline::Deadline;
use rpc::gob::annotate::Annotator;
use rpc::show::{hexdump, printable};
use rpc::timed::{Timed, is_timeout};
use rpc::{ADD, MyInts, SUBTRACT, cli, elogln, out, outln};
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

// ANCHOR: limits
/// How long connecting may take, all of the server's addresses
/// together.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long one call may take: sending it, and all of its reply.
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);
// ANCHOR_END: limits

/// The limits this run keeps: the constants above, scaled by
/// `NETPROG_TIME_SCALE` (the tests make them short).
#[derive(Debug, Clone, Copy)]
struct Limits {
    connect: Duration,
    reply: Duration,
}

impl Limits {
    /// Read once, before anything goes on the network.
    fn from_env() -> Result<Limits> {
        Ok(Limits {
            connect: cli::time_limit(CONNECT_TIMEOUT)
                .map_err(anyhow::Error::msg)?,
            reply: cli::time_limit(REPLY_TIMEOUT)
                .map_err(anyhow::Error::msg)?,
        })
    }
}

fn main() {
    // Tsoukalos's programs print the error and exit with status 100.
    // The message may hold text from the server: keep its control
    // characters off the terminal.
    if let Err(e) = run() {
        elogln!("{}", printable(&format!("{e:#}")));
        std::process::exit(100);
    }
}

fn run() -> Result<()> {
    let opts = rpc::args::client(cli::args()).map_err(anyhow::Error::msg)?;
    let limits = Limits::from_env()?;

    // ANCHOR: dial
    // rpc.Dial("tcp", CONNECT): a TCP connection, nothing sent yet.
    let mut client = Client::dial(&opts, limits)?;
    // sharedRPC.MyInts{17, 18, true, false}, unless --args said else.
    let args = opts.args;
    // ANCHOR_END: dial

    if let Some(method) = &opts.call {
        let reply = client.call(method, &args)?;
        let short = method.rsplit('.').next().unwrap_or(method);
        outln!("Reply ({}): {reply}", printable(short));
        return Ok(());
    }

    // ANCHOR: calls
    // c.Call("MyInterface.Add", args, &reply): send the call, wait
    // for the reply that answers it.
    let reply = client.call(ADD, &args)?;
    outln!("Reply (Add): {reply}");

    let reply = client.call(SUBTRACT, &args)?;
    outln!("Reply (Subtract): {reply}");
    // ANCHOR_END: calls
    Ok(())
}

/// One connection to the server, and the number of the next call.
struct Client {
    stream: TcpStream,
    addr: String,
    codec: ClientCodec,
    next_seq: u64,
    dump: Option<Dump>,
    /// How long each call may take (`REPLY_TIMEOUT`, scaled).
    reply_timeout: Duration,
}

/// What `--dump` needs: gob's bytes can only be explained with the
/// types defined earlier on the connection, one table each way.
struct Dump {
    encoding: Encoding,
    sent: Annotator,
    received: Annotator,
}

impl Client {
    // ANCHOR: connect
    /// Resolve HOST:PORT and try each address in turn: `localhost`
    /// often gives ::1 and 127.0.0.1, and a server bound to 127.0.0.1
    /// refuses ::1 at once. As Go's Dial with a timeout does
    /// (net/dial.go, `partialDeadline`), each address gets an equal
    /// share of the time left, but at least 2 s when there is that
    /// much; and the error kept is the first address's.
    fn dial(opts: &ClientOptions, limits: Limits) -> Result<Client> {
        let (addr, encoding) = (opts.addr.as_str(), opts.encoding);
        let targets: Vec<SocketAddr> = addr
            .to_socket_addrs()
            .with_context(|| format!("resolving {addr}"))?
            .collect();
        let deadline = Deadline::after(limits.connect);
        let mut first_err = None;
        for (i, target) in targets.iter().enumerate() {
            let left = match deadline.left() {
                Ok(left) => left,
                Err(e) => {
                    first_err.get_or_insert(e);
                    break;
                }
            };
            let share = left / (targets.len() - i) as u32;
            let share = share.max(left.min(Duration::from_secs(2)));
            match TcpStream::connect_timeout(target, share) {
                Ok(stream) => {
                    let codec = ClientCodec::new(encoding);
                    return Ok(Client {
                        stream,
                        addr: addr.to_string(),
                        next_seq: codec.first_seq(),
                        codec,
                        dump: opts.dump.then(|| Dump {
                            encoding,
                            sent: Annotator::default(),
                            received: Annotator::default(),
                        }),
                        reply_timeout: limits.reply,
                    });
                }
                Err(e) => {
                    first_err.get_or_insert(e);
                }
            }
        }
        match first_err {
            Some(e) => Err(e).with_context(|| format!("connecting to {addr}")),
            None => bail!("resolving {addr}: no address found"),
        }
    }
    // ANCHOR_END: connect

    // ANCHOR: call
    /// Send one call and wait for its reply, all within one deadline.
    /// An error reply from the server becomes an error here, as
    /// `Call` returns Go's `rpc.ServerError`.
    fn call(&mut self, method: &str, args: &MyInts) -> Result<i64> {
        let seq = self.next_seq;
        self.next_seq = seq.wrapping_add(1);
        let addr = self.addr.clone();
        let name = method;
        // The name as messages show it: a long one is cut.
        let method: String = match method.char_indices().nth(60) {
            Some((end, _)) => format!("{}...", &method[..end]),
            None => method.to_string(),
        };
        let bytes = self
            .codec
            .call(seq, name, args)
            .map_err(|e| anyhow!("{method}: {e}"))?;
        self.show("sent", &bytes);

        let deadline = Deadline::after(self.reply_timeout);
        let limit = Secs(self.reply_timeout);
        let late = || anyhow!("{method}: no reply from {addr} within {limit}");
        let mut conn = Timed::new(&self.stream, deadline);
        match conn.write_all(&bytes) {
            Err(e) if is_timeout(&e) => return Err(late()),
            Err(e) => {
                let what = format!("{method}: sending the call to {addr}");
                return Err(e).context(what);
            }
            Ok(()) => {}
        }
        let mut raw = Vec::new();
        let reply = self.codec.read_reply(&mut conn, &mut raw);
        self.show("received", &raw);
        let bad = |why: &str| anyhow!("{method}: bad reply from {addr}: {why}");
        let reply = match reply {
            Ok(reply) => reply,
            Err(CallError::Io(e)) if is_timeout(&e) => return Err(late()),
            Err(CallError::Eof) => {
                bail!("{method}: {addr} closed the connection without a reply")
            }
            Err(CallError::Broken { why, .. }) => return Err(bad(&why)),
            Err(e) => {
                let what = format!("{method}: reading the reply from {addr}");
                return Err(e).context(what);
            }
        };
        match reply.result {
            Err(msg) => bail!("{method}: the server says: {msg}"),
            Ok(_) if reply.seq != seq => Err(bad(&format!(
                "it answers call {} instead of {seq}",
                reply.seq
            ))),
            Ok(value) => Ok(value),
        }
    }
    // ANCHOR_END: call

    /// With --dump, show bytes: frames as `hexdump -C` would, gob
    /// explained message by message.
    fn show(&mut self, what: &str, bytes: &[u8]) {
        let Some(dump) = &mut self.dump else {
            return;
        };
        if bytes.is_empty() {
            return;
        }
        outln!("{what} {} bytes:", bytes.len());
        match (dump.encoding, what) {
            (Encoding::Frames, _) => out!("{}", hexdump(bytes)),
            (Encoding::Gob, "sent") => out!("{}", dump.sent.explain(bytes)),
            (Encoding::Gob, _) => out!("{}", dump.received.explain(bytes)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The page quotes the message of a reply that does not come; the
    /// module's comment gives 5 s for each limit. Both must stay true
    /// of the constants (the tests run with them scaled).
    #[test]
    fn the_default_limits_are_those_the_page_shows() {
        let page =
            concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/src/rpc.md");
        let page = std::fs::read_to_string(page).unwrap_or_default();
        let said = format!(
            "no reply from localhost:8000 within {}",
            Secs(REPLY_TIMEOUT)
        );
        assert!(page.contains(&said), "the page does not say {said:?}");
        assert_eq!(CONNECT_TIMEOUT, Duration::from_secs(5));
        assert_eq!(REPLY_TIMEOUT, Duration::from_secs(5));
    }
}
