//! What every server of this workspace does the same way: the address
//! it listens on, the words for a failed bind, and the accept error
//! it survives by waiting.
//!
//! This file is the same in every crate that has a server (a
//! repository test keeps the copies identical), so that each crate
//! can be read on its own.

use std::fmt;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::Duration;

/// A server's address argument that is neither a port nor an address
/// with a port. It names the argument, and the port when that is what
/// is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AddrError(String);

impl fmt::Display for AddrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(port) = self.0.strip_prefix(':') {
            // Go's ":1234" means every interface; say how to write it.
            return write!(
                f,
                "invalid address \"{}\": Go's \":PORT\" (every \
                 interface) is written 0.0.0.0:{port} or [::]:{port} \
                 here, and a bare {port} listens on 127.0.0.1",
                self.0
            );
        }
        write!(
            f,
            "invalid port or address \"{}\": give a port (0 to 65535) \
             or an address with a port, such as 0.0.0.0:1234 or [::]:1234",
            self.0
        )
    }
}

impl std::error::Error for AddrError {}

/// Turn a server's optional argument into the address to bind.
///
/// - no argument: `127.0.0.1:default_port`;
/// - a bare port such as `1234`: `127.0.0.1:1234`. Go's `":1234"`
///   listens on every interface; binding loopback only is the safer
///   default, and listening on the network is then a choice you make
///   by writing `0.0.0.0:1234` (or `[::]:1234`);
/// - a full address: `0.0.0.0:1234`, `[::]:1234`, `[::1]:1234`.
///
/// Port 0 asks the kernel to pick a free port.
pub fn listen_addr(
    arg: Option<&str>,
    default_port: u16,
) -> Result<SocketAddr, AddrError> {
    let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
    let Some(arg) = arg else {
        return Ok(SocketAddr::new(loopback, default_port));
    };
    let bad = || AddrError(arg.to_string());
    if !arg.is_empty() && arg.bytes().all(|b| b.is_ascii_digit()) {
        // All digits: a port, which must fit in 16 bits.
        let port = arg.parse::<u16>().map_err(|_| bad())?;
        return Ok(SocketAddr::new(loopback, port));
    }
    arg.parse::<SocketAddr>().map_err(|_| bad())
}

/// Name the usual `bind` failures in words a learner can act on.
pub fn bind_error(e: io::Error, addr: SocketAddr) -> String {
    let what = format!("binding {addr}");
    match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "{what}: address already in use (another program has that \
             port: stop it or choose another port)"
        ),
        // Linux: a port below net.ipv4.ip_unprivileged_port_start
        // (1024 unless changed) needs CAP_NET_BIND_SERVICE.
        io::ErrorKind::PermissionDenied => format!(
            "{what}: permission denied (ports below 1024 need the \
             CAP_NET_BIND_SERVICE capability: choose a port above 1023)"
        ),
        io::ErrorKind::AddrNotAvailable => format!(
            "{what}: no interface of this machine has that address \
             (try 127.0.0.1 or 0.0.0.0)"
        ),
        _ => format!("{what}: {e}"),
    }
}

/// How long a server pauses when [`is_out_of_fds`] says accept failed
/// for want of a file descriptor.
pub const EMFILE_PAUSE: Duration = Duration::from_millis(100);

/// Did `accept` fail because this process (EMFILE, 24) or the whole
/// system (ENFILE, 23) has no file descriptor left? std has no
/// `ErrorKind` for these, so we compare Linux's error numbers.
///
/// The waiting connection stays in the kernel's queue, so calling
/// `accept` again at once would fail again at once: a server should
/// pause a little (and a client may leave meanwhile, freeing one).
pub fn is_out_of_fds(e: &io::Error) -> bool {
    const ENFILE: i32 = 23;
    const EMFILE: i32 = 24;
    matches!(e.raw_os_error(), Some(ENFILE | EMFILE))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn listen_addresses() {
        let a = |s| listen_addr(s, 1234).map(|a| a.to_string());
        assert_eq!(a(None).unwrap(), "127.0.0.1:1234");
        assert_eq!(a(Some("8000")).unwrap(), "127.0.0.1:8000");
        assert_eq!(a(Some("0")).unwrap(), "127.0.0.1:0");
        assert_eq!(a(Some("[::]:80")).unwrap(), "[::]:80");
        assert_eq!(a(Some("0.0.0.0:80")).unwrap(), "0.0.0.0:80");
        for bad in ["70000", "", ":1301", "localhost:80", "1.2.3.4"] {
            assert!(a(Some(bad)).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn out_of_fds_is_emfile_or_enfile() {
        assert!(is_out_of_fds(&io::Error::from_raw_os_error(24)));
        assert!(is_out_of_fds(&io::Error::from_raw_os_error(23)));
        assert!(!is_out_of_fds(&io::Error::from_raw_os_error(11)));
    }
}
