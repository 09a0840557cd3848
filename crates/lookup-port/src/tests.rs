//! Unit tests of the services table and of Go's port parsing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use super::*;

fn table(file: &str) -> ServiceTable {
    let mut t = ServiceTable::builtin();
    t.add(parse_services(file));
    t
}

#[test]
fn names_and_aliases_in_any_case() {
    let t = table("http\t80/tcp\t\twww www-http\t# WWW\n");
    for name in ["http", "www", "www-http", "HTTP", "Www"] {
        assert_eq!(lookup_port(&t, "tcp", name), Ok(80), "{name}");
    }
}

#[test]
fn names_written_in_capitals_in_the_file_match_too() {
    let t = table("MyService 7000/tcp\n");
    assert_eq!(lookup_port(&t, "tcp", "myservice"), Ok(7000));
}

#[test]
fn the_network_picks_the_table() {
    let t = table("domain 53/udp\nfoo 7/tcp\n");
    assert_eq!(lookup_port(&t, "udp", "domain"), Ok(53));
    assert_eq!(lookup_port(&t, "udp6", "domain"), Ok(53));
    assert_eq!(lookup_port(&t, "tcp4", "foo"), Ok(7));
    assert_eq!(
        lookup_port(&t, "udp", "foo"),
        Err(LookupError::UnknownPort {
            network: "udp".into(),
            service: "foo".into()
        })
    );
}

#[test]
fn tcp4_is_reported_as_tcp() {
    let e = lookup_port(&ServiceTable::builtin(), "tcp4", "nope").unwrap_err();
    assert_eq!(e.to_string(), "address tcp/nope: unknown port");
}

#[test]
fn the_file_wins_over_the_builtin_table_and_later_lines_win() {
    let t = table("telnet 2323/tcp\nx 1/tcp\nx 2/tcp\n");
    assert_eq!(lookup_port(&t, "tcp", "telnet"), Ok(2323));
    assert_eq!(lookup_port(&t, "tcp", "x"), Ok(2));
}

#[test]
fn builtin_table_fills_in_what_the_file_lacks() {
    let t = table("something 9/tcp\n");
    assert_eq!(lookup_port(&t, "tcp", "gopher"), Ok(70));
    assert_eq!(lookup_port(&t, "udp", "domain"), Ok(53));
    assert!(lookup_port(&t, "tcp", "domain").is_err());
}

#[test]
fn unknown_network_only_matters_for_names() {
    let t = ServiceTable::builtin();
    assert_eq!(
        lookup_port(&t, "sctp", "telnet").unwrap_err().to_string(),
        "address sctp: unknown network"
    );
    assert_eq!(lookup_port(&t, "sctp", "23"), Ok(23));
    // An empty network is Go's "ip": no entry in Go's table is for it.
    assert_eq!(
        lookup_port(&t, "", "telnet").unwrap_err().to_string(),
        "address ip/telnet: unknown port"
    );
}

#[test]
fn an_ip_line_in_the_file_answers_an_empty_network() {
    // Go's own resolver makes a table of every network a line names,
    // "ip" too; Go 1.19 answers `LookupPort("", "foo")` from it.
    let t = table("foo 7007/ip\n");
    assert_eq!(lookup_port(&t, "", "foo"), Ok(7007));
    assert!(lookup_port(&t, "tcp", "foo").is_err());
}

#[test]
fn numbers_out_of_range_are_invalid() {
    let t = ServiceTable::builtin();
    for s in ["65536", "-1", "99999999999999999999999", "99999999999x"] {
        let e = lookup_port(&t, "tcp", s).unwrap_err();
        assert_eq!(e.to_string(), format!("address {s}: invalid port"));
    }
    assert_eq!(lookup_port(&t, "tcp", "65535"), Ok(65535));
    assert_eq!(lookup_port(&t, "tcp", "+80"), Ok(80));
    assert_eq!(lookup_port(&t, "tcp", "0"), Ok(0));
    assert_eq!(lookup_port(&t, "tcp", ""), Ok(0));
    // A sign alone is the number 0, as in Go.
    assert_eq!(lookup_port(&t, "tcp", "+"), Ok(0));
    assert_eq!(lookup_port(&t, "tcp", "-"), Ok(0));
}

#[test]
fn go_stops_reading_a_number_at_2_to_the_30() {
    // Once the number has reached 2^30, the next digit ends the
    // reading: the `x` after it is never looked at.
    assert_eq!(parse_port("10737418240x"), Some((1 << 30) - 1));
    // Each character is checked for a digit first, so an `x` right
    // after 2^30 is read, and makes the service a name.
    assert_eq!(parse_port("1073741824x"), None);
    assert_eq!(parse_port("-99999999999x"), Some(-(1 << 30)));
}

#[test]
fn numbers_past_2_to_the_32_do_not_wrap_round() {
    // Go 1.19's uint32 wraps these round (to 4, 80, 40, and a name);
    // tests/go.rs measures that. Here each is simply too big.
    for s in ["4294967300", "8589934672", "42949673000", "42949673000x"] {
        assert_eq!(parse_port(s), Some((1 << 30) - 1), "{s}");
    }
}

#[test]
fn a_later_line_wins_even_in_another_case() {
    // Go's map would keep `FOO` apart from `foo` (and never find it).
    let t = table("foo 7001/tcp\nFOO 7002/tcp\n");
    assert_eq!(lookup_port(&t, "tcp", "foo"), Ok(7002));
}

#[test]
fn a_file_port_over_65535_is_invalid_not_skipped() {
    let t = table("big 70000/tcp\n");
    assert_eq!(
        lookup_port(&t, "tcp", "big").unwrap_err().to_string(),
        "address big: invalid port"
    );
}

#[test]
fn malformed_lines_are_skipped() {
    for line in [
        "",
        "   ",
        "# comment",
        "onlyname",
        "x tcp/80",
        "x 80",
        "x 80tcp",
        "x /tcp",
        "x 0/tcp",
        "x -5/tcp",
        "x 16777215/tcp",
        "x 8a/tcp",
    ] {
        assert_eq!(parse_services_line(line), None, "{line:?}");
    }
}

#[test]
fn comments_end_a_line_anywhere() {
    let s = parse_services_line("foo 5/tcp bar#baz qux").unwrap();
    assert_eq!(s.names, ["foo", "bar"]);
    assert!(parse_services_line("foo#5/tcp").is_none());
}

#[test]
fn long_names_are_found() {
    let name = "a-service-name-longer-than-twenty-five-bytes";
    let t = table(&format!("{name} 4000/tcp\n"));
    assert_eq!(lookup_port(&t, "tcp", name), Ok(4000));
}

#[test]
fn never_panics_on_odd_text() {
    let t = table("é 5/tcp\n\u{0} 6/\u{0}\nß 7/tcp ẞ\n");
    assert_eq!(lookup_port(&t, "tcp", "é"), Ok(5));
    // ASCII case only, as in Go.
    assert!(lookup_port(&t, "tcp", "É").is_err());
    let _ = lookup_port(&t, "\u{0}", "\u{0}");
}
