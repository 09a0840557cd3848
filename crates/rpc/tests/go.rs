//! rpc-client against a Go net/rpc server, and a Go net/rpc client
//! against rpc-server: the programs in go/ (written for these tests,
//! with the types of the book's sharedRPC) built with the Go that is
//! installed. Without Go these tests are skipped with a printed
//! reason (a failure under CI=true).
//!
//! Go's side is also the reference for the bytes: a recording proxy
//! between the programs shows that each Rust program writes exactly
//! what its Go counterpart writes.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use crate::common;

use common::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use testkit::{Cmd, Out, Server, WAIT};

fn go(name: &str) -> Option<PathBuf> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), name)
}

fn go_server() -> Option<Server> {
    let bin = go("netrpc-server")?;
    Some(Server::start(bin.to_str().unwrap(), &["127.0.0.1:0"]))
}

/// Run the Go client: `netrpc-client ADDR [METHOD [ARGS]]`.
fn go_client(bin: &Path, addr: &str, rest: &[&str]) -> Out {
    let mut args = vec![addr];
    args.extend_from_slice(rest);
    Cmd::new(bin.to_str().unwrap()).args(&args).run()
}

#[test]
fn rpc_client_calls_a_go_server() {
    let Some(mut srv) = go_server() else { return };
    let c = |args: &[&str]| {
        let mut a = args.to_vec();
        a.push(&srv.addr);
        Cmd::new(CLIENT).args(&a).run()
    };
    let out = c(&[]);
    out.expect_code(0);
    assert_eq!(out.stdout, BOOK_REPLIES, "{}", out.describe());
    let ok = [
        (
            "MyInterface.Subtract",
            "5,3,false,true",
            "Reply (Subtract): 8",
        ),
        (
            "MyInterface.Multiply",
            "17,18,true,false",
            "Reply (Multiply): -306",
        ),
        ("MyInterface.Divide", "7,2,false,true", "Reply (Divide): -3"),
        // Go's int(uint) wraps: 2^64 - 1 becomes -1, and -1 + 1 is 0.
        (
            "MyInterface.Add",
            "18446744073709551615,1,false,false",
            "Reply (Add): 0",
        ),
    ];
    for (m, args, want) in ok {
        let out = c(&["--call", m, "--args", args]);
        assert_eq!(out.stdout.trim_end(), want, "{}", out.describe());
    }
    // Go's errors arrive as the server's words.
    let errors = [
        ("MyInterface.Divide", "7,0,false,false", "division by zero"),
        (
            "MyInterface.Nope",
            "1,1,false,false",
            "rpc: can't find method MyInterface.Nope",
        ),
    ];
    for (m, args, want) in errors {
        let out = c(&["--call", m, "--args", args]);
        out.expect_code(100);
        let want = format!("{m}: the server says: {want}");
        assert_eq!(out.stderr.trim_end(), want);
    }
    // Quit: the reply, then the Go server stops (exercise 7's rule).
    let out = c(&["--call", "MyInterface.Quit"]);
    assert_eq!(out.stdout, "Reply (Quit): 0\n", "{}", out.describe());
    let status = srv.wait_exit(WAIT).expect("the Go server did not stop");
    assert!(status.success());
}

#[test]
fn a_go_client_calls_rpc_server() {
    let Some(bin) = go("netrpc-client") else {
        return;
    };
    let srv = server();
    let out = go_client(&bin, &srv.addr, &[]);
    out.expect_code(0);
    assert_eq!(out.stdout, BOOK_REPLIES, "{}", out.describe());
    let out =
        go_client(&bin, &srv.addr, &["MyInterface.Subtract", "5,3,false,true"]);
    assert_eq!(out.stdout, "Reply (Subtract): 8\n", "{}", out.describe());
    // An error reply reaches Go's client as an rpc.ServerError.
    let out = go_client(
        &bin,
        &srv.addr,
        &["MyInterface.Add", "18446744073709551615,1,false,false"],
    );
    out.expect_code(1);
    assert_eq!(
        out.stdout,
        "rpc.ServerError: 18446744073709551616 does not fit in an int64\n"
    );
}

#[test]
fn gos_words_for_a_refused_connection() {
    let Some(bin) = go("netrpc-client") else {
        return;
    };
    let port = closed_port(); // nobody listens there
    let addr = format!("127.0.0.1:{port}");
    let out = go_client(&bin, &addr, &[]);
    assert_eq!(
        out.stdout,
        format!(
            "error (*net.OpError): dial tcp {addr}: connect: connection refused\n"
        )
    );
    let out = Cmd::new(CLIENT).args([&addr]).run();
    assert_eq!(
        out.stderr,
        format!("connecting to {addr}: Connection refused (os error 111)\n")
    );
}

#[test]
fn rpc_server_answers_bad_names_with_gos_own_words() {
    // The same Go client asks a Go server and rpc-server; the answers
    // must be the same, word for word.
    let Some(bin) = go("netrpc-client") else {
        return;
    };
    let Some(gosrv) = go_server() else { return };
    let srv = server();
    for name in ["MyInterface.Nope", "Other.Add", "Add", ".", "MyInterface."] {
        let theirs = go_client(&bin, &gosrv.addr, &[name]);
        let ours = go_client(&bin, &srv.addr, &[name]);
        assert_eq!(theirs.code, Some(1), "{}", theirs.describe());
        assert_eq!(ours.stdout, theirs.stdout, "for {name:?}");
    }
}

/// A proxy for one connection that keeps every byte each way.
struct Recording {
    addr: SocketAddr,
    up: Arc<Mutex<Vec<u8>>>,
    down: Arc<Mutex<Vec<u8>>>,
    done: std::thread::JoinHandle<()>,
}

fn record(target: SocketAddr) -> Recording {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = l.local_addr().unwrap();
    let up = Arc::new(Mutex::new(Vec::new()));
    let down = Arc::new(Mutex::new(Vec::new()));
    let (u, d) = (Arc::clone(&up), Arc::clone(&down));
    let done = std::thread::spawn(move || {
        let (c, _) = l.accept().unwrap();
        let s = TcpStream::connect(target).unwrap();
        for x in [&c, &s] {
            x.set_read_timeout(Some(READ)).unwrap();
        }
        let pump = |mut from: TcpStream,
                    mut to: TcpStream,
                    log: Arc<Mutex<Vec<u8>>>| {
            std::thread::spawn(move || {
                let mut buf = [0u8; 4096];
                while let Ok(n @ 1..) =
                    testkit::retry_eintr(|| from.read(&mut buf))
                {
                    log.lock().unwrap().extend_from_slice(&buf[..n]);
                    if to.write_all(&buf[..n]).is_err() {
                        break;
                    }
                }
                let _ = to.shutdown(std::net::Shutdown::Write);
            })
        };
        let a = pump(c.try_clone().unwrap(), s.try_clone().unwrap(), u);
        let b = pump(s, c, d);
        a.join().unwrap();
        b.join().unwrap();
    });
    Recording {
        addr,
        up,
        down,
        done,
    }
}

impl Recording {
    fn finish(self) -> (Vec<u8>, Vec<u8>) {
        self.done.join().unwrap();
        let up = self.up.lock().unwrap().clone();
        let down = self.down.lock().unwrap().clone();
        (up, down)
    }
}

#[test]
fn each_rust_program_writes_the_bytes_its_go_counterpart_writes() {
    let Some(bin) = go("netrpc-client") else {
        return;
    };
    let Some(gosrv) = go_server() else { return };
    let srv = server();
    for call in [vec![], vec!["MyInterface.Nope"]] {
        // Go client, Go server: the reference bytes both ways.
        let rec = record(gosrv.socket_addr());
        go_client(&bin, &rec.addr.to_string(), &call);
        let (go_up, go_down) = rec.finish();
        assert!(!go_up.is_empty() && !go_down.is_empty());
        // rpc-client, Go server: what the client writes.
        let rec = record(gosrv.socket_addr());
        let mut args: Vec<&str> = match call.first() {
            Some(m) => vec!["--call", m],
            None => vec![],
        };
        let a = rec.addr.to_string();
        args.push(&a);
        Cmd::new(CLIENT).args(&args).run();
        let (rust_up, _) = rec.finish();
        assert_eq!(rust_up, go_up, "rpc-client's bytes for {call:?}");
        // Go client, rpc-server: what the server writes.
        let rec = record(srv.socket_addr());
        go_client(&bin, &rec.addr.to_string(), &call);
        let (_, rust_down) = rec.finish();
        assert_eq!(rust_down, go_down, "rpc-server's bytes for {call:?}");
    }
}

// ---- the page's transcripts with Go programs ----
//
// testkit's page check runs the `console` blocks, which hold Rust
// programs only. The blocks that run a Go program are `text` blocks
// after an HTML comment `<!-- checked by tests/go.rs -->` (or
// `<!-- checked by tests/go.rs: server -->` for a block that starts
// a server), and this test runs them the same way: `go run
// crates/rpc/go/NAME.go` is the program built from that file,
// `cargo run -q -p rpc [--bin NAME] --` the crate's binary, and a
// server's page port is the port it really got.

struct Block {
    server: bool,
    line: usize,
    steps: Vec<(String, Vec<String>)>,
}

fn go_blocks(page: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let lines: Vec<&str> = page.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let l = lines[i];
        i += 1;
        let Some(rest) = l.strip_prefix("<!-- checked by tests/go.rs") else {
            continue;
        };
        assert_eq!(lines.get(i), Some(&"```text"), "line {i}: a text block");
        let mut b = Block {
            server: rest.starts_with(": server"),
            line: i + 1,
            steps: Vec::new(),
        };
        i += 1;
        let mut more = false;
        while i < lines.len() && lines[i] != "```" {
            let line = lines[i];
            if more {
                // A command continued after a trailing `\`.
                let step = b.steps.last_mut().expect("a command");
                step.0.push('\n');
                step.0.push_str(line);
                more = line.ends_with('\\');
                i += 1;
                continue;
            }
            match line.strip_prefix("$ ") {
                Some(cmd) => {
                    more = cmd.ends_with('\\');
                    b.steps.push((cmd.to_string(), Vec::new()));
                }
                None => {
                    let step = b.steps.last_mut().expect("a command first");
                    step.1.push(lines[i].to_string());
                }
            }
            i += 1;
        }
        blocks.push(b);
    }
    blocks
}

/// `text` with every page port replaced by the real one.
fn with_ports(text: &str, ports: &[(String, String)]) -> String {
    ports.iter().fold(text.to_string(), |t, (page, real)| {
        t.replace(&format!(":{page}"), &format!(":{real}"))
    })
}

/// The page's command with the real programs. `go run NAME.go` is
/// the built program run the way `go run` runs it: when it exits
/// with status N other than 0, `go run` says `exit status N` on
/// stderr (and exits with status 1).
fn expand(cmd: &str) -> String {
    let mut cmd = cmd.to_string();
    let mut defs = String::new();
    let go_run = "go run crates/rpc/go/";
    while let Some(i) = cmd.find(go_run) {
        let rest = &cmd[i + go_run.len()..];
        let end = rest.find(".go").expect("go run NAME.go");
        let name = rest[..end].replace('-', "_");
        let bin = go(&rest[..end]).expect("Go is installed");
        defs.push_str(&format!(
            "go_{name}() {{ '{}' \"$@\"; s=$?; [ $s -eq 0 ] || \
             {{ echo \"exit status $s\" >&2; return 1; }}; }}\n",
            bin.display()
        ));
        let after = rest[end + 3..].to_string();
        cmd = format!("{}go_{name}{after}", &cmd[..i]);
    }
    for (from, to) in [
        ("cargo run -q -p rpc --bin rpc-client --", CLIENT),
        ("cargo run -q -p rpc --", SERVER),
        ("cargo run -q -p rpc", SERVER),
    ] {
        cmd = cmd.replace(from, &format!("'{to}'"));
    }
    format!("{defs}{cmd}")
}

/// A server block's one command, as a process of its own.
fn server_command(cmd: &str) -> std::process::Command {
    let words: Vec<&str> = cmd.split_whitespace().collect();
    let (exe, args) = match words.as_slice() {
        ["go", "run", file, args @ ..] => {
            let name = file
                .strip_prefix("crates/rpc/go/")
                .and_then(|f| f.strip_suffix(".go"))
                .expect("go run crates/rpc/go/NAME.go");
            (go(name).expect("Go is installed"), args)
        }
        ["cargo", "run", "-q", "-p", "rpc", "--", args @ ..]
        | ["cargo", "run", "-q", "-p", "rpc", args @ ..] => {
            (PathBuf::from(SERVER), args)
        }
        _ => panic!("a server block runs `go run` or `cargo run`: {cmd}"),
    };
    let mut c = std::process::Command::new(exe);
    c.args(args);
    c
}

/// A server the page started: it, what it should print, its line.
type Running = Option<(Server, Vec<String>, usize)>;

fn finish(running: Running, failures: &mut Vec<String>) {
    if let Some((srv, want, line)) = running {
        let ok = srv.wait_output(
            |got| testkit::lines_match(&want, &got.join("\n")),
            std::time::Duration::from_secs(5),
        );
        if !ok {
            let got = srv.stdout().join("\n");
            failures.push(format!("line {line}: the server printed\n{got}"));
        }
    }
}

#[test]
fn the_pages_transcripts_with_go_programs_match() {
    if go("netrpc-server").is_none() || go("netrpc-client").is_none() {
        return;
    }
    let path = testkit::workspace_root().join("docs/src/rpc.md");
    let page = std::fs::read_to_string(path).unwrap();
    let blocks = go_blocks(&page);
    assert!(blocks.len() >= 4, "the page's Go transcripts are missing");
    let mut ports: Vec<(String, String)> = Vec::new();
    let mut running: Running = None;
    let mut failures = Vec::new();
    for b in &blocks {
        if b.server {
            finish(running.take(), &mut failures);
            let (cmd, want) = &b.steps[0];
            let first = want.first().expect("a server says where it listens");
            let page_port = first.rsplit(':').next().unwrap().to_string();
            // Port 0 instead of the page's: the kernel picks a free one.
            let cmd = if cmd.contains(&page_port) {
                cmd.replace(&page_port, "0")
            } else {
                format!("{cmd} 127.0.0.1:0")
            };
            let srv = Server::start_cmd(server_command(&cmd), false);
            let real = srv.addr.rsplit(':').next().unwrap().to_string();
            ports.retain(|(p, _)| *p != page_port);
            ports.push((page_port, real));
            let want = want.iter().map(|l| with_ports(l, &ports)).collect();
            running = Some((srv, want, b.line));
            continue;
        }
        for (cmd, want) in &b.steps {
            let mut c = std::process::Command::new("sh");
            let line = expand(&with_ports(cmd, &ports));
            c.arg("-c").arg(format!("exec 2>&1; {line}"));
            let out = Cmd::from_command(c).run();
            let want: Vec<String> =
                want.iter().map(|l| with_ports(l, &ports)).collect();
            if !testkit::lines_match(&want, &out.stdout) {
                failures.push(format!(
                    "line {}: $ {cmd}\n--- expected ---\n{}\n--- got ---\n{}",
                    b.line,
                    want.join("\n"),
                    out.stdout
                ));
            }
        }
    }
    finish(running.take(), &mut failures);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
