//! Exercise 2: look-ns learns `--type mx`. Checked against dnsmasq
//! serving two MX records. Run it with `scripts/exercise resolve 2`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;
use common::Dnsmasq;
use testkit::{Cmd, Out};

const LOOK_NS: &str = env!("CARGO_BIN_EXE_look-ns");

fn start() -> Option<Dnsmasq> {
    Dnsmasq::start(&[
        "--mx-host=example.test,mail.example.test,10".to_string(),
        "--mx-host=example.test,backup.example.test,20".to_string(),
    ])
}

fn look_ns(dns: &Dnsmasq, args: &[&str]) -> Out {
    let server = dns.addr.to_string();
    let mut all = vec!["--server", &server];
    all.extend_from_slice(args);
    Cmd::new(LOOK_NS).args(all).run()
}

fn sorted_lines(s: &str) -> Vec<&str> {
    let mut v: Vec<&str> = s.lines().collect();
    v.sort();
    v
}

#[test]
fn type_mx_prints_host_and_preference() {
    let Some(dns) = start() else { return };
    for t in ["mx", "MX"] {
        let out = look_ns(&dns, &["--type", t, "example.test"]);
        assert_eq!(
            (out.code, sorted_lines(&out.stdout)),
            (
                Some(0),
                vec!["backup.example.test. 20", "mail.example.test. 10"]
            ),
            "hint: `look-ns --type {t} example.test` should print one \
             line per MX record, `HOST PREF` (the host with its final \
             dot, then the preference), \
             and exit 0. Ask with QTYPE 15 and decode the MX data: a 16-bit \
             preference, then a (maybe compressed) name.\n{}",
            out.describe()
        );
    }
}

#[test]
fn ns_stays_the_default_and_type_ns_works() {
    let Some(dns) = start() else { return };
    for args in [&["example.test"][..], &["--type", "ns", "example.test"][..]] {
        let out = look_ns(&dns, args);
        assert_eq!(
            (out.code, out.stdout.as_str()),
            (Some(0), "ns1.example.test.\n"),
            "hint: without --type, or with --type ns, look-ns prints the NS \
             records as before\n{}",
            out.describe()
        );
    }
}

#[test]
fn a_name_without_mx_records_is_an_error() {
    let Some(dns) = start() else { return };
    let out = look_ns(&dns, &["--type", "mx", "www.example.test"]);
    assert!(
        out.code == Some(100) && out.stderr.contains("no MX records"),
        "hint: www.example.test exists but has no MX record: say `no such host \
         (the name exists but has no MX records)` and exit 100\n{}",
        out.describe()
    );
}

#[test]
fn unknown_types_are_refused() {
    let Some(dns) = start() else { return };
    for args in [&["--type", "txt", "example.test"][..], &["--type"][..]] {
        let out = look_ns(&dns, args);
        assert!(
            out.code == Some(100)
                && out.stderr.lines().count() == 1
                && out.stdout.is_empty(),
            "hint: `look-ns {}` should print one line on stderr saying which \
             types exist (ns, mx) and exit 100\n{}",
            args.join(" "),
            out.describe()
        );
    }
}
