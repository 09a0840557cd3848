//! mask: Newmarch, *Socket-level Programming*, "The type IPMask",
//! program `Mask`.
//!
//! Parses a dotted IPv4 address, finds its classful default mask
//! (class A: 8 network bits, B: 16, C: 24) and ANDs the two to get
//! the network the address belongs to.
//!
//! Run it: `cargo run -q -p ip-mask -- 127.0.0.1` (the page shows what
//! it prints: the five fields of Go's program).
//!
//! Exit status: 0 on success; 1 for a usage error or an invalid
//! address (as Go's program).

use ip_mask::{Mask, cli, default_mask, elogln, outln, parse_ip};
use std::net::IpAddr;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = cli::args();
    let [dot_addr] = args.as_slice() else {
        elogln!("Usage: mask dotted-ip-addr (for example: mask 192.168.1.10)");
        return ExitCode::from(1);
    };
    // Bytes that are not UTF-8 are no address either.
    let dot_addr = match cli::text(dot_addr) {
        Ok(text) => text,
        Err(e) => {
            elogln!("Invalid address: {e}");
            return ExitCode::from(1);
        }
    };

    // Go: `addr := net.ParseIP(dotAddr)`; nil means invalid.
    let Some(addr) = parse_ip(dot_addr) else {
        elogln!(
            "Invalid address: {dot_addr:?} is not an IP address \
             (e.g. 192.168.1.10)"
        );
        return ExitCode::from(1);
    };

    outln!("{}", report(addr));
    ExitCode::SUCCESS
}

// ANCHOR: report
/// The one line Go's program prints, field by field.
fn report(addr: IpAddr) -> String {
    // Go: `mask := addr.DefaultMask()`. Only IPv4 addresses have a
    // class, so Go returns nil for IPv6, and so do we (None).
    let mask: Option<Mask> = match addr {
        IpAddr::V4(v4) => Some(default_mask(v4)),
        IpAddr::V6(_) => None,
    };
    // Go: `network := addr.Mask(mask)`: address AND mask.
    let network = match (addr, mask) {
        (IpAddr::V4(v4), Some(m)) => m.network(v4).to_string(),
        _ => "<nil>".to_string(), // how Go prints a nil IP
    };
    // Go: `ones, bits := mask.Size()`. A nil mask has size 0, 0.
    let (ones, bits) = mask.map_or((0, 0), Mask::size);
    let hex = mask.map_or("<nil>".to_string(), Mask::hex);

    // Go passes ten operands to one Println, which puts a space
    // between each and so prints two spaces around every value. We
    // print the single spaces the book shows.
    format!(
        "Address is {addr} Default mask length is {bits} \
         Leading ones count is {ones} Mask is (hex) {hex} \
         Network is {network}"
    )
}
// ANCHOR_END: report
