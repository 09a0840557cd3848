//! look-ns against a real DNS server (dnsmasq, started by the test on
//! a loopback port, with records the test writes) and against fake
//! "servers" made of a UDP socket in the test: one that never answers,
//! and ones that send crafted bytes (malformed, truncated, wrong id).
//! The decoder must turn every bad answer into one clear error line.
//!
//! A and PTR answers are checked too, by sending queries built with the
//! crate's codec to dnsmasq: the same bytes look-ns would send. And
//! what Go's resolver says to the same servers is measured with the
//! tests' Go program (go/lookup.go), so that the page's claims about
//! Go are pinned here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use resolve::{RData, TYPE_A, TYPE_NS, TYPE_PTR};
use std::io::{Read, Write};
use std::net::{IpAddr, SocketAddr, TcpListener, UdpSocket};
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Cmd, Out};

const LOOK_NS: &str = env!("CARGO_BIN_EXE_look-ns");

fn look_ns(args: &[&str]) -> Out {
    Cmd::new(LOOK_NS).args(args).run()
}

/// look-ns with its time limits times `factor` (NETPROG_TIME_SCALE),
/// for the tests that wait for one to run out.
fn look_ns_scaled(factor: &str, args: &[&str]) -> Out {
    Cmd::new(LOOK_NS)
        .args(args)
        .env(resolve::cli::TIME_SCALE_ENV, factor)
        .run()
}

/// One line on stderr, nothing on stdout, exit status 100.
fn assert_fails_with(out: &Out, needle: &str) {
    out.expect_code(100);
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(
        out.stderr.contains(needle),
        "want {needle:?}\n{}",
        out.describe()
    );
    assert!(!out.stderr.contains("panicked"), "{}", out.describe());
}

use crate::common;
use common::{Dnsmasq, WWW_ADDR, ask, go, go_lookup, unbound_udp_port};

#[test]
fn ns_records_from_dnsmasq() {
    let Some(dns) =
        Dnsmasq::start(&["--auth-sec-servers=ns2.example.test".into()])
    else {
        return;
    };
    let server = dns.addr.to_string();
    let out = look_ns(&["--server", &server, "example.test"]);
    out.expect_code(0);
    let mut got: Vec<&str> = out.stdout.lines().collect();
    got.sort();
    // Go prints NS.Host with its final dot.
    assert_eq!(
        got,
        ["ns1.example.test.", "ns2.example.test."],
        "{}",
        out.describe()
    );
    assert_eq!(out.stderr, "");
    // Case and a final dot do not matter; `--server=ADDR` works too.
    let out = look_ns(&[&format!("--server={server}"), "EXAMPLE.Test."]);
    out.expect_code(0);
    assert_eq!(out.stdout.lines().count(), 2, "{}", out.describe());
}

#[test]
fn a_and_ptr_answers_from_dnsmasq_decode() {
    let Some(dns) = Dnsmasq::start(&[]) else {
        return;
    };
    let wait = Duration::from_secs(2);
    let m = ask(dns.addr, "www.example.test", TYPE_A, wait).expect("an answer");
    assert_eq!(m.header.rcode(), 0);
    let a: Vec<_> = m.answers.iter().map(|r| r.data.clone()).collect();
    assert_eq!(a, [RData::A(WWW_ADDR.parse().unwrap())]);
    assert_eq!(m.answers[0].name, "www.example.test.");

    let ip: IpAddr = WWW_ADDR.parse().unwrap();
    let rev = resolve::reverse_name(ip);
    let m = ask(dns.addr, &rev, TYPE_PTR, wait).expect("an answer");
    let ptr: Vec<_> = m.answers.iter().map(|r| r.data.clone()).collect();
    assert_eq!(ptr, [RData::Ptr("www.example.test.".into())]);
    assert_eq!(m.questions[0].name, "10.2.0.192.in-addr.arpa.");

    // An NS query through the library gives what look-ns prints.
    let m = ask(dns.addr, "example.test", TYPE_NS, wait).expect("an answer");
    assert_eq!(m.answers[0].data, RData::Ns("ns1.example.test.".into()));
}

#[test]
fn nxdomain_nodata_and_refused_from_dnsmasq() {
    let Some(dns) = Dnsmasq::start(&[]) else {
        return;
    };
    let server = dns.addr.to_string();
    let out = look_ns(&["--server", &server, "nosuch.example.test"]);
    assert_fails_with(
        &out,
        &format!(
            "lookup nosuch.example.test on {server}: no such host (NXDOMAIN"
        ),
    );
    // A host, not a zone: it exists but has no NS records (the book's
    // www.mtsoukalos.eu example).
    let out = look_ns(&["--server", &server, "www.example.test"]);
    assert_fails_with(
        &out,
        &format!(
            "lookup www.example.test on {server}: no such host (the name exists"
        ),
    );
    // dnsmasq refuses names outside its zone (it has no upstream).
    // Go's word for it is "server misbehaving"; look-ns keeps it.
    let out = look_ns(&["--server", &server, "example.org"]);
    assert_fails_with(&out, "server misbehaving (REFUSED");
}

#[test]
fn go_can_be_told_which_server_to_ask_and_agrees_with_look_ns() {
    // A net.Resolver with PreferGo and its own Dial asks the server we
    // name, as look-ns --server does.
    let Some(dns) =
        Dnsmasq::start(&["--auth-sec-servers=ns2.example.test".into()])
    else {
        return;
    };
    let Some(bin) = go_lookup() else { return };
    let server = dns.addr.to_string();
    let sorted = |text: &str| {
        let mut v: Vec<String> = text.lines().map(String::from).collect();
        v.sort();
        v
    };
    let from_go = go(&bin, &["-server", &server, "ns", "example.test"]);
    from_go.expect_code(0);
    let ours = look_ns(&["--server", &server, "example.test"]);
    ours.expect_code(0);
    // Both print NS.Host with its final dot.
    assert_eq!(sorted(&from_go.stdout), sorted(&ours.stdout));
    assert_eq!(
        sorted(&ours.stdout),
        ["ns1.example.test.", "ns2.example.test."]
    );

    // Go's words for the failures look-ns keeps in front of its own.
    for (name, words) in [
        ("nosuch.example.test", "no such host"),
        ("www.example.test", "no such host"),
        ("example.org", "server misbehaving"),
    ] {
        // (Go's message names the server it would have asked, the
        // one of /etc/resolv.conf: Dial does not change the name.)
        let from_go = go(&bin, &["-server", &server, "ns", name]);
        assert!(
            from_go
                .stdout
                .starts_with(&format!("error: lookup {name} on "))
                && from_go.stdout.ends_with(&format!(": {words}\n")),
            "{}",
            from_go.describe()
        );
        let ours = look_ns(&["--server", &server, name]);
        assert_fails_with(
            &ours,
            &format!("lookup {name} on {server}: {words}"),
        );
    }
}

#[test]
fn truncated_udp_answer_is_retried_over_tcp_with_dnsmasq() {
    // 30 long secondary server names do not fit in 512 bytes: dnsmasq
    // sets TC over UDP and answers in full over TCP on the same port.
    let names: Vec<String> = (1..=30)
        .map(|i| {
            format!("ns{i:02}.secondary-servers-of-a-rather-big-provider.test")
        })
        .collect();
    let Some(dns) =
        Dnsmasq::start(&[format!("--auth-sec-servers={}", names.join(","))])
    else {
        return;
    };
    let out = look_ns(&["--server", &dns.addr.to_string(), "example.test"]);
    out.expect_code(0);
    let mut got: Vec<String> = out.stdout.lines().map(String::from).collect();
    got.sort();
    let mut want: Vec<String> = names.iter().map(|n| format!("{n}.")).collect();
    want.push("ns1.example.test.".into());
    want.sort();
    assert_eq!(got, want);
    assert!(
        out.stderr
            .contains("truncated (TC bit set); this one came over TCP"),
        "{}",
        out.describe()
    );
}

// -------------------------------------------------------------- fake servers

/// A UDP "server" on a loopback port that answers each query with
/// whatever `reply` makes of it (None: stay silent). Runs until the
/// test ends (the thread dies with the process).
fn fake_server(
    reply: impl Fn(&[u8]) -> Option<Vec<u8>> + Send + 'static,
) -> SocketAddr {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 1500];
        while let Ok((n, peer)) =
            testkit::retry_eintr(|| sock.recv_from(&mut buf))
        {
            if let Some(bytes) = reply(&buf[..n]) {
                let _ = sock.send_to(&bytes, peer);
            }
        }
    });
    addr
}

/// The start of an answer to `query`: its id, QR set, its question,
/// with the given flags and counts. `rest` follows.
fn answer(query: &[u8], flags: u16, ancount: u16, rest: &[u8]) -> Vec<u8> {
    let mut m = query.to_vec();
    m[2..4].copy_from_slice(&(flags | resolve::FLAG_QR).to_be_bytes());
    m[6..8].copy_from_slice(&ancount.to_be_bytes());
    m.extend_from_slice(rest);
    m
}

/// The header and question of `query`, without what follows (Go adds
/// an EDNS record in the additional section: RFC 6891).
fn question_only(query: &[u8]) -> Vec<u8> {
    let mut end = 12;
    while let Some(&len) = query.get(end).filter(|&&l| l != 0) {
        end += 1 + usize::from(len);
    }
    let mut q = query[..(end + 5).min(query.len())].to_vec();
    q[10..12].copy_from_slice(&[0, 0]); // ARCOUNT
    q
}

#[test]
fn a_server_that_never_answers_times_out_and_is_named() {
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    // Two tries of 2 s (TRY_TIMEOUT) times 0.1: 0.2 s each.
    let t0 = Instant::now();
    let out =
        look_ns_scaled("0.1", &["--server", &addr.to_string(), "example.test"]);
    assert_fails_with(
        &out,
        &format!(
            "lookup example.test on {addr}: i/o timeout: no answer from \
             {addr} (2 tries, 0.2s each)"
        ),
    );
    // Two tries of 0.2 s: about 0.4 s, not forever.
    let took = t0.elapsed();
    assert!(
        took >= Duration::from_millis(400) && took < Duration::from_millis(800),
        "{took:?}"
    );
    drop(silent);
}

#[test]
fn nothing_listening_is_connection_refused() {
    let port = unbound_udp_port();
    let out =
        look_ns(&["--server", &format!("127.0.0.1:{port}"), "example.test"]);
    assert_fails_with(
        &out,
        &format!(
            "lookup example.test on 127.0.0.1:{port}: connection refused: \
             nothing listens there"
        ),
    );
}

/// Makes a crafted reply from the query it answers.
type MakeReply = Box<dyn Fn(&[u8]) -> Vec<u8> + Send>;

#[test]
fn malformed_answers_are_errors_not_panics() {
    let cases: Vec<(&str, MakeReply)> = vec![
        (
            "malformed answer: the message ends inside the 12-byte header \
             (byte 5)",
            Box::new(|_q: &[u8]| vec![1, 2, 3, 4, 5]),
        ),
        (
            "malformed answer: the message ends inside a record's type, \
             class, TTL and length",
            Box::new(|q: &[u8]| answer(q, 0, 1, &[0xc0, 12, 0, 2])),
        ),
        (
            "malformed answer: name at byte ",
            // An NS record whose data is a pointer to itself.
            Box::new(|q: &[u8]| {
                let at = q.len() + 12; // where the rdata starts
                let p = [0xc0 | (at >> 8) as u8, at as u8];
                answer(
                    q,
                    0,
                    1,
                    &[0xc0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 2, p[0], p[1]],
                )
            }),
        ),
        (
            "malformed answer: name pointer at byte ",
            Box::new(|q: &[u8]| answer(q, 0, 1, &[0xc0, 0xff])),
        ),
        (
            "malformed answer: the message ends inside a record's data",
            // RDLENGTH says 40 bytes, the datagram ends first.
            Box::new(|q: &[u8]| {
                answer(q, 0, 1, &[0xc0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 40, 3])
            }),
        ),
        (
            "malformed answer: record of type 1 at byte ",
            // An A record with 3 bytes of address.
            Box::new(|q: &[u8]| {
                answer(
                    q,
                    0,
                    1,
                    &[0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 3, 1, 2, 3],
                )
            }),
        ),
        (
            "malformed answer: the QR bit says it is a query",
            Box::new(|q: &[u8]| q.to_vec()),
        ),
        (
            "server misbehaving (SERVFAIL",
            Box::new(|q: &[u8]| {
                answer(q, resolve::RCODE_SERVFAIL.into(), 0, &[])
            }),
        ),
    ];
    for (want, make) in cases {
        let addr = fake_server(move |q| Some(make(q)));
        let out = look_ns(&["--server", &addr.to_string(), "example.test"]);
        assert_fails_with(&out, &format!("lookup example.test on {addr}: "));
        assert!(
            out.stderr.contains(want),
            "want {want:?}\n{}",
            out.describe()
        );
    }
}

#[test]
fn go_says_server_misbehaving_for_servfail_and_skips_malformed_answers() {
    let Some(bin) = go_lookup() else { return };
    let servfail = fake_server(|q| {
        Some(answer(q, resolve::RCODE_SERVFAIL.into(), 0, &[]))
    });
    let from_go = go(
        &bin,
        &["-server", &servfail.to_string(), "ns", "example.test"],
    );
    assert!(
        from_go.stdout.ends_with(": server misbehaving\n"),
        "{}",
        from_go.describe()
    );
    // A record whose name points outside the message: Go reports it,
    // in general words (`dnsmessage` cannot parse it); look-ns says
    // where. (Go's query carries an EDNS record in its additional
    // section, RFC 6891: leave it out of the answer, or Go would read
    // it as the answer.)
    let bad =
        fake_server(|q| Some(answer(&question_only(q), 0, 1, &[0xc0, 0xff])));
    let server = bad.to_string();
    let from_go = go(&bin, &["-server", &server, "ns", "example.test"]);
    assert!(
        from_go.stdout.ends_with(": cannot unmarshal DNS message\n"),
        "{}",
        from_go.describe()
    );
    let ours = look_ns(&["--server", &server, "example.test"]);
    assert_fails_with(&ours, "malformed answer: name pointer at byte ");

    // A "reply" that is a query (QR not set), with our id: Go skips it
    // as a possible forgery and waits on, here until its 0.3 s limit
    // (net/dnsclient_unix.go, dnsPacketRoundTrip and checkResponse);
    // look-ns reports it.
    let echo = fake_server(|q| Some(q.to_vec()));
    let server = echo.to_string();
    let from_go = go(
        &bin,
        &["-server", &server, "-timeout", "0.3", "ns", "example.test"],
    );
    assert!(
        from_go.code == Some(1) && from_go.stdout.contains("i/o timeout"),
        "{}",
        from_go.describe()
    );
    let ours = look_ns(&["--server", &server, "example.test"]);
    assert_fails_with(&ours, "malformed answer: the QR bit says it is a query");
}

#[test]
fn random_answers_never_panic() {
    // Random bytes after a correct id and QR bit, so that they reach
    // the decoder (a wrong id would just be ignored). A small
    // xorshift makes the run repeatable.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    for round in 0..40 {
        let mut body = Vec::new();
        for _ in 0..(round * 7 % 90) {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            body.push(seed as u8);
        }
        let ancount = (round % 4) as u16;
        let addr =
            fake_server(move |q| Some(answer(&q[..12], 0, ancount, &body)));
        let out = look_ns(&["--server", &addr.to_string(), "example.test"]);
        assert!(
            matches!(out.code, Some(0) | Some(100)),
            "round {round}\n{}",
            out.describe()
        );
        assert!(
            !out.stderr.contains("panicked"),
            "round {round}\n{}",
            out.describe()
        );
        assert!(
            out.stderr.lines().count() <= 1,
            "round {round}\n{}",
            out.describe()
        );
    }
}

#[test]
fn replies_with_another_id_are_ignored() {
    // Every reply has a wrong id: each is skipped, not taken for the
    // answer, and both tries time out.
    let addr = fake_server(|q| {
        let mut wrong = answer(q, 0, 0, &[]);
        wrong[0] ^= 0xff;
        Some(wrong)
    });
    // Both tries time out: 2 s each, times 0.1.
    let out =
        look_ns_scaled("0.1", &["--server", &addr.to_string(), "example.test"]);
    assert_fails_with(&out, "i/o timeout");
    assert!(
        out.stderr.contains(
            "(2 tries, 0.2s each; ignored 2 replies with another id)"
        ),
        "{}",
        out.describe()
    );
}

/// A UDP and a TCP socket on the same loopback port.
fn udp_and_tcp_on_one_port() -> (UdpSocket, TcpListener) {
    for _ in 0..20 {
        let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
        if let Ok(tcp) = TcpListener::bind(udp.local_addr().unwrap()) {
            return (udp, tcp);
        }
    }
    panic!("no port free for both UDP and TCP");
}

#[test]
fn truncated_answer_without_tcp_says_so() {
    // TC set, and nothing listens on TCP at that port.
    let addr = fake_server(|q| Some(answer(q, resolve::FLAG_TC, 3, &[0xc0])));
    let out = look_ns(&["--server", &addr.to_string(), "example.test"]);
    assert_fails_with(
        &out,
        "the UDP answer was truncated (TC bit set) and the retry over \
         TCP failed: \
         connecting to ",
    );
}

#[test]
fn truncated_answer_is_asked_again_over_tcp() {
    let (udp, tcp) = udp_and_tcp_on_one_port();
    let addr = udp.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) =
            testkit::retry_eintr(|| udp.recv_from(&mut buf))
        {
            let _ =
                udp.send_to(&answer(&buf[..n], resolve::FLAG_TC, 0, &[]), peer);
        }
    });
    thread::spawn(move || {
        let (mut s, _) = tcp.accept().unwrap();
        let mut len = [0u8; 2];
        s.read_exact(&mut len).unwrap();
        let mut q = vec![0u8; u16::from_be_bytes(len).into()];
        s.read_exact(&mut q).unwrap();
        // One NS record: owner = the question's name, "ns.tcp" + root.
        let rec = [
            0xc0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 8, 2, b'n', b's', 3, b't',
            b'c', b'p', 0,
        ];
        let a = answer(&q, 0, 1, &rec);
        let mut framed = (a.len() as u16).to_be_bytes().to_vec();
        framed.extend_from_slice(&a);
        s.write_all(&framed).unwrap();
    });
    let out = look_ns(&["--server", &addr.to_string(), "example.test"]);
    out.expect_code(0);
    assert_eq!(out.stdout, "ns.tcp.\n");
    assert!(
        out.stderr.contains("this one came over TCP"),
        "{}",
        out.describe()
    );
}

#[test]
fn hostile_names_are_escaped_not_printed_raw() {
    // An NS name with an ESC byte and a dot inside a label: printed as
    // \027 and \046, so it cannot drive the learner's terminal.
    let addr = fake_server(|q| {
        let rec = [
            0xc0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 5, 3, 0x1b, b'.', b'x', 0,
        ];
        Some(answer(q, 0, 1, &rec))
    });
    let out = look_ns(&["--server", &addr.to_string(), "example.test"]);
    out.expect_code(0);
    assert_eq!(out.stdout, "\\027\\046x.\n");
}

// ------------------------------------------------------------ command line

#[test]
fn bad_command_lines_exit_100() {
    // (Exercise 2 adds an option to the usage line.)
    let usage = "(usage: look-ns ";
    for (args, want) in [
        (&[][..], "Please provide a domain!"),
        (&["--server"][..], "--server needs an address"),
        (
            &["--server", "localhost", "x.test"][..],
            "not a DNS server address: \"localhost\"",
        ),
        (
            &["--server", "127.0.0.1:99999", "x.test"][..],
            "not a DNS server address",
        ),
        (&["-v", "x.test"][..], "unknown option \"-v\""),
        (&["a.test", "b.test"][..], "Too many arguments"),
    ] {
        let out = look_ns(args);
        assert_fails_with(&out, want);
        if !want.starts_with("not a DNS") {
            assert!(out.stderr.contains(usage), "{}", out.describe());
        }
    }
}

#[test]
fn invalid_domain_names_are_refused_before_sending() {
    // --server points at a silent socket: if anything were sent, the
    // test would see a timeout instead.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = silent.local_addr().unwrap().to_string();
    let long = "x".repeat(64);
    for (name, want) in [
        ("a..b", "empty label"),
        (&long[..], "longer than 63 bytes"),
        ("bad name.test", "character ' ' is not allowed"),
        ("bücher.test", "xn--"),
    ] {
        let out = look_ns(&["--server", &server, name]);
        assert_fails_with(
            &out,
            &format!("lookup {name}: not a valid domain name: "),
        );
        assert!(out.stderr.contains(want), "{}", out.describe());
    }
}

#[test]
fn a_bad_time_scale_is_one_line_and_status_100() {
    // Refused before anything is sent: the silent socket would turn
    // a query into a timeout.
    let silent = UdpSocket::bind("127.0.0.1:0").unwrap();
    let server = silent.local_addr().unwrap().to_string();
    for bad in ["0.001", "1e3", "two"] {
        let out = look_ns_scaled(bad, &["--server", &server, "example.test"]);
        assert_fails_with(
            &out,
            &format!(
                "NETPROG_TIME_SCALE=\"{bad}\" is not a factor from 0.01 to 100"
            ),
        );
    }
}

#[test]
fn non_utf8_argument() {
    use std::os::unix::ffi::OsStrExt;
    let out = Cmd::new(LOOK_NS)
        .args([std::ffi::OsStr::from_bytes(b"ex\xffample")])
        .run();
    assert_fails_with(&out, "not valid UTF-8");
}

#[test]
fn default_server_is_the_first_nameserver_of_resolv_conf() {
    // Whatever the machine's DNS does with this query, a failure must
    // name the server from /etc/resolv.conf (read here independently).
    let Ok(conf) = std::fs::read_to_string("/etc/resolv.conf") else {
        return;
    };
    let Some(ip) = conf.lines().find_map(|l| {
        let mut w = l.split_whitespace();
        match (w.next(), w.next()) {
            (Some("nameserver"), Some(a)) => a.parse::<IpAddr>().ok(),
            _ => None,
        }
    }) else {
        return;
    };
    let out = look_ns(&["nosuch.invalid"]);
    assert_ne!(out.code, Some(0), "{}", out.describe());
    let named = SocketAddr::new(ip, 53).to_string();
    assert!(
        out.stderr.contains(&format!(" on {named}: ")),
        "{}",
        out.describe()
    );
}

#[test]
fn a_late_answer_to_the_first_try_is_taken() {
    // The server keeps the first query, and answers it only once the
    // second try has arrived: the answer is late for the first try but
    // carries the same id and question, so it is the answer.
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 512];
        let Ok((n, peer)) = testkit::retry_eintr(|| sock.recv_from(&mut buf))
        else {
            return;
        };
        let first = buf[..n].to_vec();
        if testkit::retry_eintr(|| sock.recv_from(&mut buf)).is_err() {
            return;
        }
        let rec = [
            0xc0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 6, 4, b'l', b'a', b't', b'e',
            0,
        ];
        let _ = sock.send_to(&answer(&first, 0, 1, &rec), peer);
    });
    // Each try's 2 s times 0.25: the first try waits 0.5 s, and the
    // answer, sent as soon as the second query comes, has 0.5 s more.
    let t0 = Instant::now();
    let out = look_ns_scaled(
        "0.25",
        &["--server", &addr.to_string(), "example.test"],
    );
    out.expect_code(0);
    assert_eq!(out.stdout, "late.\n");
    // It came during the second try: after the first 0.5 s.
    assert!(
        t0.elapsed() >= Duration::from_millis(500),
        "{:?}",
        t0.elapsed()
    );
}

#[test]
fn a_dripping_tcp_server_cannot_stretch_the_tcp_step() {
    // UDP says TC; over TCP the server accepts, reads the query, and
    // then sends its answer one byte every 60 ms. Each byte would
    // reset a per-read timeout; the whole step must still end after
    // TCP_TIMEOUT (3 s, times 0.2 here: 0.6 s).
    let (udp, tcp) = udp_and_tcp_on_one_port();
    let addr = udp.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) =
            testkit::retry_eintr(|| udp.recv_from(&mut buf))
        {
            let _ =
                udp.send_to(&answer(&buf[..n], resolve::FLAG_TC, 0, &[]), peer);
        }
    });
    thread::spawn(move || {
        let Ok((mut s, _)) = tcp.accept() else { return };
        let mut q = [0u8; 64];
        let _ = testkit::retry_eintr(|| s.read(&mut q));
        // A length of 1000, then the bytes, slowly, until the client
        // goes away (a failed write ends the thread).
        let mut drip = vec![0x03, 0xe8];
        drip.extend_from_slice(&[0u8; 1000]);
        for b in drip {
            if s.write_all(&[b]).is_err() {
                return;
            }
            thread::sleep(Duration::from_millis(60));
        }
    });
    let t0 = Instant::now();
    let out =
        look_ns_scaled("0.2", &["--server", &addr.to_string(), "example.test"]);
    let took = t0.elapsed();
    assert_fails_with(
        &out,
        "the retry over TCP failed: reading the 1000-byte answer over TCP: \
         timed out (0.6s for the whole exchange)",
    );
    assert!(
        took >= Duration::from_millis(600)
            && took < Duration::from_millis(1000),
        "{took:?}"
    );
}

#[test]
fn a_closed_stdout_ends_look_ns_quietly() {
    // `look-ns ... | head -0`: the reader is gone before the answer is
    // printed. The write fails with EPIPE (Rust ignores SIGPIPE), and
    // look-ns must stop quietly with status 141, as Go's program (killed
    // by SIGPIPE) would, not panic. The pipe's reading end is closed
    // before look-ns even starts, so no timing decides the outcome.
    use std::process::Command;
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    let addr = sock.local_addr().unwrap();
    thread::spawn(move || {
        let mut buf = [0u8; 512];
        while let Ok((n, peer)) =
            testkit::retry_eintr(|| sock.recv_from(&mut buf))
        {
            let rec = [0xc0, 12, 0, 2, 0, 1, 0, 0, 0, 60, 0, 3, 1, b'x', 0];
            let _ = sock.send_to(&answer(&buf[..n], 0, 1, &rec), peer);
        }
    });
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = Command::new(LOOK_NS)
        .args(["--server", &addr.to_string(), "example.test"])
        .stdin(std::process::Stdio::null())
        .stdout(writer)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "stderr: {stderr}");
    assert_eq!(stderr, "", "a closed stdout is not worth a word");
}

#[test]
fn dnsmasqs_answer_is_the_one_the_page_shows() {
    // The page's "On the wire" describes dnsmasq's answer to the query
    // with id 12 34 for example.test, NS, byte by byte: check them.
    let Some(dns) =
        Dnsmasq::start(&["--auth-sec-servers=ns2.example.test".into()])
    else {
        return;
    };
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.connect(dns.addr).unwrap();
    sock.set_read_timeout(Some(Duration::from_secs(2))).unwrap();
    let q = resolve::build_query(0x1234, "example.test", TYPE_NS).unwrap();
    let mut buf = [0u8; 512];
    let mut got = None;
    for _ in 0..3 {
        sock.send(&q).unwrap();
        if let Ok(n) = testkit::retry_eintr(|| sock.recv(&mut buf)) {
            got = Some(buf[..n].to_vec());
            break;
        }
    }
    let a = got.expect("dnsmasq answers");
    assert_eq!(a.len(), 102, "the answer's size");
    assert_eq!(a[..4], [0x12, 0x34, 0x85, 0x00], "id and flags");
    assert_eq!(a[4..12], [0, 1, 0, 2, 0, 0, 0, 0], "the four counts");
    assert_eq!(a[12..30], q[12..], "the question, repeated");
    // The first record's owner, in full at byte 30, then its type,
    // class and TTL.
    assert_eq!(a[30..44], q[12..26]);
    assert_eq!(a[44..52], [0, 2, 0, 1, 0, 0, 0x02, 0x58]);
    // The second record's owner is a pointer to byte 30 (0x1e).
    let len1 = usize::from(u16::from_be_bytes([a[52], a[53]]));
    let second = 54 + len1;
    assert_eq!(a[second..second + 2], [0xc0, 0x1e]);
}
