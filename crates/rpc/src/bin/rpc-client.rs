//! rpc-client: Tsoukalos's RPCclient.go (Mastering Go, "An RPC
//! client") in Rust.
//!
//! It connects to rpc-server, calls `MyInterface.Add` and then
//! `MyInterface.Subtract` with the book's arguments {17, 18, true,
//! false} (that is, -17 and +18) and prints the two replies:
//! `Reply (Add): 1` and `Reply (Subtract): -35`.
//!
//! Run it: `cargo run -p rpc --bin rpc-client -- localhost:1234`
//!
//! Three options the book's client does not have, for looking closer:
//! `--dump` prints every frame sent and received as `hexdump -C`
//! would; `--call METHOD` calls that one method instead of the two;
//! `--args A1,A2,S1,S2` sends other arguments (e.g. `7,0,false,false`).
//!
//! Time limits: 5 s to connect, 5 s for each reply. Errors: one line
//! on stderr and exit status 100, as the book's programs.

use anyhow::{Context, Result, anyhow, bail};
use rpc::{ADD, Call, FrameError, MyInts, SUBTRACT};
use std::io::Write;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::time::Duration;

/// How long to wait for the TCP handshake with the server.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How long to wait for each reply (and for each send to be taken).
const REPLY_TIMEOUT: Duration = Duration::from_secs(5);

const USAGE: &str =
    "usage: rpc-client [--dump] [--call METHOD] [--args A1,A2,S1,S2] HOST:PORT";

fn main() {
    // Tsoukalos's programs print the error and exit with status 100.
    if let Err(e) = run() {
        eprintln!("{e:#}");
        std::process::exit(100);
    }
}

/// What the command line asked for.
struct Options {
    addr: String,
    dump: bool,
    call: Option<String>,
    args: MyInts,
}

fn run() -> Result<()> {
    let opts = parse_options(std::env::args().skip(1).collect())?;

    // ANCHOR: dial
    // rpc.Dial("tcp", CONNECT): a TCP connection, nothing sent yet.
    let mut client = Client::dial(&opts.addr, opts.dump)?;
    // sharedRPC.MyInts{17, 18, true, false}, unless --args said else.
    let args = opts.args;
    // ANCHOR_END: dial

    if let Some(method) = &opts.call {
        let reply = client.call(method, &args)?;
        let short = method.rsplit('.').next().unwrap_or(method);
        println!("Reply ({short}): {reply}");
        return Ok(());
    }

    // ANCHOR: calls
    // c.Call("MyInterface.Add", args, &reply): one frame out, wait for
    // the frame that answers it.
    let reply = client.call(ADD, &args)?;
    println!("Reply (Add): {reply}");

    let reply = client.call(SUBTRACT, &args)?;
    println!("Reply (Subtract): {reply}");
    // ANCHOR_END: calls
    Ok(())
}

fn parse_options(argv: Vec<String>) -> Result<Options> {
    if argv.is_empty() {
        // The book's words, and its exit status (100).
        bail!("Please provide a host:port string!");
    }
    let mut opts = Options {
        addr: String::new(),
        dump: false,
        call: None,
        args: MyInts::BOOK,
    };
    let mut addrs = Vec::new();
    let mut it = argv.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--dump" => opts.dump = true,
            "--call" => opts.call = Some(it.next().context(USAGE)?),
            "--args" => {
                let text = it.next().context(USAGE)?;
                opts.args =
                    rpc::parse_my_ints(&text).map_err(anyhow::Error::msg)?;
            }
            flag if flag.starts_with('-') => {
                bail!("unknown option {flag:?}: {USAGE}")
            }
            _ => addrs.push(a),
        }
    }
    match <[String; 1]>::try_from(addrs) {
        Ok([addr]) => opts.addr = addr,
        Err(_) => bail!("{USAGE}"),
    }
    Ok(opts)
}

/// One connection to the server, and the id of the last call.
struct Client {
    stream: TcpStream,
    addr: String,
    last_id: u32,
    dump: bool,
}

impl Client {
    // ANCHOR: connect
    /// Resolve HOST:PORT and try each address in turn, as Go's Dial
    /// does: `localhost` often gives ::1 and 127.0.0.1, and a server
    /// bound to 127.0.0.1 refuses ::1 at once.
    fn dial(addr: &str, dump: bool) -> Result<Client> {
        let targets: Vec<SocketAddr> = addr
            .to_socket_addrs()
            .with_context(|| format!("resolving {addr}"))?
            .collect();
        let mut last_err = None;
        for target in &targets {
            match TcpStream::connect_timeout(target, CONNECT_TIMEOUT) {
                Ok(stream) => {
                    stream.set_read_timeout(Some(REPLY_TIMEOUT))?;
                    stream.set_write_timeout(Some(REPLY_TIMEOUT))?;
                    let addr = addr.to_string();
                    return Ok(Client {
                        stream,
                        addr,
                        last_id: 0,
                        dump,
                    });
                }
                Err(e) => last_err = Some(e),
            }
        }
        match last_err {
            Some(e) => Err(e).with_context(|| format!("connecting to {addr}")),
            None => bail!("resolving {addr}: no address found"),
        }
    }
    // ANCHOR_END: connect

    // ANCHOR: call
    /// Send one call and wait for its reply. An error reply from the
    /// server becomes an error here, as `Call` returns Go's
    /// `rpc.ServerError`.
    fn call(&mut self, method: &str, args: &MyInts) -> Result<i64> {
        self.last_id = self.last_id.wrapping_add(1);
        let id = self.last_id;
        let addr = &self.addr;
        let frame = Call::new(id, method, args)
            .encode()
            .with_context(|| format!("calling {method}"))?;
        self.show("sent", &frame);
        (&self.stream).write_all(&frame).with_context(|| {
            format!("sending the call to {method} to {addr}")
        })?;

        let waiting =
            || format!("waiting for the reply to {method} from {addr}");
        let body = match rpc::read_frame(&mut &self.stream) {
            Ok(Some(body)) => body,
            Ok(None) => {
                bail!("{}: the server closed the connection", waiting())
            }
            Err(e) if e.is_timeout() => {
                bail!(
                    "{}: no reply within {} s",
                    waiting(),
                    REPLY_TIMEOUT.as_secs()
                )
            }
            Err(e @ FrameError::TooLarge(_)) => bail!("{}: {e}", waiting()),
            Err(e) => return Err(e).with_context(waiting),
        };
        self.show(
            "received",
            &[&(body.len() as u32).to_be_bytes(), &body[..]].concat(),
        );

        let reply = rpc::decode_reply(&body).with_context(|| {
            format!("reading the reply to {method} from {addr}")
        })?;
        match reply.result {
            Err(msg) => Err(anyhow!(
                "calling {method} on {addr}: the server says: {msg}"
            )),
            Ok(_) if reply.id != id => bail!(
                "reading the reply to {method} from {addr}: it answers call {} instead of {id}",
                reply.id
            ),
            Ok(value) => Ok(value),
        }
    }
    // ANCHOR_END: call

    /// With --dump, print a frame as `hexdump -C` would.
    fn show(&self, what: &str, frame: &[u8]) {
        if self.dump {
            println!("{what} {} bytes:", frame.len());
            print!("{}", rpc::hexdump(frame));
        }
    }
}
