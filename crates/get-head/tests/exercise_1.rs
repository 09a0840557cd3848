//! Check of exercise 1 on docs/src/get-head.md: give ip-get-head-info
//! an optional PATH; with it, send `GET PATH HTTP/1.0` and print the
//! whole answer, body and all.
//!
//! Run it with: scripts/exercise get-head 1
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use support::{PyHttp, reply_once};
use testkit::{Cmd, Out};

const EXE: &str = env!("CARGO_BIN_EXE_ip-get-head-info");
const TOKEN: &str = "netprog-exercise-1-says-hello";

fn run(args: &[&str]) -> Out {
    Cmd::new(EXE).args(args).run()
}

#[test]
fn get_with_a_path_prints_the_page() {
    let Some(server) = PyHttp::start(&[("hello.txt", TOKEN)]) else {
        return;
    };
    let out = run(&[&server.addr(), "/hello.txt"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: `ip-get-head-info HOST:PORT /hello.txt` should work (exit 0); \
         it takes one argument so far.\n{}",
        out.describe()
    );
    assert!(
        out.stdout.starts_with("HTTP/1.0 200 OK\r\n"),
        "hint: the answer starts with the status line.\n{}",
        out.describe()
    );
    assert!(
        out.stdout.contains(TOKEN),
        "hint: with a PATH, send GET (not HEAD) so that the server sends the \
         file itself after the headers.\n{}",
        out.describe()
    );
}

#[test]
fn the_request_line_is_get_path_http_1_0() {
    let (addr, server) =
        reply_once(b"HTTP/1.0 204 No Content\r\n\r\n".to_vec());
    let out = run(&[&addr.to_string(), "/some/page"]);
    let request = server.request().unwrap_or_default();
    let request = String::from_utf8_lossy(&request);
    // Headers after the request line are allowed (a Host: line is good
    // manners); the first line and the empty line at the end are not
    // negotiable.
    assert!(
        request.starts_with("GET /some/page HTTP/1.0\r\n"),
        "hint: the request starts with the line `GET /some/page \
         HTTP/1.0`, ending in \\r\\n; got {request:?}\n{}",
        out.describe()
    );
    assert!(
        request.ends_with("\r\n\r\n"),
        "hint: the request ends with an empty line (\\r\\n\\r\\n in all), \
         or the server waits for more headers; got {request:?}\n{}",
        out.describe()
    );
}

#[test]
fn a_missing_page_is_the_server_s_404_not_an_error() {
    let Some(server) = PyHttp::start(&[("hello.txt", TOKEN)]) else {
        return;
    };
    let out = run(&[&server.addr(), "/no-such-page.txt"]);
    assert_eq!(
        out.code,
        Some(0),
        "hint: a 404 is still an answer: exit 0.\n{}",
        out.describe()
    );
    assert!(
        out.stdout.starts_with("HTTP/1.0 404"),
        "hint: print whatever the server answers.\n{}",
        out.describe()
    );
}

#[test]
fn without_a_path_it_is_still_head() {
    let Some(server) = PyHttp::start(&[("hello.txt", TOKEN)]) else {
        return;
    };
    let out = run(&[&server.addr()]);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(
        out.stdout.starts_with("HTTP/1.0 200 OK")
            && !out.stdout.contains("hello.txt"),
        "hint: with no PATH, send `HEAD / HTTP/1.0` as before (the body, a \
         listing that names hello.txt, must not come back).\n{}",
        out.describe()
    );
}

#[test]
fn bad_paths_and_argument_counts_are_usage_errors() {
    for args in [
        &["127.0.0.1:1", "no-slash"][..],
        &["127.0.0.1:1", "/a", "/b"][..],
    ] {
        let out = run(args);
        assert_eq!(
            out.code,
            Some(1),
            "hint: {args:?} is a usage error: a PATH must start with `/`, and \
             there is at most one. Print the usage line, exit 1.\n{}",
            out.describe()
        );
        assert!(
            out.stderr.starts_with("Usage: ip-get-head-info host:port"),
            "hint: the usage line starts `Usage: ip-get-head-info \
             host:port`.\n{}",
            out.describe()
        );
    }
}
