//! Helpers shared by this crate's test files.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::net::{SocketAddr, SocketAddrV4};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::{Arc, Mutex};

/// Send one UDP datagram whose source port is 0 to `to` (IPv4), over
/// a raw socket: the kernel adds the IP header, we write the UDP
/// header. No ordinary socket can send from port 0, and a reply to
/// port 0 fails (sendto: EINVAL): a forged request. Needs root or
/// CAP_NET_RAW; None (with a printed reason) when the raw socket
/// cannot be had.
pub fn forge_from_port_0(to: SocketAddrV4, payload: &[u8]) -> Option<()> {
    use socket2::{Domain, Protocol, Socket, Type};
    if !testkit::need_root("a raw socket to forge a datagram") {
        return None;
    }
    let raw =
        Socket::new(Domain::IPV4, Type::RAW, Some(Protocol::UDP)).unwrap();
    let len = u16::try_from(8 + payload.len()).unwrap();
    let mut packet = Vec::new();
    packet.extend_from_slice(&0u16.to_be_bytes()); // source port 0
    packet.extend_from_slice(&to.port().to_be_bytes());
    packet.extend_from_slice(&len.to_be_bytes());
    // Checksum 0: "no checksum", allowed for UDP over IPv4 (RFC 768).
    packet.extend_from_slice(&0u16.to_be_bytes());
    packet.extend_from_slice(payload);
    let dest = SocketAddrV4::new(*to.ip(), 0);
    raw.send_to(&packet, &SocketAddr::V4(dest).into()).unwrap();
    Some(())
}

/// A loopback address where no UDP socket is bound:
/// [`testkit::unbound_udp_addr`].
pub fn dead_udp_addr() -> SocketAddr {
    testkit::unbound_udp_addr()
}

/// A server started with stdout and stderr piped; its first stdout
/// line (`listening on ADDR`) is read, and then, as asked, stdout or
/// stderr is closed, as `server | head -1` or `server 2>&-` would.
/// Killed when dropped.
pub struct Piped {
    pub child: Child,
    pub addr: SocketAddr,
    pub stdout: Option<BufReader<ChildStdout>>,
    /// Lines the server wrote to stderr, while stderr is open.
    pub stderr: Arc<Mutex<Vec<String>>>,
}

impl Piped {
    pub fn start(
        exe: &str,
        args: &[&str],
        close_out: bool,
        close_err: bool,
    ) -> Piped {
        let mut child = Command::new(exe)
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut out = BufReader::new(child.stdout.take().unwrap());
        let mut first = String::new();
        out.read_line(&mut first).unwrap();
        let addr = first
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("first line: {first:?}"))
            .parse()
            .unwrap();
        let err = child.stderr.take().unwrap();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        if close_err {
            drop(err);
        } else {
            let lines = Arc::clone(&stderr);
            std::thread::spawn(move || {
                for l in BufReader::new(err).lines().map_while(Result::ok) {
                    lines.lock().unwrap().push(l);
                }
            });
        }
        let stdout = (!close_out).then_some(out);
        Piped {
            child,
            addr,
            stdout,
            stderr,
        }
    }

    pub fn is_running(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }
}

impl Drop for Piped {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Poll `f` until it gives Some, for at most `limit` (for states we
/// cannot be told of).
pub fn wait_for<T>(
    limit: std::time::Duration,
    mut f: impl FnMut() -> Option<T>,
) -> Option<T> {
    let end = std::time::Instant::now() + limit;
    loop {
        if let Some(v) = f() {
            return Some(v);
        }
        if std::time::Instant::now() > end {
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

/// Wait at most `limit` for `child` to end; panic if it does not.
pub fn wait_exit(
    child: &mut Child,
    limit: std::time::Duration,
) -> std::process::ExitStatus {
    let status = wait_for(limit, || child.try_wait().unwrap());
    status.unwrap_or_else(|| panic!("still running after {limit:?}"))
}

/// A pipe proven to have no reader left: [`testkit::closed_pipe`].
pub fn closed_pipe() -> std::process::Stdio {
    testkit::closed_pipe()
}

/// Does `text` say that 3 tries were made? "3 tries", "three
/// attempts", "tried 3 times", "3 requests sent", ...: a 3 (or "three")
/// next to a word about trying or sending. A bare "3", as in "within
/// 3 s", is not enough. (Exercise 1's check has its own copy.)
pub fn says_three_tries(text: &str) -> bool {
    const WORDS: &[&str] = &[
        "tr", "attempt", "time", "request", "send", "sent", "datagram",
    ];
    let words: Vec<String> = text
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect();
    let about = |w: &str| WORDS.iter().any(|t| w.starts_with(t));
    words.iter().enumerate().any(|(i, w)| {
        (w == "3" || w == "three")
            && (words.get(i + 1).is_some_and(|n| about(n))
                || i.checked_sub(1).is_some_and(|p| about(&words[p])))
    })
}

/// A word for `sh -c`.
pub fn quoted(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// A lab for an exercise check, or a failure that says why there is
/// none: a check never passes what it could not run.
pub fn check_lab(tag: char) -> testkit::Lab {
    testkit::Lab::up(tag).unwrap_or_else(|| {
        panic!(
            "NOT CHECKED: this check builds a lab of network namespaces, \
             which needs root (docs/src/setup.md, running the tests as \
             root)"
        )
    })
}
