//! look-host: print the IP addresses of a host name.
//!
//! Source: Mihalis Tsoukalos, *Mastering Go*, network chapter, section
//! "Using a host name as input", program lookHost. The same lookup as
//! Newmarch's LookupHost, in Tsoukalos's style: exit status 100 for
//! every failure.
//!
//! Run it:
//!
//! ```sh
//! cargo run -p resolve --bin look-host -- localhost
//! ```
//!
//! Exit status: 0 on success, 100 on any error.

use std::process::exit;

fn main() {
    let arguments = match resolve::utf8_args() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("{e}");
            exit(100);
        }
    };
    // (`< 2` rather than Go's `== 1`: a program can even be started
    // with no arguments at all, not even its own name.)
    if arguments.len() < 2 {
        eprintln!("Please provide an argument! (a host name, e.g. localhost)");
        exit(100);
    }
    // Go ignores extra arguments; we refuse them, so a learner who
    // typed `look-host a b` knows `b` was not looked up.
    if arguments.len() > 2 {
        eprintln!("Too many arguments: look-host takes one host name");
        exit(100);
    }

    // ANCHOR: lookup
    let hostname = &arguments[1];
    // net.LookupHost(hostname): every address, through getaddrinfo.
    let ips = match resolve::lookup_host(hostname) {
        Ok(ips) => ips,
        Err(e) => {
            eprintln!("{e}");
            exit(100);
        }
    };

    for ip in ips {
        println!("{ip}");
    }
    // ANCHOR_END: lookup
}
