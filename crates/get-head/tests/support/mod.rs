//! Servers for the get-head tests: Python's real `http.server`, and
//! small hand-made TCP servers that misbehave on purpose.
#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};
use testkit::TempDir;

/// How long to wait for a server to come up.
const START_WAIT: Duration = Duration::from_secs(10);

/// Python's `http.server`, serving a temporary directory on
/// 127.0.0.1 and a port the kernel chose. Killed when dropped.
pub struct PyHttp {
    child: Child,
    pub port: u16,
    _dir: TempDir,
}

impl PyHttp {
    /// Start it with the given files in its directory. `None` (and a
    /// printed reason) when python3 is missing; a failure under CI.
    pub fn start(files: &[(&str, &str)]) -> Option<PyHttp> {
        if !testkit::need_tool(
            "python3",
            "Python's http.server is the real HTTP server",
        ) {
            return None;
        }
        let dir = TempDir::new("get-head-www");
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        // -u: unbuffered, so the "Serving HTTP on ... port N" line
        // reaches our pipe at once instead of sitting in a buffer.
        let mut child = Command::new("python3")
            .args([
                "-u",
                "-m",
                "http.server",
                "0",
                "--bind",
                "127.0.0.1",
                "--directory",
            ])
            .arg(dir.path())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 -m http.server");
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = PyHttp {
            child,
            port: 0,
            _dir: dir,
        };
        let deadline = Instant::now() + START_WAIT;
        let mut seen = Vec::new();
        while server.port == 0 {
            let left = deadline.saturating_duration_since(Instant::now());
            match rx.recv_timeout(left) {
                Ok(Ok(line)) => {
                    server.port = port_of(&line).unwrap_or(0);
                    seen.push(line);
                }
                _ => panic!(
                    "python3 -m http.server did not print its port \
                     within {START_WAIT:?}; it printed: {seen:?}"
                ),
            }
        }
        Some(server)
    }

    pub fn addr(&self) -> String {
        format!("127.0.0.1:{}", self.port)
    }
}

impl Drop for PyHttp {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The port in `Serving HTTP on 127.0.0.1 port 46271 (http://...) ...`.
fn port_of(line: &str) -> Option<u16> {
    let rest = line.split(" port ").nth(1)?;
    rest.split_whitespace().next()?.parse().ok()
}

/// Read a request up to the empty line that ends its headers (or EOF,
/// or 64 KiB, or 5 s), and return it.
pub fn read_request(conn: &mut TcpStream) -> Vec<u8> {
    conn.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut got = Vec::new();
    let mut buf = [0u8; 1024];
    while !got.windows(4).any(|w| w == b"\r\n\r\n") && got.len() < 65536 {
        match testkit::retry_eintr(|| conn.read(&mut buf)) {
            Ok(0) | Err(_) => break,
            Ok(n) => got.extend_from_slice(&buf[..n]),
        }
    }
    got
}

/// A test server's report: the request it read, when a client came.
pub struct Served(mpsc::Receiver<Vec<u8>>);

impl Served {
    /// The request the server read. Call it after the client has
    /// exited: by then the request, if one was sent, is read (the
    /// server reports it before answering), so a short wait is enough.
    /// `None` if no client came (the server thread is then left
    /// blocked in accept, and goes away with the test process).
    pub fn request(&self) -> Option<Vec<u8>> {
        self.0.recv_timeout(Duration::from_secs(3)).ok()
    }
}

/// A server for one connection on 127.0.0.1: it reads the request,
/// sends `reply`, and closes.
pub fn reply_once(reply: Vec<u8>) -> (SocketAddr, Served) {
    serve_once("127.0.0.1:0", move |conn| {
        // The client stops reading at its limit and closes, so a big
        // reply may end in "broken pipe" or "reset": that is expected.
        let _ = conn.write_all(&reply);
    })
}

/// A server for one connection on `bind`: read the request, report it,
/// then let `then` do the rest.
pub fn serve_once(
    bind: &str,
    then: impl FnOnce(&mut TcpStream) + Send + 'static,
) -> (SocketAddr, Served) {
    let listener = TcpListener::bind(bind).unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        let Ok((mut conn, _)) = listener.accept() else {
            return;
        };
        let request = read_request(&mut conn);
        let _ = tx.send(request);
        then(&mut conn);
    });
    (addr, Served(rx))
}

/// A port on 127.0.0.1 where nothing listens:
/// [`testkit::refused_tcp_port`].
pub fn closed_port() -> u16 {
    testkit::refused_tcp_port()
}

/// A pipe proven to have no reader left: [`testkit::closed_pipe`].
pub fn closed_pipe() -> std::process::Stdio {
    testkit::closed_pipe()
}
