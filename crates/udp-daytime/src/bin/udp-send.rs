//! udp-send: send one UDP datagram of a given size, and wait for a reply.
//!
//! Not from the books: a tool for the lab's MTU lesson
//! (docs/src/udp-daytime.md, "In the lab"). Send it to the daytime
//! server, which answers any datagram, and the answer proves that the
//! datagram arrived whole, however the network cut it on the way.
//!
//! ```sh
//! udp-send [--df | --no-df] HOST:PORT SIZE
//! ```
//!
//! SIZE is the UDP payload in bytes (0 to 65535; the kernel refuses
//! what an IP packet cannot hold). `--df` asks the kernel to set the
//! "don't fragment" flag and never to fragment (`IP_PMTUDISC_DO`),
//! `--no-df` to fragment when needed (`IP_PMTUDISC_DONT`); with
//! neither, the kernel does what it does by default (on Linux,
//! `IP_PMTUDISC_WANT`: "don't fragment" until it knows the path's MTU,
//! then fragments itself).
//!
//! It demonstrates what a sender sees of fragmentation: nothing, or
//! `EMSGSIZE` ("Message too long") from `send` or `recv`, and the
//! path MTU the kernel has learnt (`IP_MTU`).
//!
//! Exit status: 0 when a reply came; 1 when the send failed, an error
//! came back instead of a reply, or nothing came within 1 s; 2 for
//! bad usage; 141 when stdout is closed. Linux only: the socket
//! options are Linux's (ip(7), ipv6(7)).

use anyhow::{Context, Result, anyhow, bail};
use rustix::io::Errno;
use rustix::net::sockopt;
use rustix::net::sockopt::{Ipv4PathMtuDiscovery, Ipv6PathMtuDiscovery};
use std::ffi::OsString;
use std::io;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::process::exit;
use std::time::Duration;
use udp_daytime::{cli, is_timeout, resolve};
use udp_daytime::{elogln, outln};

// ANCHOR: limits
const USAGE: &str = "usage: udp-send [--df | --no-df] HOST:PORT SIZE";

/// The largest SIZE we take: IP's 16-bit length field cannot say more.
/// The kernel refuses a little less (IPv4: 65,535 less 20 bytes of IP
/// header and 8 of UDP header, 65,507), and says so: `EMSGSIZE`.
const MAX_SIZE: usize = 65535;

/// How long to wait for the reply, or for an ICMP error instead. A
/// round trip in the lab takes a fraction of a millisecond (the lab
/// page's ping): 1 s is plenty, and short enough to wait for.
const REPLY_WAIT: Duration = Duration::from_secs(1);
// ANCHOR_END: limits

/// What to ask of the kernel about fragmenting.
#[derive(Clone, Copy, Debug)]
enum Df {
    /// Leave the socket as the kernel made it.
    Default,
    /// `--df`: `IP_PMTUDISC_DO`.
    Set,
    /// `--no-df`: `IP_PMTUDISC_DONT`.
    Clear,
}

fn main() {
    let args = cli::args();
    let (df, service, size) = match parse(&args) {
        Ok(parsed) => parsed,
        Err(e) => {
            elogln!("udp-send: {e}; {USAGE}");
            exit(2);
        }
    };
    if let Err(err) = run(df, &service, size) {
        elogln!("udp-send: {err:#}");
        exit(1);
    }
}

/// The options (anywhere), then HOST:PORT and SIZE.
fn parse(args: &[OsString]) -> Result<(Df, String, usize), String> {
    let mut df = Df::Default;
    let mut words = Vec::new();
    for a in args {
        match cli::text(a)? {
            "--df" => df = Df::Set,
            "--no-df" => df = Df::Clear,
            o if o.starts_with('-') => return Err(format!("no option {o}")),
            w => words.push(w.to_string()),
        }
    }
    let [service, size] = words.as_slice() else {
        return Err("give HOST:PORT and SIZE".into());
    };
    let size = size
        .parse()
        .ok()
        .filter(|n| *n <= MAX_SIZE)
        .ok_or_else(|| format!("SIZE: 0 to {MAX_SIZE} bytes, not {size:?}"))?;
    Ok((df, service.clone(), size))
}

fn run(df: Df, service: &str, size: usize) -> Result<()> {
    let server = resolve(service)?;
    let socket = connected(server)?;
    set_df(&socket, server, df)?;

    // ANCHOR: send
    // One send, one datagram: UDP never splits a datagram in two, the
    // IP layer below it may (fragments), and the receiving kernel
    // puts the pieces together again before the server sees any.
    let datagram = vec![b'x'; size];
    let n = socket
        .send(&datagram)
        .map_err(|e| with_path_mtu(e, &socket, server, "sending"))?;
    outln!("sent {n} bytes to {server}");
    // ANCHOR_END: send

    // ANCHOR: reply
    // A "too big" from a router on the way comes back as ICMP, and
    // the kernel turns it into EMSGSIZE for this connected socket, as
    // it turns "port unreachable" into ECONNREFUSED: recv reports it.
    let mut buf = [0u8; 2048];
    match socket.recv(&mut buf) {
        Ok(n) => outln!("reply: {n} bytes"),
        Err(e) if is_timeout(&e) => {
            bail!("no reply within {} s", REPLY_WAIT.as_secs())
        }
        Err(e) => return Err(with_path_mtu(e, &socket, server, "receiving")),
    }
    // ANCHOR_END: reply
    Ok(())
}

/// A UDP socket connected to `server`, with the reply's time limit.
fn connected(server: SocketAddr) -> Result<UdpSocket> {
    let local: SocketAddr = match server {
        SocketAddr::V4(_) => (Ipv4Addr::UNSPECIFIED, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::UNSPECIFIED, 0).into(),
    };
    let socket = UdpSocket::bind(local).context("opening a UDP socket")?;
    // Connected, as the daytime client is: ICMP errors about our
    // datagram ("fragmentation needed", "packet too big") are then
    // reported to this socket, and IP_MTU can be asked (ip(7): only on
    // a connected socket).
    socket
        .connect(server)
        .with_context(|| format!("connecting to {server}"))?;
    socket
        .set_read_timeout(Some(REPLY_WAIT))
        .context("setting the read timeout")?;
    Ok(socket)
}

// ANCHOR: set_df
/// Ask for "don't fragment" or for fragments, on either IP version.
fn set_df(socket: &UdpSocket, server: SocketAddr, df: Df) -> Result<()> {
    // IP_MTU_DISCOVER (ip(7)) and IPV6_MTU_DISCOVER (ipv6(7)) take the
    // same four values. DO: set DF, never fragment, and fail a send
    // longer than the known path MTU with EMSGSIZE. DONT: never set
    // DF; fragment to the known path MTU. WANT (Linux's default):
    // DF until the kernel learns a smaller path MTU, then fragment
    // itself. IPv6 has no DF flag: no router ever fragments (RFC
    // 8200), so the choice there is only whether we fragment and
    // whether "packet too big" is reported to us.
    let result = match (server, df) {
        (_, Df::Default) => return Ok(()),
        (SocketAddr::V4(_), Df::Set) => {
            sockopt::set_ip_mtu_discover(socket, Ipv4PathMtuDiscovery::DO)
        }
        (SocketAddr::V4(_), Df::Clear) => {
            sockopt::set_ip_mtu_discover(socket, Ipv4PathMtuDiscovery::DONT)
        }
        (SocketAddr::V6(_), Df::Set) => {
            sockopt::set_ipv6_mtu_discover(socket, Ipv6PathMtuDiscovery::DO)
        }
        (SocketAddr::V6(_), Df::Clear) => {
            sockopt::set_ipv6_mtu_discover(socket, Ipv6PathMtuDiscovery::DONT)
        }
    };
    result
        .map_err(io::Error::from)
        .context("setting IP_MTU_DISCOVER")
}
// ANCHOR_END: set_df

// ANCHOR: path_mtu
/// The kernel's path MTU towards the peer (IP_MTU, IPV6_MTU): the
/// interface's MTU, or less once an ICMP "too big" taught it less.
fn path_mtu(socket: &UdpSocket, server: SocketAddr) -> io::Result<u32> {
    let mtu = match server {
        SocketAddr::V4(_) => sockopt::ip_mtu(socket),
        SocketAddr::V6(_) => sockopt::ipv6_mtu(socket),
    };
    Ok(mtu?)
}

/// An error of `doing`; for EMSGSIZE, with the path MTU that explains
/// it.
fn with_path_mtu(
    err: io::Error,
    socket: &UdpSocket,
    server: SocketAddr,
    doing: &str,
) -> anyhow::Error {
    if !is_too_big(&err) {
        return anyhow!("{doing}: {err}");
    }
    match path_mtu(socket, server) {
        Ok(mtu) => anyhow!("{doing}: {err}; path MTU {mtu}"),
        Err(e) => anyhow!("{doing}: {err}; path MTU unknown ({e})"),
    }
}

/// EMSGSIZE, "Message too long": the datagram does not fit, as the
/// kernel or a router on the way said.
fn is_too_big(err: &io::Error) -> bool {
    err.raw_os_error() == Some(Errno::MSGSIZE.raw_os_error())
}
// ANCHOR_END: path_mtu
