//! parse-ip: Newmarch, *Socket-level Programming*, "The type IP",
//! program `IP`.
//!
//! Parses the one argument as an IPv4 or IPv6 address and prints it
//! back in its canonical form. Nothing goes on the wire: parsing an
//! address is pure text work, no lookup, no socket.
//!
//! Run it: `cargo run -q -p ip-mask --bin parse-ip -- 0:0:0:0:0:0:0:1`
//! (the page shows what it prints).
//!
//! Exit status: 0 for a valid address; 1 for a usage error or an
//! invalid address (Go's program exits 0 even then: see the page).

use ip_mask::{cli, elogln, outln};
use std::process::ExitCode;

// ANCHOR: main
fn main() -> ExitCode {
    // Go: `if len(os.Args) != 2`. cli::args() leaves the program's
    // name out, so exactly one argument is expected.
    let args = cli::args();
    let [name] = args.as_slice() else {
        elogln!("Usage: parse-ip ip-addr (for example: parse-ip 127.0.0.1)");
        return ExitCode::from(1);
    };
    // Bytes that are not UTF-8 are no address either.
    let name = match cli::text(name) {
        Ok(text) => text,
        Err(e) => {
            elogln!("Invalid address: {e}");
            return ExitCode::from(1);
        }
    };

    // Go: `addr := net.ParseIP(name)`, nil when the text is no address.
    match ip_mask::parse_ip(name) {
        Some(addr) => {
            // Go: `fmt.Println("The address is ", addr.String())`.
            // Println adds a space between operands, so Go prints two
            // spaces here; we print the one the book shows.
            outln!("The address is {addr}");
            ExitCode::SUCCESS
        }
        None => {
            elogln!(
                "Invalid address: {name:?} is neither dotted IPv4 \
                 (127.0.0.1) nor IPv6 (::1)"
            );
            ExitCode::from(1)
        }
    }
}
// ANCHOR_END: main
