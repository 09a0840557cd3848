//! resolve-ip: turn a host name into one IP address.
//!
//! Source: Jan Newmarch, *Socket-level Programming*, section "The type
//! IPAddr", program ResolveIP. It shows the first thing every client
//! does before it can connect: ask the system for the address of a
//! name. Go's `net.ResolveIPAddr("ip", name)` may find several
//! addresses and returns one of them; so does this program.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p resolve --bin resolve-ip -- localhost
//! cargo run -p resolve -- ::1          # resolve-ip is the default binary
//! ```
//!
//! Exit status: 0 on success, 1 on a usage error or when the name does
//! not resolve (the book's program exits 1 in both cases).

use resolve::{GoIpAddr, cli, elogln, outln};
use std::ffi::OsStr;
use std::process::exit;

fn main() {
    // ANCHOR: args
    // Go's os.Args: `cli::args` gives the arguments after the
    // program's name, and `text` refuses (rather than panics on) one
    // that is not UTF-8.
    let args = cli::args();
    let [name] = args.as_slice() else {
        // The book prints this twice, to stderr and to stdout; once,
        // on stderr, is enough.
        elogln!("Usage: resolve-ip hostname");
        exit(1);
    };
    let name = text(name);
    // ANCHOR_END: args

    // ANCHOR: resolve
    // net.ResolveIPAddr("ip", name): every address of the name, then
    // the one Go would keep.
    let addr = match resolve_ip_addr(name) {
        Ok(addr) => addr,
        Err(e) => {
            elogln!("Resolution error {e:#}");
            exit(1);
        }
    };
    outln!("Resolved address is {addr}");
    // ANCHOR_END: resolve
}

/// An argument as text. One that is not UTF-8 ends the program with
/// the book's `Fatal error: ...` (its checkError) and status 1.
fn text(arg: &OsStr) -> &str {
    cli::text(arg).unwrap_or_else(|e| {
        elogln!("Fatal error: {e}");
        exit(1)
    })
}

/// Rust's counterpart of Go's `ResolveIPAddr("ip", name)`.
///
/// Go first asks for all addresses and then picks one: the first IPv4
/// address unless the name is an IPv6 literal (see `pick_like_go`).
/// Rust's std has no single call that does both; this is it.
fn resolve_ip_addr(name: &str) -> anyhow::Result<GoIpAddr> {
    let addrs = resolve::lookup_ip_addr(name)?;
    // getaddrinfo reports "no such host" itself rather than an empty
    // list, but an empty list must not crash us either.
    resolve::pick_like_go(name, &addrs)
        .ok_or_else(|| anyhow::anyhow!("lookup {name}: no addresses found"))
}
