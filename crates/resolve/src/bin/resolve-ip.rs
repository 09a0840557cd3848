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

use std::net::IpAddr;
use std::process::exit;

fn main() {
    // ANCHOR: args
    // Go's os.Args; `utf8_args` refuses (rather than panics on) an
    // argument that is not UTF-8.
    let args = match resolve::utf8_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("Fatal error: {e}");
            exit(1);
        }
    };
    if args.len() != 2 {
        // The book prints this twice, to stderr and to stdout; once,
        // on stderr, is enough.
        eprintln!("Usage: resolve-ip hostname");
        exit(1);
    }
    let name = &args[1];
    // ANCHOR_END: args

    // ANCHOR: resolve
    // net.ResolveIPAddr("ip", name): ask the system resolver for every
    // address of the name, then keep the one Go would keep.
    let addr = match resolve_ip_addr(name) {
        Ok(addr) => addr,
        Err(e) => {
            eprintln!("Resolution error {e:#}");
            exit(1);
        }
    };
    println!("Resolved address is {addr}");
    // ANCHOR_END: resolve
}

/// Rust's counterpart of Go's `ResolveIPAddr("ip", name)`.
///
/// Go first asks for all addresses and then picks one: the first IPv4
/// address unless the name is an IPv6 literal (see `pick_like_go`).
/// Rust's std has no single call that does both; this is it.
fn resolve_ip_addr(name: &str) -> anyhow::Result<IpAddr> {
    let addrs = resolve::lookup_host(name)?;
    // getaddrinfo reports "no such host" itself rather than an empty
    // list, but an empty list must not crash us either.
    resolve::pick_like_go(name, &addrs)
        .ok_or_else(|| anyhow::anyhow!("lookup {name}: no addresses found"))
}
