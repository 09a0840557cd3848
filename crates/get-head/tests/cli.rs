//! Black-box tests of get-head-info and ip-get-head-info: the real
//! binaries against Python's real http.server and against small test
//! servers that misbehave (silent, too talkative, binary garbage).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::support;

use std::net::TcpListener;
use std::time::{Duration, Instant};
use support::{PyHttp, closed_port, reply_once, serve_once};
use testkit::{Cmd, Out};

const GET_HEAD_INFO: &str = env!("CARGO_BIN_EXE_get-head-info");
const IP_GET_HEAD_INFO: &str = env!("CARGO_BIN_EXE_ip-get-head-info");
const BOTH: [&str; 2] = [GET_HEAD_INFO, IP_GET_HEAD_INFO];

/// The 1 MiB limit of src/lib.rs, written out again on purpose: the
/// test must not take the number from the code it checks.
const ONE_MIB: usize = 1024 * 1024;

fn run(exe: &str, args: &[&str]) -> Out {
    Cmd::new(exe).args(args).run()
}

fn name(exe: &str) -> &str {
    exe.rsplit('/').next().unwrap()
}

/// Exit 1, nothing on stdout, and exactly one line on stderr that
/// starts with `prefix`.
fn assert_fatal(out: &Out, prefix: &str) {
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert_eq!(out.stdout, "", "{}", out.describe());
    assert!(
        out.stderr.starts_with(prefix),
        "want {prefix:?}\n{}",
        out.describe()
    );
    assert_eq!(
        out.stderr.lines().count(),
        1,
        "one line\n{}",
        out.describe()
    );
}

/// What both programs must print for Python's answer to HEAD /.
fn assert_python_head_answer(out: &Out) {
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert_eq!(out.stderr, "", "{}", out.describe());
    let lines: Vec<&str> = out.stdout.lines().collect();
    // (`lines` drops the \r of each \r\n; the end check below keeps it.)
    assert_eq!(
        lines.first(),
        Some(&"HTTP/1.0 200 OK"),
        "{}",
        out.describe()
    );
    assert!(out.stdout.starts_with("HTTP/1.0 200 OK\r\n"));
    assert!(
        lines
            .iter()
            .any(|l| l.starts_with("Server: SimpleHTTP/")
                && l.contains("Python/")),
        "no Server header\n{}",
        out.describe()
    );
    assert!(lines.iter().any(|l| l.starts_with("Content-Length: ")));
    // HEAD: headers only. They end with an empty line (\r\n\r\n), and
    // Println's newline follows.
    assert!(out.stdout.ends_with("\r\n\r\n\n"), "{}", out.describe());
    assert!(!out.stdout.contains("<html"), "a HEAD answer has no body");
}

#[test]
fn get_head_info_prints_what_a_real_http_server_answers() {
    let Some(server) = PyHttp::start(&[]) else {
        return;
    };
    assert_python_head_answer(&run(GET_HEAD_INFO, &[&server.addr()]));
}

#[test]
fn ip_get_head_info_prints_what_a_real_http_server_answers() {
    let Some(server) = PyHttp::start(&[]) else {
        return;
    };
    assert_python_head_answer(&run(IP_GET_HEAD_INFO, &[&server.addr()]));
    // By name, through the system resolver (/etc/hosts).
    let by_name = format!("localhost:{}", server.port);
    assert_python_head_answer(&run(IP_GET_HEAD_INFO, &[&by_name]));
}

#[test]
fn both_agree_byte_for_byte_apart_from_the_date() {
    let Some(server) = PyHttp::start(&[]) else {
        return;
    };
    let strip = |o: Out| -> Vec<String> {
        o.stdout
            .lines()
            .filter(|l| !l.starts_with("Date: "))
            .map(String::from)
            .collect()
    };
    let a = strip(run(GET_HEAD_INFO, &[&server.addr()]));
    let b = strip(run(IP_GET_HEAD_INFO, &[&server.addr()]));
    assert_eq!(a, b);
}

#[test]
fn an_empty_host_means_this_machine() {
    let Some(server) = PyHttp::start(&[]) else {
        return;
    };
    let addr = format!(":{}", server.port);
    for exe in BOTH {
        assert_python_head_answer(&run(exe, &[&addr]));
    }
}

#[test]
fn the_request_is_exactly_head_slash_http_1_0() {
    for exe in BOTH {
        let (addr, server) =
            reply_once(b"HTTP/1.0 204 No Content\r\n\r\n".to_vec());
        let out = run(exe, &[&addr.to_string()]);
        assert_eq!(out.code, Some(0), "{}", out.describe());
        assert_eq!(
            out.stdout,
            "HTTP/1.0 204 No Content\r\n\r\n\n",
            "{}",
            name(exe)
        );
        assert_eq!(
            server.request().expect("no request arrived"),
            b"HEAD / HTTP/1.0\r\n\r\n"
        );
    }
}

#[test]
fn bytes_are_printed_as_they_came_even_when_not_text() {
    // Garbage from the peer: not HTTP, not UTF-8, with a NUL byte.
    let garbage = b"\xff\xfe\x00garbage\x80\n".to_vec();
    for exe in BOTH {
        let (addr, _server) = reply_once(garbage.clone());
        let script = format!("'{exe}' {addr} | od -An -tx1 -v");
        let out = Cmd::shell(&script).run();
        let hex: Vec<&str> = out.stdout.split_whitespace().collect();
        let mut want: Vec<String> =
            garbage.iter().map(|b| format!("{b:02x}")).collect();
        want.push("0a".into()); // Println's newline
        assert_eq!(hex, want, "{}\n{}", name(exe), out.describe());
    }
}

#[test]
fn a_server_that_closes_without_a_word_gives_an_empty_line() {
    for exe in BOTH {
        let (addr, _server) = reply_once(Vec::new());
        let out = run(exe, &[&addr.to_string()]);
        assert_eq!(out.code, Some(0), "{}", out.describe());
        assert_eq!(out.stdout, "\n", "{}", name(exe));
    }
}

#[test]
fn a_silent_server_ends_in_the_read_timeout() {
    for exe in BOTH {
        // The kernel accepts the connection into the backlog on its
        // own: nobody calls accept, nobody answers.
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap().to_string();
        let start = Instant::now();
        let out = Cmd::new(exe)
            .args([&addr])
            .env("NETPROG_READ_TIMEOUT", "0.3")
            .run();
        let took = start.elapsed();
        assert_fatal(
            &out,
            &format!("Fatal error: reading the response from {addr}: "),
        );
        // How long we waited, and how to wait longer.
        assert!(out.stderr.contains("300ms"), "{}", out.describe());
        assert!(
            out.stderr.contains("NETPROG_READ_TIMEOUT"),
            "{}",
            out.describe()
        );
        assert!(took < Duration::from_secs(4), "{} took {took:?}", name(exe));
        drop(listener);
    }
}

#[test]
fn more_than_one_mib_is_refused() {
    for exe in BOTH {
        let (addr, _server) = reply_once(vec![b'x'; 2 * ONE_MIB]);
        let out = run(exe, &[&addr.to_string()]);
        assert_fatal(
            &out,
            &format!(
                "Fatal error: reading the response from {addr}: the \
                 response is larger than 1048576 bytes"
            ),
        );
    }
}

#[test]
fn one_byte_over_the_limit_is_refused() {
    for exe in BOTH {
        let (addr, _server) = reply_once(vec![b'x'; ONE_MIB + 1]);
        let out = run(exe, &[&addr.to_string()]);
        assert_fatal(&out, "Fatal error: reading the response");
        assert!(out.stderr.contains("larger than 1048576 bytes"));
    }
}

#[test]
fn exactly_one_mib_is_accepted() {
    for exe in BOTH {
        let (addr, _server) = reply_once(vec![b'x'; ONE_MIB]);
        let out = run(exe, &[&addr.to_string()]);
        assert_eq!(out.code, Some(0), "{}: {}", name(exe), out.stderr);
        assert_eq!(out.stdout.len(), ONE_MIB + 1);
    }
}

#[test]
fn a_refused_port() {
    let port = closed_port();
    for exe in BOTH {
        let out = run(exe, &[&format!("127.0.0.1:{port}")]);
        assert_fatal(
            &out,
            &format!("Fatal error: connecting to 127.0.0.1:{port}: "),
        );
        assert!(
            out.stderr.contains("Connection refused"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn an_unresolvable_host() {
    // .invalid is reserved (RFC 2606): it never resolves.
    for exe in BOTH {
        let out = run(exe, &["no-such-host.invalid:80"]);
        assert_fatal(&out, "Fatal error: resolving no-such-host.invalid:80: ");
    }
}

#[test]
fn malformed_host_port_arguments() {
    let cases = [
        ("localhost", "address localhost: missing port in address"),
        ("", "missing port in address"),
        ("::1:80", "address ::1:80: too many colons in address"),
        ("[::1:80", "address [::1:80: missing ']' in address"),
        ("[::1]", "address [::1]: missing port in address"),
        (
            "local]host:80",
            "address local]host:80: unexpected ']' in address",
        ),
        (
            "http://localhost:8000",
            "address http://localhost:8000: too many colons in address",
        ),
        ("localhost:99999", "address 99999: invalid port"),
        (
            "localhost:http",
            "address localhost:http: the port must be a number (names \
             such as http are not looked up here)",
        ),
        (
            "localhost:",
            "address localhost:: the port must be a number (names such \
             as http are not looked up here)",
        ),
    ];
    for exe in BOTH {
        for (arg, message) in cases {
            let out = run(exe, &[arg]);
            assert_fatal(&out, &format!("Fatal error: {message}"));
            assert_eq!(
                out.stderr.trim_end(),
                format!("Fatal error: {message}")
            );
        }
    }
}

#[test]
fn wrong_argument_counts_print_usage() {
    for exe in BOTH {
        for args in [&[][..], &["127.0.0.1:80", "extra"][..]] {
            let out = run(exe, args);
            assert_fatal(&out, &format!("Usage: {} host:port", name(exe)));
        }
    }
}

#[test]
fn a_bad_read_timeout_setting_is_refused_before_connecting() {
    for exe in BOTH {
        for bad in ["soon", "0", "-1"] {
            // Port 1 would be refused; the setting is checked first.
            let out = Cmd::new(exe)
                .args(["127.0.0.1:1"])
                .env("NETPROG_READ_TIMEOUT", bad)
                .run();
            assert_fatal(
                &out,
                &format!("Fatal error: NETPROG_READ_TIMEOUT={bad} is not"),
            );
        }
    }
}

#[test]
fn get_head_info_dials_ipv4_only_ip_get_head_info_any_family() {
    let out = run(GET_HEAD_INFO, &["[::1]:80"]);
    assert_fatal(&out, "Fatal error: resolving [::1]:80: no IPv4 address");
    // ip-get-head-info reaches an IPv6 server, where loopback has IPv6.
    if TcpListener::bind("[::1]:0").is_err() {
        eprintln!("SKIPPED the IPv6 half: no IPv6 on loopback here");
        return;
    }
    let (addr, server) = serve_once("[::1]:0", |conn| {
        use std::io::Write;
        let _ = conn.write_all(b"HTTP/1.0 200 OK\r\nServer: v6\r\n\r\n");
    });
    let out = run(IP_GET_HEAD_INFO, &[&addr.to_string()]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.stdout.starts_with("HTTP/1.0 200 OK\r\nServer: v6"));
    assert_eq!(
        server.request().expect("no request arrived"),
        b"HEAD / HTTP/1.0\r\n\r\n"
    );
}

#[test]
fn ip_get_head_info_names_the_address_it_could_not_reach() {
    let port = closed_port();
    let out = run(IP_GET_HEAD_INFO, &[&format!("localhost:{port}")]);
    assert_fatal(&out, "Fatal error: connecting to ");
    assert!(
        out.stderr.contains(&format!(":{port}: ")),
        "{}",
        out.describe()
    );
}

#[test]
fn a_server_that_sends_part_then_hangs_times_out_with_nothing_printed() {
    for exe in BOTH {
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let (addr, _server) = serve_once("127.0.0.1:0", move |conn| {
            use std::io::Write;
            let _ = conn.write_all(b"HTTP/1.0 200 OK\r\n");
            let _ = rx.recv_timeout(Duration::from_secs(10)); // hold it open
        });
        let out = Cmd::new(exe)
            .args([&addr.to_string()])
            .env("NETPROG_READ_TIMEOUT", "0.3")
            .run();
        drop(tx);
        assert_fatal(&out, "Fatal error: reading the response from ");
        assert!(out.stderr.contains("300ms"), "{}", out.describe());
    }
}

#[test]
fn an_argument_that_is_not_utf8() {
    use std::os::unix::ffi::OsStrExt;
    let bad = std::ffi::OsStr::from_bytes(b"h\xffst:80");
    for exe in BOTH {
        let out = Cmd::new(exe).args([bad]).run();
        assert_fatal(
            &out,
            r#"Fatal error: argument "h\xffst:80" is not valid UTF-8 text"#,
        );
    }
}

/// `get-head-info ... | head -0`: when stdout is a pipe whose reader
/// has gone, the write fails with EPIPE and the program stops quietly
/// with status 141, as one that SIGPIPE killed.
#[test]
fn a_pipe_without_a_reader_ends_it_with_141() {
    use std::process::{Command, Stdio};
    for exe in BOTH {
        let (addr, _server) = reply_once(b"HTTP/1.0 200 OK\r\n\r\n".to_vec());
        // The pipe's reading end is closed before the program starts,
        // so no timing decides the outcome (dropping it after spawn
        // raced with a quick answer, which then fitted in the pipe).
        let writer = support::closed_pipe();
        // The program's own 5 s limits bound this wait.
        let out = Command::new(exe)
            .arg(addr.to_string())
            .stdin(Stdio::null())
            .stdout(writer)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(141), "{}: {out:?}", name(exe));
        assert!(out.stderr.is_empty(), "{out:?}");
    }
}
