//! look-host: print the IP addresses of a host name.
//!
//! Source: Mihalis Tsoukalos, *Go Systems Programming*, chapter 12, section
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

use resolve::{cli, elogln, outln};
use std::process::exit;

fn main() {
    let arguments = cli::args();
    let hostname = match arguments.as_slice() {
        [] => {
            elogln!(
                "Please provide an argument! (a host name, e.g. localhost)"
            );
            exit(100);
        }
        [one] => one,
        // Go ignores extra arguments; we refuse them, so a learner who
        // typed `look-host a b` knows `b` was not looked up.
        _ => {
            elogln!("Too many arguments: look-host takes one host name");
            exit(100);
        }
    };
    let hostname = match cli::text(hostname) {
        Ok(name) => name,
        Err(e) => {
            elogln!("{e}");
            exit(100);
        }
    };

    // net.LookupHost(hostname): every address, through getaddrinfo.
    let ips = match resolve::lookup_host(hostname) {
        Ok(ips) => ips,
        Err(e) => {
            elogln!("{e}");
            exit(100);
        }
    };
    for ip in ips {
        outln!("{ip}");
    }
}
