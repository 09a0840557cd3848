//! Plumbing the black-box tests, the Go tests and the exercise checks
//! of raw-ping share: network namespaces, and running a binary as the
//! unprivileged user nobody.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::sync::atomic::{AtomicU32, Ordering};
use testkit::{Cmd, Out, TempDir};

/// A network namespace (`ip netns add`), deleted on drop, also when a
/// test fails. Inside: its own loopback (down until [`Netns::up`]),
/// its own sysctls and /proc/net/snmp, and no traffic of other tests.
/// Needs root (CAP_SYS_ADMIN) and iproute2's `ip`.
pub struct Netns(pub String);

impl Netns {
    pub fn new(tag: &str) -> Netns {
        static N: AtomicU32 = AtomicU32::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let name = format!("netprog-{tag}-{}-{n}", std::process::id());
        let _ = Cmd::new("ip").args(["netns", "del", &name]).run();
        Cmd::new("ip")
            .args(["netns", "add", &name])
            .run()
            .expect_code(0);
        Netns(name)
    }

    /// Run a shell script inside; it must succeed.
    pub fn sh(&self, script: &str) -> String {
        let out = Cmd::new("ip")
            .args(["netns", "exec", &self.0, "sh", "-ec", script])
            .run();
        out.expect_code(0);
        out.stdout
    }

    /// Bring loopback up.
    pub fn up(self) -> Netns {
        self.sh("ip link set lo up");
        self
    }

    /// Run `exe args...` inside, as root.
    pub fn run(&self, exe: &str, args: &[&str]) -> Out {
        Cmd::new("ip")
            .args(["netns", "exec", &self.0, exe])
            .args(args)
            .run()
    }

    /// Run `exe args...` inside as user and group 65534 (nobody).
    pub fn run_as_nobody(&self, exe: &str, args: &[&str]) -> Out {
        Cmd::new("ip")
            .args(["netns", "exec", &self.0])
            .args(NOBODY)
            .args([exe])
            .args(args)
            .run()
    }

    /// A counter of the Icmp: lines of this namespace's /proc/net/snmp
    /// (the first line names the columns, the second holds the counts).
    pub fn icmp_counter(&self, name: &str) -> u64 {
        let snmp = self.sh("cat /proc/net/snmp");
        let icmp: Vec<Vec<&str>> = snmp
            .lines()
            .filter(|l| l.starts_with("Icmp: "))
            .map(|l| l.split_whitespace().collect())
            .collect();
        let i = icmp[0].iter().position(|h| *h == name).unwrap();
        icmp[1][i].parse().unwrap()
    }
}

impl Drop for Netns {
    fn drop(&mut self) {
        let _ = Cmd::new("ip").args(["netns", "del", &self.0]).run();
    }
}

/// Become nobody: setpriv (util-linux) changes uid and gid, drops the
/// supplementary groups, and with them every capability root had.
pub const NOBODY: [&str; 4] = [
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
];

/// A copy of `exe` in `dir` that anyone may run. The build's own may
/// sit under a directory only root can enter (e.g. /root), and a copy
/// has no file capabilities, whatever the original had.
///
/// Copied by cp(1), not std::fs::copy: then the copy's writing
/// descriptor lives only in cp. Opened in this test process, a child
/// that another test thread forks at that moment would hold it until
/// its exec, and exec(2) of the copy fails with ETXTBSY ("Text file
/// busy") while the file is open for writing anywhere.
pub fn copy_for_nobody(exe: &Path, dir: &TempDir) -> String {
    let name = exe.file_name().unwrap();
    let copy = dir.path().join(name);
    Cmd::new("cp")
        .args([exe, copy.as_path()])
        .run()
        .expect_code(0);
    let open = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(dir.path(), open.clone()).unwrap();
    std::fs::set_permissions(&copy, open).unwrap();
    copy.display().to_string()
}

/// Give `exe` the capability CAP_NET_RAW (`setcap cap_net_raw+ep`).
pub fn setcap_net_raw(exe: &str) {
    Cmd::new("setcap")
        .args(["cap_net_raw+ep", exe])
        .run()
        .expect_code(0);
}

/// The ICMP socket `ping` gets on this machine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Socket {
    /// Root or CAP_NET_RAW: the IPv4 header in every read, our own
    /// request seen on loopback.
    Raw,
    /// A group in net.ipv4.ping_group_range: the ICMP message alone.
    Datagram,
}

/// How a learner gives `ping` a socket, for the NOT CHECKED lines of
/// the exercise checks (one line each: scripts/exercise shows it).
pub fn how_to_give_ping_a_socket(ping: &str) -> String {
    format!(
        "run the check as root (setup.md, Running the tests as root), \
         or give the binary the capability: sudo setcap cap_net_raw+ep \
         {ping} (then check again; cargo writes a new binary without it \
         after each edit, so set it again then)"
    )
}

/// Ask `ping` itself which socket it gets (its `-v` line): None when
/// it can open none.
pub fn probe(ping: &str) -> Option<Socket> {
    let out = Cmd::new(ping)
        .args(["-v", "-c", "1", "-W", "1", "127.0.0.1"])
        .run();
    if out.stdout.contains("ping: raw ICMP socket") {
        return Some(Socket::Raw);
    }
    if out.stdout.contains("ping: datagram ICMP socket") {
        return Some(Socket::Datagram);
    }
    if out.stderr.contains("opening an ICMP socket") {
        return None;
    }
    panic!(
        "hint: `ping -v -c 1 127.0.0.1` must still work (and print its \
         `ping: raw ICMP socket` line) before this check can go on\n{}",
        out.describe()
    );
}

/// The socket ping gets, as the exercise checks must accept whatever
/// privilege the program accepts: root, CAP_NET_RAW on the binary, or
/// an open ping_group_range. Without any, the check cannot run: NOT
/// CHECKED, and how to fix it.
pub fn ping_socket(ping: &str) -> Socket {
    probe(ping).unwrap_or_else(|| {
        panic!(
            "NOT CHECKED: ping can open no ICMP socket here: {}; or let \
             your group open ICMP datagram sockets: sudo sysctl -w \
             net.ipv4.ping_group_range=\"GID GID\" (your group id, `id -g`)",
            how_to_give_ping_a_socket(ping)
        )
    })
}

/// The parts of a check that only a raw socket can show.
pub fn need_raw_socket(ping: &str, what: &str) {
    if ping_socket(ping) == Socket::Datagram {
        panic!(
            "NOT CHECKED: {what} needs a raw ICMP socket, and ping gets \
             only the datagram one here: {}",
            how_to_give_ping_a_socket(ping)
        );
    }
}

/// A pipe proven to have no reader left: [`testkit::closed_pipe`].
pub fn closed_pipe() -> std::process::Stdio {
    testkit::closed_pipe()
}
