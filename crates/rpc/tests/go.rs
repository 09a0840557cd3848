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

mod common;

use common::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::PathBuf;
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
fn go_client(bin: &PathBuf, addr: &str, rest: &[&str]) -> Out {
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
        let want =
            format!("calling {m} on {}: the server says: {want}", srv.addr);
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
        "rpc.ServerError: result 18446744073709551616 does not fit in a \
         64-bit int\n"
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
                while let Ok(n @ 1..) = from.read(&mut buf) {
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
