//! look-ip: the host name of an IP address (a reverse lookup).
//!
//! Source: Mihalis Tsoukalos, *Go Systems Programming*, chapter 12, section
//! "Using an IP address as input", program lookIP. It checks that the
//! argument is an IP address, then asks which name belongs to it.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p resolve --bin look-ip -- 127.0.0.1
//! ```
//!
//! Exit status: 0 on success, 100 on any error.

use resolve::{cli, elogln, outln};
use std::net::IpAddr;
use std::process::exit;

fn main() {
    let arguments = cli::args();
    let ip = match arguments.as_slice() {
        [] => {
            elogln!("Please provide an IP address! (e.g. 127.0.0.1)");
            exit(100);
        }
        [one] => one,
        _ => {
            elogln!("Too many arguments: look-ip takes one IP address");
            exit(100);
        }
    };
    let ip = match cli::text(ip) {
        Ok(ip) => ip,
        Err(e) => {
            elogln!("{e}");
            exit(100);
        }
    };

    // ANCHOR: parse
    // net.ParseIP(IP): Rust's `parse::<IpAddr>()` accepts the same
    // dotted-quad and colon forms, and refuses 288.8.8.8 the same way.
    let addr: IpAddr = match ip.parse() {
        Ok(addr) => addr,
        Err(_) => {
            elogln!(
                "Not a valid IP address! ({ip:?}: write it like \
                 127.0.0.1 or ::1)"
            );
            exit(100);
        }
    };
    // ANCHOR_END: parse

    // ANCHOR: lookup
    // net.LookupAddr(IP). Rust's std has no reverse lookup; the
    // dns-lookup crate calls the C library's getnameinfo(3), which
    // looks in /etc/hosts first, then asks the DNS for the PTR record
    // of 1.0.0.127.in-addr.arpa (in the order nsswitch.conf gives).
    // It returns one name; Go returns a list (see the page).
    let hostname = match resolve::lookup_addr(addr) {
        Ok(name) => name,
        Err(e) => {
            elogln!("{e}");
            exit(100);
        }
    };
    outln!("{hostname}");
    // ANCHOR_END: lookup
}
