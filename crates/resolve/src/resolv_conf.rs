//! Choosing the DNS server: the `nameserver` lines of
//! `/etc/resolv.conf`, and `look-ns --server ADDR`.

use crate::wire::DNS_PORT;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The server glibc and Go ask when resolv.conf names none (or is
/// missing): 127.0.0.1, port 53. (glibc: `resolv/res_init.c`; Go 1.19:
/// `defaultNS` in `net/dnsconfig.go`, which tries `[::1]:53` next.)
pub const DEFAULT_SERVER: SocketAddr =
    SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), DNS_PORT);

// ANCHOR: resolv_conf
/// The address of the first `nameserver` line of a resolv.conf text
/// that std's `IpAddr` can hold. The lines are read as Go reads them
/// (`net/dnsconfig_unix.go`, Go 1.19) and glibc nearly so
/// (`resolv/res_init.c`): a line that starts with `#` or `;` is a
/// comment, the address is the second word, and what follows it is
/// ignored. Both also accept an IPv6 address with a zone,
/// `fe80::1%eth0`; `IpAddr` has no zone (std keeps one only as the
/// number `scope_id` of a `SocketAddrV6`), so such a line is skipped
/// here and the next one is used.
pub fn first_nameserver(resolv_conf: &str) -> Option<IpAddr> {
    resolv_conf.lines().find_map(|line| {
        if line.starts_with(['#', ';']) {
            return None;
        }
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("nameserver"), Some(addr)) => addr.parse().ok(),
            _ => None,
        }
    })
}
// ANCHOR_END: resolv_conf

/// Parse a `--server` argument: `127.0.0.1`, `::1` (port 53), or with a
/// port: `127.0.0.1:5353`, `[::1]:5353`.
pub fn parse_server(arg: &str) -> Option<SocketAddr> {
    if let Ok(sa) = arg.parse::<SocketAddr>() {
        return Some(sa);
    }
    let bare = arg
        .strip_prefix('[')
        .and_then(|a| a.strip_suffix(']'))
        .unwrap_or(arg);
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, DNS_PORT))
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    #[test]
    fn the_first_usable_nameserver_line_wins() {
        let text = "# generated\nsearch lan\n;nameserver 1.1.1.1\n\
                    nameserver 10.0.0.53 # office\nnameserver 9.9.9.9\n";
        assert_eq!(first_nameserver(text), Some("10.0.0.53".parse().unwrap()));
        assert_eq!(first_nameserver("search lan\n"), None);
        assert_eq!(first_nameserver(""), None);
        assert_eq!(first_nameserver("nameserver\n"), None);
    }

    #[test]
    fn a_zone_cannot_be_held_by_ipaddr_so_its_line_is_skipped() {
        // glibc and Go would ask fe80::1 on eth0; Rust's IpAddr has no
        // place for the zone, so the line is passed over.
        assert!("fe80::1%eth0".parse::<IpAddr>().is_err());
        let text = "nameserver fe80::1%eth0\nnameserver ::1\n";
        assert_eq!(first_nameserver(text), Some("::1".parse().unwrap()));
    }

    #[test]
    fn comments_start_a_line() {
        // As in glibc and Go, `#` inside a line is not a comment: the
        // address is the second word, whatever follows.
        let text = "nameserver 10.0.0.1#x\nnameserver 10.0.0.2\n";
        assert_eq!(first_nameserver(text), Some("10.0.0.2".parse().unwrap()));
    }

    #[test]
    fn server_arguments() {
        let sa = |s: &str| parse_server(s).map(|a| a.to_string());
        assert_eq!(sa("127.0.0.1").as_deref(), Some("127.0.0.1:53"));
        assert_eq!(sa("127.0.0.1:5353").as_deref(), Some("127.0.0.1:5353"));
        assert_eq!(sa("::1").as_deref(), Some("[::1]:53"));
        assert_eq!(sa("[::1]").as_deref(), Some("[::1]:53"));
        assert_eq!(sa("[::1]:5353").as_deref(), Some("[::1]:5353"));
        assert_eq!(sa("localhost"), None);
        assert_eq!(sa("127.0.0.1:99999"), None);
        assert_eq!(sa(""), None);
    }
}
