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
pub const HOSTS: &str =
    "192.0.2.10 www.example.test\n127.0.0.1 ns1.example.test\n";

impl Dnsmasq {
    /// Start dnsmasq, or None (test skipped) when it is not installed.
    /// `extra` adds options (e.g. more secondary servers).
    pub fn start(extra: &[String]) -> Option<Dnsmasq> {
        let exe = dnsmasq_path()?;
        // dnsmasq needs the port free for UDP *and* TCP. A port the
        // kernel picks for a UDP socket comes from the ephemeral range,
        // where other tests' TCP connections (and their TIME_WAIT
        // leftovers) live, and dnsmasq then exits with "Address in
        // use". So pick ports below that range, check both protocols,
        // and if somebody takes the port meanwhile, try another.
        let mut last_words = String::new();
        for attempt in 0..20 {
            let dir = TempDir::new("resolve-dnsmasq");
            let hosts = dir.path().join("hosts");
            std::fs::write(&hosts, HOSTS).unwrap();
            let Some(port) = free_port_below_ephemeral(attempt) else {
                continue;
            };
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
            .stderr(std::fs::File::create(dir.path().join("stderr")).unwrap());
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
            let status = d.child.wait();
            let said = std::fs::read_to_string(d._dir.path().join("stderr"))
                .unwrap_or_default();
            last_words = format!("port {port}: {status:?}: {}", said.trim());
        }
        panic!(
            "dnsmasq did not start answering on any of 20 ports; the last \
             one said: {last_words}"
        );
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

/// A port in 20000..30000, free for both UDP and TCP right now. The
/// start differs per process and per call, so parallel tests spread.
fn free_port_below_ephemeral(attempt: u32) -> Option<u16> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static CALLS: AtomicU32 = AtomicU32::new(0);
    let n = CALLS.fetch_add(1, Ordering::Relaxed);
    let seed = std::process::id().wrapping_mul(7919)
        ^ std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
    let start = seed
        .wrapping_add(n.wrapping_mul(613))
        .wrapping_add(attempt.wrapping_mul(97));
    (0..50u32)
        .map(|k| {
            20_000 + (start.wrapping_add(k.wrapping_mul(211)) % 10_000) as u16
        })
        .find(|&p| {
            UdpSocket::bind(("127.0.0.1", p)).is_ok()
                && std::net::TcpListener::bind(("127.0.0.1", p)).is_ok()
        })
}

/// Send one query built by the crate's codec; decode the answer.
pub fn ask(
    server: SocketAddr,
    name: &str,
    qtype: u16,
    wait: Duration,
) -> Option<resolve::Message> {
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
        if let Ok(n) = testkit::retry_eintr(|| sock.recv(&mut buf)) {
            let m =
                resolve::decode(&buf[..n]).expect("dnsmasq's answer decodes");
            assert_eq!(m.header.id, 0x4242);
            return Some(m);
        }
    }
    None
}

/// A loopback UDP port on which nothing is bound:
/// [`testkit::unbound_udp_addr`].
pub fn unbound_udp_port() -> u16 {
    testkit::unbound_udp_addr().port()
}

/// The tests' Go program go/lookup.go, built, or None (skipped with a
/// printed reason) when Go is not installed.
pub fn go_lookup() -> Option<std::path::PathBuf> {
    testkit::go_program(env!("CARGO_MANIFEST_DIR"), "lookup")
}

/// Run go/lookup.go with Go's own (pure-Go) resolver. GODEBUG forces
/// it: Go would pick the C library's instead on a machine whose
/// nsswitch.conf names a source Go does not know, or when RES_OPTIONS,
/// LOCALDOMAIN or HOSTALIASES is set (net/conf.go, Go 1.19).
pub fn go(bin: &std::path::Path, args: &[&str]) -> testkit::Out {
    testkit::Cmd::new(bin.to_str().expect("a UTF-8 path"))
        .args(args)
        .env("GODEBUG", "netdns=go")
        .run()
}
