//! A real DNS server for the tests: dnsmasq, started on a free
//! loopback port with records the test writes, killed on drop.
//! Shared by look_ns.rs and the exercise checks.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use resolve::TYPE_A;
use std::net::{SocketAddr, UdpSocket};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use testkit::TempDir;

/// dnsmasq is in /usr/sbin, which a normal user's PATH may lack.
fn dnsmasq_path() -> Option<PathBuf> {
    let sbin = PathBuf::from("/usr/sbin/dnsmasq");
    if sbin.exists() {
        return Some(sbin);
    }
    testkit::need_tool(
        "dnsmasq",
        "a real DNS server for look-ns (apt install dnsmasq-base)",
    )
    .then(|| PathBuf::from("dnsmasq"))
}

/// A dnsmasq serving the zone example.test authoritatively on a
/// loopback port, killed on drop.
pub struct Dnsmasq {
    child: Child,
    pub addr: SocketAddr,
    _dir: TempDir,
}

/// The records the tests expect. dnsmasq serves them; nothing here is
/// computed by the code under test.
pub const WWW_ADDR: &str = "192.0.2.10";
pub const HOSTS: &str = "192.0.2.10 www.example.test\n127.0.0.1 ns1.example.test\n";

impl Dnsmasq {
    /// Start dnsmasq, or None (test skipped) when it is not installed.
    /// `extra` adds options (e.g. more secondary servers).
    pub fn start(extra: &[String]) -> Option<Dnsmasq> {
        let exe = dnsmasq_path()?;
        // Pick a free port by binding port 0 and letting it go; if
        // somebody takes it meanwhile, dnsmasq exits and we try again.
        for _ in 0..5 {
            let dir = TempDir::new("resolve-dnsmasq");
            let hosts = dir.path().join("hosts");
            std::fs::write(&hosts, HOSTS).unwrap();
            let port = UdpSocket::bind("127.0.0.1:0")
                .unwrap()
                .local_addr()
                .unwrap()
                .port();
            let mut cmd = Command::new(&exe);
            cmd.args([
                "--no-daemon",
                "--conf-file=/dev/null",
                "--pid-file=",
                &format!("--port={port}"),
                "--listen-address=127.0.0.1",
                "--bind-interfaces",
                "--no-resolv",
                "--no-hosts",
                &format!("--addn-hosts={}", hosts.display()),
                "--auth-server=ns1.example.test,127.0.0.1",
                "--auth-zone=example.test,192.0.2.0/24",
            ])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
            let child = cmd.spawn().expect("start dnsmasq");
            let mut d = Dnsmasq {
                child,
                addr: SocketAddr::from(([127, 0, 0, 1], port)),
                _dir: dir,
            };
            if d.wait_ready() {
                return Some(d);
            }
            // It exited (port taken) or never answered: retry.
            let _ = d.child.kill();
            let _ = d.child.wait();
        }
        panic!("dnsmasq did not start answering on any of 5 ports");
    }

    /// dnsmasq prints no "listening on" line: it is ready when it
    /// answers a query. Bounded: 5 seconds.
    fn wait_ready(&mut self) -> bool {
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return false;
            }
            if ask(
                self.addr,
                "ns1.example.test",
                TYPE_A,
                Duration::from_millis(200),
            )
            .is_some()
            {
                return true;
            }
        }
        false
    }
}

impl Drop for Dnsmasq {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Send one query built by the crate's codec; decode the answer.
pub fn ask(server: SocketAddr, name: &str, qtype: u16, wait: Duration) -> Option<resolve::Message> {
    let sock = UdpSocket::bind("127.0.0.1:0").unwrap();
    sock.connect(server).unwrap();
    sock.set_read_timeout(Some(wait)).unwrap();
    let q = resolve::build_query(0x4242, name, qtype).unwrap();
    let mut buf = [0u8; 4096];
    // UDP may lose a datagram, and a busy machine may be slow: like a
    // real DNS client, send the query again (three tries, each waiting
    // `wait`). A read interrupted by a signal is simply retried.
    for _ in 0..3 {
        sock.send(&q).unwrap();
        let n = loop {
            match sock.recv(&mut buf) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => break r,
            }
        };
        if let Ok(n) = n {
            let m = resolve::decode(&buf[..n]).expect("dnsmasq's answer decodes");
            assert_eq!(m.header.id, 0x4242);
            return Some(m);
        }
    }
    None
}
