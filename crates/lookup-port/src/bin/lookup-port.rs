//! lookup-port: Newmarch, *Socket-level Programming*, "Services" and
//! "Ports", program `LookupPort`.
//!
//! Turns a service name such as `telnet` into the port number that
//! servers of that service listen on, the way Go's `net.LookupPort`
//! does: from the services file, with Go's small built-in table
//! underneath. No packet is sent: this is a table lookup on this
//! machine, not a question to the network.
//!
//! Run it: `cargo run -q -p lookup-port -- tcp telnet` (the page shows
//! what it prints).
//!
//! The file is `/etc/services`, or the one the environment variable
//! `NETPROG_SERVICES` names.
//!
//! Exit status: 0 found; 1 usage error; 2 lookup failed (as Go's
//! program).

use lookup_port::{
    SERVICES_ENV, SERVICES_PATH, ServiceTable, cli, elogln, lookup_port, outln,
    parse_services,
};
use std::process::ExitCode;

// ANCHOR: main
fn main() -> ExitCode {
    // Go: `if len(os.Args) != 3`. Go looks an argument that is not
    // UTF-8 up byte for byte; here it is converted lossily (each
    // invalid sequence becomes U+FFFD) rather than refused: no real
    // services file names a service so.
    let args: Vec<String> = cli::args()
        .iter()
        .map(|a| a.to_string_lossy().into_owned())
        .collect();
    let [network_type, service] = args.as_slice() else {
        elogln!(
            "Usage: lookup-port network-type service \
             (for example: lookup-port tcp telnet)"
        );
        return ExitCode::from(1);
    };

    // Go: `port, err := net.LookupPort(networkType, service)`.
    let table = service_table();
    match lookup_port(&table, network_type, service) {
        Ok(port) => {
            // Go's Println put two spaces here; the book shows a colon.
            outln!("Service port {port}");
            ExitCode::SUCCESS
        }
        Err(err) => {
            // Go printed `Error:  ...` on standard output; errors belong
            // on standard error, so that is where this one goes.
            elogln!("Error: {err}");
            ExitCode::from(2)
        }
    }
}
// ANCHOR_END: main

// ANCHOR: service_table
/// Go's built-in table, plus the services file if it can be read.
///
/// Go's own resolver reads `/etc/services` once, the first time it
/// looks a name up, and says nothing if it cannot: a machine without
/// the file simply knows fewer names. We stay silent too about
/// `/etc/services` (but read it at start, even for a number, which Go
/// never looks up). A file named by `NETPROG_SERVICES` is one you chose
/// on purpose, so a failure to read it gets a note on stderr (the
/// lookup still goes on).
fn service_table() -> ServiceTable {
    let mut table = ServiceTable::builtin();
    let chosen = std::env::var_os(SERVICES_ENV);
    let path = chosen.clone().unwrap_or_else(|| SERVICES_PATH.into());
    match std::fs::read(&path) {
        // The file is text, but one stray byte that is not UTF-8 must
        // not hide every other line: convert lossily.
        Ok(bytes) => {
            table.add(parse_services(&String::from_utf8_lossy(&bytes)))
        }
        Err(err) if chosen.is_some() => elogln!(
            "note: cannot read {} (named by {SERVICES_ENV}): {err}; \
             using Go's built-in table only",
            path.to_string_lossy()
        ),
        Err(_) => {} // no /etc/services: the built-in table it is
    }
    table
}
// ANCHOR_END: service_table
