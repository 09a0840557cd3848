//! lookup-host: print every address of a host name.
//!
//! Source: Jan Newmarch, *Socket-level Programming*, section "Host
//! lookup", program LookupHost. Where ResolveIP keeps one address, this
//! prints all of them: a name may have several (one per network card,
//! an IPv4 and an IPv6 one, several servers behind one name).
//!
//! Run it:
//!
//! ```sh
//! cargo run -p resolve --bin lookup-host -- localhost
//! ```
//!
//! Exit status: 0 on success, 1 on a usage error, 2 when the name does
//! not resolve (as the book's program does).

use resolve::{cli, elogln, outln};
use std::process::exit;

fn main() {
    let args = cli::args();
    let [name] = args.as_slice() else {
        elogln!("Usage: lookup-host hostname");
        exit(1);
    };
    let name = match cli::text(name) {
        Ok(name) => name,
        Err(e) => {
            elogln!("Fatal error: {e}");
            exit(1);
        }
    };

    // ANCHOR: lookup
    // net.LookupHost(name) returns strings, and so does
    // resolve::lookup_host: the addresses getaddrinfo found, or a
    // literal address exactly as it was given.
    let addrs = match resolve::lookup_host(name) {
        Ok(addrs) => addrs,
        Err(e) => {
            // Go: "Error:  lookup NAME: no such host" (two spaces, from
            // Println). We add what getaddrinfo itself said.
            elogln!("Error: {e}");
            exit(2);
        }
    };

    for s in addrs {
        outln!("{s}");
    }
    // ANCHOR_END: lookup
}
