//! The lab (scripts/lab), tested as a learner uses it: up, names and
//! routes across the router, each fault's effect and its undoing,
//! exec as the user who ran sudo, and down, also after a failure
//! halfway. Then the console transcripts of docs/src/lab.md.
//!
//! Every test builds a lab of its own, under a prefix of its own
//! (NETPROG_LAB_PREFIX), so that tests run side by side and never
//! touch a learner's lab (`np-`). A guard runs `scripts/lab down` when
//! a test ends, panics included. No traffic leaves the namespaces: the
//! lab has no interface in the machine's own namespace. Needs root,
//! iproute2, nftables, ping (iputils) and nc (OpenBSD netcat);
//! without one a test is skipped with a printed reason (a failure
//! under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use testkit::{Cmd, Out};

/// Poll interval of the bounded waits below (for a listener, for a
/// process to end): polling with a deadline, not a sleep used as
/// synchronisation.
const POLL: Duration = Duration::from_millis(10);

/// A lab of this test process, removed on drop.
struct Lab {
    prefix: String,
}

/// Letters and digits for prefixes: the script takes [a-z0-9].
fn base36(mut n: u32) -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut s = Vec::new();
    loop {
        s.push(D[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    s.reverse();
    String::from_utf8(s).unwrap()
}

/// Can this machine build a lab? Skips with a printed reason if not.
fn can_build() -> bool {
    testkit::need_root("the lab is network namespaces")
        && testkit::need_tool("ip", "the lab (iproute2)")
        && testkit::need_tool("nft", "the lab's faults (nftables)")
        && testkit::need_tool("tc", "the lab's rate limit (iproute2)")
        && testkit::need_tool("ping", "reachability checks (iputils-ping)")
        && testkit::need_tool("nc", "connection checks (netcat-openbsd)")
}

/// `scripts/lab ARGS` as root, not as a sudo user: SUDO_UID and
/// SUDO_GID are removed, in case the suite itself runs under sudo.
fn lab_cmd(prefix: &str, args: &[&str]) -> Command {
    let mut c = Command::new(testkit::workspace_root().join("scripts/lab"));
    c.args(args)
        .env("NETPROG_LAB_PREFIX", prefix)
        .env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .current_dir(testkit::workspace_root());
    c
}

fn run(c: Command, limit: Duration) -> Out {
    Cmd::from_command(c).timeout(limit).run()
}

impl Lab {
    /// A lab under the prefix "l" + this process + `tag` + "-".
    fn up(tag: &str) -> Option<Lab> {
        if !can_build() {
            return None;
        }
        let prefix =
            format!("l{}{tag}-", base36(std::process::id() % 36u32.pow(4)));
        Some(Lab::up_as(prefix))
    }

    fn up_as(prefix: String) -> Lab {
        // A lab of an earlier run that was killed: remove it first.
        run(lab_cmd(&prefix, &["down"]), Duration::from_secs(30))
            .expect_code(0);
        let lab = Lab { prefix };
        let out = lab.lab(&["up"]);
        out.expect_code(0);
        assert!(out.stdout.contains("is up"), "{}", out.describe());
        lab
    }

    fn lab(&self, args: &[&str]) -> Out {
        run(lab_cmd(&self.prefix, args), Duration::from_secs(30))
    }

    /// `scripts/lab exec HOST -- sh -c SCRIPT`, stderr into stdout.
    fn sh(&self, host: &str, script: &str) -> Out {
        self.sh_for(host, script, Duration::from_secs(10))
    }

    fn sh_for(&self, host: &str, script: &str, limit: Duration) -> Out {
        let script = format!("exec 2>&1\n{script}");
        run(
            lab_cmd(&self.prefix, &["exec", host, "--", "sh", "-c", &script]),
            limit,
        )
    }

    fn fault(&self, args: &[&str]) {
        let mut a = vec!["fault"];
        a.extend_from_slice(args);
        let out = self.lab(&a);
        out.expect_code(0);
    }

    fn clear(&self, link: &str) {
        self.lab(&["clear", link]).expect_code(0);
    }

    /// Everything on the machine that carries the prefix.
    fn traces(&self) -> Vec<String> {
        testkit::lab_traces(&self.prefix)
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let out =
            run(lab_cmd(&self.prefix, &["down"]), Duration::from_secs(30));
        if !std::thread::panicking() {
            out.expect_code(0);
            let left = self.traces();
            assert!(left.is_empty(), "down left: {left:?}");
        }
    }
}

/// A counter of /proc/net/snmp in the router ("Ip", "FragOKs").
fn router_count(lab: &Lab, group: &str, name: &str) -> u64 {
    let snmp = lab.sh("router", "cat /proc/net/snmp").stdout;
    let prefix = format!("{group}: ");
    let mut rows = snmp.lines().filter(|l| l.starts_with(&prefix));
    let (names, values) = (rows.next().unwrap(), rows.next().unwrap());
    let i = names
        .split_whitespace()
        .position(|n| n == name)
        .unwrap_or_else(|| panic!("no {group} {name} in /proc/net/snmp"));
    values.split_whitespace().nth(i).unwrap().parse().unwrap()
}

/// ICMP "destination unreachable" messages the router sent.
fn unreachables_sent(lab: &Lab) -> u64 {
    router_count(lab, "Icmp", "OutDestUnreachs")
}

/// IPv4 datagrams the router fragmented.
fn fragmented(lab: &Lab) -> u64 {
    router_count(lab, "Ip", "FragOKs")
}

/// "N received" from ping's summary line.
fn received(out: &Out) -> u32 {
    let line = out
        .stdout
        .lines()
        .find(|l| l.contains("packets transmitted"))
        .unwrap_or_else(|| panic!("no ping summary:\n{}", out.describe()));
    line.split(", ")
        .find_map(|p| p.strip_suffix(" received"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("cannot read {line:?}"))
}

// ---------------------------------------------------------------------

#[test]
fn hosts_reach_each_other_by_name_across_the_router() {
    let Some(lab) = Lab::up("a") else { return };
    let p = &lab.prefix;
    // Across the router the TTL (hop limit) is one less: 63.
    for family in ["-4", "-6"] {
        let out = lab.sh("alice", &format!("ping {family} -c 1 -W 5 carol"));
        out.expect_code(0);
        assert!(out.stdout.contains("ttl=63"), "{}", out.describe());
    }
    // On the same LAN, through the switch: 64.
    let out = lab.sh("alice", "ping -4 -c 1 -W 5 bob");
    out.expect_code(0);
    assert!(out.stdout.contains("ttl=64"), "{}", out.describe());
    // Names from the lab's hosts file, in both families.
    let out = lab.sh("carol", "getent ahostsv4 alice; getent ahostsv6 bob");
    out.expect_code(0);
    assert!(out.stdout.contains("198.51.100.10   STREAM alice"));
    assert!(out.stdout.contains("fd9a:d29d:f635:a::20 STREAM bob"));
    // Nothing routes out: the router has no route to an address
    // outside the lab (TEST-NET-1), and answers for it itself ("net
    // unreachable"), which ping does not always show: the router's
    // count is the proof.
    let out = lab.sh("router", "ip route get 192.0.2.1");
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(
        out.stdout.contains("Network is unreachable"),
        "{}",
        out.stdout
    );
    let before = unreachables_sent(&lab);
    let out = lab.sh("alice", "ping -4 -c 1 -W 1 192.0.2.1");
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(out.stdout.contains(" 0 received"), "{}", out.describe());
    assert_eq!(unreachables_sent(&lab), before + 1);
    // No interface of the lab in the machine's own namespace.
    let own = Cmd::new("ip").args(["-o", "link", "show"]).run().stdout;
    assert!(!own.contains(&format!(": {p}")), "{own}");
    // status shows the hosts, the routes and no fault.
    let out = lab.lab(&["status"]);
    out.expect_code(0);
    let s = &out.stdout;
    assert!(s.contains(&format!("carol   {p}carol ")), "{s}");
    assert!(s.contains("203.0.113.10/24"), "{s}");
    assert!(s.contains(&format!("default via 203.0.113.1 dev {p}carol")));
    assert!(s.contains("forwards IPv4: yes, IPv6: yes"), "{s}");
    assert!(s.ends_with("link    faults\n        none\n"), "{s}");
    // up again changes nothing.
    let out = lab.lab(&["up"]);
    out.expect_code(0);
    assert!(out.stdout.contains("already up"), "{}", out.describe());
}

#[test]
fn loss_shows_in_the_counts_and_clear_undoes_it() {
    let Some(lab) = Lab::up("b") else { return };
    lab.fault(&["carol", "loss", "30"]);
    let status = lab.lab(&["status"]).stdout;
    assert!(status.contains("carol   loss 30%"), "{status}");
    // 30 % on the way there and 30 % on the way back: a ping comes
    // back with probability 0.7 * 0.7 = 0.49. Over 300 pings the
    // count is 147 give or take 8.7 (one standard deviation): the
    // bounds are more than six of those away.
    let flood = "ping -4 -q -c 300 -i 0.002 -W 1 carol";
    let out = lab.sh_for("alice", flood, Duration::from_secs(30));
    let got = received(&out);
    assert!((95..=200).contains(&got), "{got} of 300:\n{}", out.stdout);
    lab.clear("carol");
    let out = lab.sh_for("alice", flood, Duration::from_secs(30));
    assert_eq!(received(&out), 300, "{}", out.stdout);
    let status = lab.lab(&["status"]).stdout;
    assert!(status.ends_with("        none\n"), "{status}");
}

/// Connect from alice to carol's PORT with nc; what it said, and how
/// long nc took (timed inside alice, so that the time the script
/// takes to get there, long on a busy machine, is not counted).
fn connect(
    lab: &Lab,
    family: &str,
    port: u16,
    wait: u32,
) -> (String, Duration) {
    let out = lab.sh_for(
        "alice",
        &format!(
            "t0=$(date +%s%N); nc {family} -zv -w {wait} carol {port}; \
             s=$?; t1=$(date +%s%N); echo \"took $((t1 - t0))\"; exit $s"
        ),
        Duration::from_secs(u64::from(wait) + 10),
    );
    assert_eq!(out.code, Some(1), "nothing listens:\n{}", out.describe());
    let ns: u64 = out
        .stdout
        .lines()
        .find_map(|l| l.strip_prefix("took "))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no time:\n{}", out.describe()));
    (out.stdout, Duration::from_nanos(ns))
}

#[test]
fn reject_refuses_at_once_drop_times_out_and_clear_undoes_both() {
    let Some(lab) = Lab::up("c") else { return };
    // Nothing listens on carol: a closed port is refused by carol's
    // kernel (a RST), at once.
    let (said, took) = connect(&lab, "-4", 1200, 3);
    assert!(said.contains("Connection refused"), "{said}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    lab.fault(&["carol", "reject", "tcp", "1200"]);
    lab.fault(&["carol", "drop", "tcp", "1300"]);
    lab.fault(&["carol", "reject", "tcp", "1400", "reset"]);
    // The firewall's ICMP "administratively prohibited", which Linux
    // turns into EHOSTUNREACH for a connecting socket.
    let (said, took) = connect(&lab, "-4", 1200, 3);
    assert!(said.contains("No route to host"), "{said}");
    assert!(took < Duration::from_secs(1), "{took:?}");
    // A forged RST: the same words as a closed port, in both families.
    for family in ["-4", "-6"] {
        let (said, took) = connect(&lab, family, 1400, 3);
        assert!(said.contains("Connection refused"), "{said}");
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
    // Dropped: no answer at all, until nc gives up after its 2 s.
    let (said, took) = connect(&lab, "-4", 1300, 2);
    assert!(said.contains("timed out"), "{said}");
    assert!(took >= Duration::from_millis(1900), "{took:?}");
    let status = lab.lab(&["status"]).stdout;
    assert!(
        status.contains(concat!(
            "carol   reject tcp 1200 prohibited\n",
            "        drop tcp 1300\n",
            "        reject tcp 1400 reset\n",
        )),
        "{status}"
    );
    lab.clear("carol");
    for port in [1200, 1300] {
        let (said, took) = connect(&lab, "-4", port, 3);
        assert!(said.contains("Connection refused"), "{port}: {said}");
        assert!(took < Duration::from_secs(1), "{took:?}");
    }
}

#[test]
fn a_small_mtu_fragments_or_refuses_and_clear_restores_it() {
    let Some(lab) = Lab::up("d") else { return };
    lab.fault(&["carol", "mtu", "1280"]);
    // 1400 bytes of ICMP data: a 1428-byte IPv4 packet, too big for
    // the router's link to carol. Without don't-fragment the router
    // cuts it in two, and carol answers.
    let before = fragmented(&lab);
    let out = lab.sh("alice", "ping -4 -c 1 -W 2 -M dont -s 1400 carol");
    out.expect_code(0);
    assert!(fragmented(&lab) > before, "the router fragmented nothing");
    // With it the router says so, and alice's kernel then refuses the
    // next one itself (EMSGSIZE: it has learnt the path's MTU).
    let out = lab.sh("alice", "ping -4 -c 2 -W 2 -M do -s 1400 carol");
    assert_eq!(out.code, Some(1), "{}", out.describe());
    assert!(
        out.stdout.contains(
            "From router-a (198.51.100.1) icmp_seq=1 \
             Frag needed and DF set (mtu = 1280)"
        ),
        "{}",
        out.describe()
    );
    assert!(
        out.stdout.contains("message too long"),
        "{}",
        out.describe()
    );
    // Below 1280 Linux takes IPv6 off the interface; clear gives the
    // addresses and routes back.
    lab.fault(&["carol", "mtu", "1000"]);
    let out = lab.sh("alice", "ping -6 -c 1 -W 2 carol");
    assert_ne!(out.code, Some(0), "{}", out.describe());
    lab.clear("carol");
    let out = lab.sh("alice", "ping -6 -c 1 -W 5 -s 1400 carol");
    out.expect_code(0);
    let mtu = lab.sh("carol", "cat /sys/class/net/*carol/mtu").stdout;
    assert_eq!(mtu.trim(), "1500");
}

/// Send BYTES from alice to carol over TCP; how long it took.
fn transfer(lab: &Lab, bytes: u32) -> Duration {
    // The receiver: nc in carol, for one connection.
    let mut rx =
        lab_cmd(&lab.prefix, &["exec", "carol", "--", "nc", "-l", "5000"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start nc -l in carol");
    // Wait (bounded) until it listens.
    let deadline = Instant::now() + Duration::from_secs(10);
    while !lab
        .sh("carol", "ss -ltnH 'sport = :5000'")
        .stdout
        .contains("5000")
    {
        assert!(Instant::now() < deadline, "nc -l never listened");
        std::thread::sleep(POLL);
    }
    let t = Instant::now();
    let out = lab.sh_for(
        "alice",
        &format!("head -c {bytes} /dev/zero | nc -N carol 5000"),
        Duration::from_secs(30),
    );
    let took = t.elapsed();
    out.expect_code(0);
    let deadline = Instant::now() + Duration::from_secs(10);
    while rx.try_wait().expect("wait for nc -l").is_none() {
        if Instant::now() > deadline {
            let _ = rx.kill();
            panic!("nc -l did not end after the transfer");
        }
        std::thread::sleep(POLL);
    }
    took
}

#[test]
fn a_rate_limit_slows_a_transfer_and_clear_undoes_it() {
    let Some(lab) = Lab::up("e") else { return };
    // 250 000 bytes at 2 Mbit/s take 1 s at the least (more with the
    // headers); over a veth cable without a limit, far less.
    let fast = transfer(&lab, 250_000);
    lab.fault(&["carol", "rate", "2mbit"]);
    let status = lab.lab(&["status"]).stdout;
    assert!(status.contains("carol   rate 2Mbit"), "{status}");
    let slow = transfer(&lab, 250_000);
    assert!(slow >= Duration::from_millis(900), "{slow:?}");
    assert!(fast * 2 < slow, "without a limit {fast:?}, with {slow:?}");
    lab.clear("carol");
    let again = transfer(&lab, 250_000);
    assert!(again * 2 < slow, "cleared {again:?}, limited {slow:?}");
}

/// Does this kernel have the netem qdisc? Tried on a namespace of the
/// lab's own (its loopback), and taken off again.
fn has_netem(lab: &Lab) -> bool {
    let out = lab.sh("alice", "tc qdisc add dev lo root netem delay 1ms");
    if out.code == Some(0) {
        lab.sh("alice", "tc qdisc del dev lo root").expect_code(0);
        return true;
    }
    assert!(out.stdout.contains("unknown"), "{}", out.describe());
    false
}

/// The average round trip of `ping -c 3` from alice to carol.
fn rtt_ms(lab: &Lab) -> f64 {
    let out = lab.sh("alice", "ping -4 -c 3 -i 0.2 -W 2 carol");
    out.expect_code(0);
    let line = out.stdout.lines().find(|l| l.starts_with("rtt")).unwrap();
    let avg = line.split(" = ").nth(1).unwrap().split('/').nth(1).unwrap();
    avg.parse().unwrap()
}

#[test]
fn delay_uses_netem_and_says_so_where_the_kernel_has_none() {
    let Some(lab) = Lab::up("f") else { return };
    let out = lab.lab(&["fault", "carol", "delay", "50ms"]);
    if has_netem(&lab) {
        out.expect_code(0);
        // 50 ms each way, at both ends of the cable.
        assert!(rtt_ms(&lab) >= 95.0, "{}", rtt_ms(&lab));
        lab.clear("carol");
        assert!(rtt_ms(&lab) < 50.0);
    } else {
        assert_eq!(out.code, Some(3), "{}", out.describe());
        assert!(out.stderr.contains("netem"), "{}", out.describe());
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
        let status = lab.lab(&["status"]).stdout;
        assert!(status.ends_with("        none\n"), "{status}");
    }
}

#[test]
fn exec_runs_as_the_user_who_ran_sudo() {
    let Some(lab) = Lab::up("g") else { return };
    // What sudo sets (sudo(8): SUDO_UID, SUDO_GID), here for nobody.
    let dir = testkit::TempDir::new("lab-exec");
    Cmd::new("chmod")
        .args(["777"])
        .args([dir.path()])
        .run()
        .expect_code(0);
    let file = dir.path().join("made-by-exec");
    let as_sudo = |script: &str| {
        let mut c =
            lab_cmd(&lab.prefix, &["exec", "alice", "--", "sh", "-c", script]);
        c.env("SUDO_UID", "65534").env("SUDO_GID", "65534");
        run(c, Duration::from_secs(10))
    };
    let out = as_sudo(&format!(
        "id -u; id -g; echo $USER; touch {}",
        file.display()
    ));
    out.expect_code(0);
    assert_eq!(out.stdout, "65534\n65534\nnobody\n", "{}", out.describe());
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&file).expect("exec made the file");
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
    // Inside alice, as nobody: carol answers by name.
    let out = as_sudo("ping -c 1 -W 5 carol");
    out.expect_code(0);
    // The command's exit status comes back.
    assert_eq!(as_sudo("exit 7").code, Some(7));
    // Root without sudo stays root.
    let out = lab.sh("alice", "id -u");
    assert_eq!(out.stdout, "0\n", "{}", out.describe());
    // --root: root inside the host although sudo ran the script.
    let mut c = lab_cmd(&lab.prefix, &["exec", "--root", "alice", "--"]);
    c.args(["id", "-u"])
        .env("SUDO_UID", "65534")
        .env("SUDO_GID", "65534");
    let out = run(c, Duration::from_secs(10));
    assert_eq!(out.stdout, "0\n", "{}", out.describe());
    // Without root: one line that says what is needed, status 2.
    let copy = copy_for_nobody();
    let mut c = Command::new("setpriv");
    c.args(["--reuid=65534", "--regid=65534", "--clear-groups", "--"])
        .args(["scripts/lab", "exec", "alice", "--", "id"])
        .env("NETPROG_LAB_PREFIX", &lab.prefix)
        .current_dir(copy.path());
    let out = run(c, Duration::from_secs(10));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert_eq!(out.stdout, "");
    assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
    assert!(out.stderr.contains("needs root"), "{}", out.describe());
    assert!(out.stderr.contains("sudo scripts/lab exec"));
}

#[test]
fn down_removes_a_half_built_lab_and_what_runs_in_it() {
    if !can_build() {
        return;
    }
    let prefix = format!("l{}h-", base36(std::process::id() % 36u32.pow(4)));
    // What an `up` killed halfway leaves: some namespaces, a cable, a
    // table, a hosts folder.
    run(lab_cmd(&prefix, &["down"]), Duration::from_secs(30)).expect_code(0);
    let guard = Lab {
        prefix: prefix.clone(),
    };
    let (a, r) = (format!("{prefix}alice"), format!("{prefix}router"));
    for ns in [&a, &r] {
        Cmd::new("ip")
            .args(["netns", "add", ns])
            .run()
            .expect_code(0);
    }
    Cmd::new("ip")
        .args(["link", "add", &a, "netns", &a, "type", "veth"])
        .args(["peer", "name", &a, "netns", &r])
        .run()
        .expect_code(0);
    Cmd::new("ip")
        .args(["netns", "exec", &r, "nft", "add", "table", "netdev"])
        .args([format!("{prefix}faults")])
        .run()
        .expect_code(0);
    std::fs::create_dir_all(format!("/etc/netns/{a}")).unwrap();
    assert_eq!(guard.traces().len(), 3, "{:?}", guard.traces());
    let out = guard.lab(&["status"]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("half-built"), "{}", out.describe());
    // A program still running inside: down stops it (else the
    // namespace, and its interfaces, would outlive `ip netns del`).
    let mut inside = Command::new("ip")
        .args(["netns", "exec", &a, "sleep", "60"])
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Cmd::new("ip")
        .args(["netns", "pids", &a])
        .run()
        .stdout
        .is_empty()
    {
        assert!(Instant::now() < deadline, "sleep never started");
        std::thread::sleep(POLL);
    }
    let out = guard.lab(&["down"]);
    out.expect_code(0);
    assert!(guard.traces().is_empty(), "{:?}", guard.traces());
    let deadline = Instant::now() + Duration::from_secs(10);
    while inside.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "down left sleep running");
        std::thread::sleep(POLL);
    }
    // up over a half-built lab removes it first, then builds.
    Cmd::new("ip")
        .args(["netns", "add", &r])
        .run()
        .expect_code(0);
    let out = guard.lab(&["up"]);
    out.expect_code(0);
    assert!(out.stdout.contains("half-built"), "{}", out.describe());
    guard.sh("alice", "ping -c 1 -W 5 carol").expect_code(0);
    let out = guard.lab(&["down"]);
    out.expect_code(0);
    assert!(guard.traces().is_empty(), "{:?}", guard.traces());
    // Nothing left, and down says so.
    let out = guard.lab(&["down"]);
    assert_eq!(out.stdout, format!("lab {prefix}: nothing to remove\n"));
}

#[test]
fn a_test_that_fails_halfway_leaves_nothing() {
    if !can_build() {
        return;
    }
    let prefix = format!("l{}i-", base36(std::process::id() % 36u32.pow(4)));
    let p = prefix.clone();
    let failed = std::panic::catch_unwind(move || {
        let lab = Lab::up_as(p);
        lab.fault(&["carol", "loss", "50"]);
        lab.fault(&["router", "rate", "1mbit"]);
        panic!("a test that fails halfway, with faults on");
    });
    assert!(failed.is_err());
    assert!(
        testkit::lab_traces(&prefix).is_empty(),
        "{:?}",
        testkit::lab_traces(&prefix)
    );
}

#[test]
fn bad_usage_says_so_in_one_line() {
    if !can_build() {
        return;
    }
    let prefix = format!("l{}j-", base36(std::process::id() % 36u32.pow(4)));
    let lab = Lab::up_as(prefix);
    for (args, words) in [
        (&["fault", "dave", "loss", "30"][..], "no link 'dave'"),
        (&["fault", "carol", "loss", "130"], "1 to 100"),
        (&["fault", "carol", "jitter", "5"], "no fault 'jitter'"),
        (&["fault", "carol", "reject", "udp", "53", "reset"], "TCP"),
        (&["fault", "carol", "mtu", "20000"], "68 to 1500"),
        (&["fault", "carol", "rate", "fast"], "like 1mbit"),
        (&["exec", "dave", "--", "true"], "no host 'dave'"),
        (&["clear", "dave"], "no link 'dave'"),
    ] {
        let out = lab.lab(args);
        assert_eq!(out.code, Some(2), "{args:?}: {}", out.describe());
        assert_eq!(out.stderr.lines().count(), 1, "{}", out.describe());
        assert!(out.stderr.contains(words), "{args:?}: {}", out.describe());
    }
    let out = run(lab_cmd("Bad", &["status"]), Duration::from_secs(10));
    assert_eq!(out.code, Some(2), "{}", out.describe());
    assert!(out.stderr.contains("NETPROG_LAB_PREFIX"));
}

// ---------------------------------------------------------------------
// The page. testkit's Page checker is made for a crate's page: it runs
// each command in an empty temporary folder, where `scripts/lab` is
// not, and cannot give the commands a prefix of their own. So the
// lab's page is checked here, by the same rules: every `console`
// block is run (as root; `nobody` blocks as the user nobody), its
// output must be what the page shows, and what varies is declared in
// an HTML comment before the block (`<!-- varies: a=[..] ms -->`).
// `sudo` is left out (the test is root already, and sudo would drop
// NETPROG_LAB_PREFIX), and the page's prefix `np-` becomes the test's
// own, of the same length, so that the columns of `status` stay put.

struct PageBlock {
    line: usize,
    tags: Vec<String>,
    templates: Vec<String>,
    /// (line, command, expected lines)
    steps: Vec<(usize, String, Vec<String>)>,
}

fn page_blocks(text: &str) -> Vec<PageBlock> {
    let mut blocks = Vec::new();
    let mut comments = String::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, l)) = lines.next() {
        let Some(info) = l.strip_prefix("```") else {
            if l.trim_start().starts_with("<!--") {
                comments.push_str(l);
            } else {
                comments.clear();
            }
            continue;
        };
        let mut words = info.split(',').map(str::trim);
        let console = words.next() == Some("console");
        let tags = words.map(String::from).collect();
        let templates = comments
            .split("<!--")
            .filter_map(|c| {
                c.split("-->").next()?.trim().strip_prefix("varies:")
            })
            .flat_map(|t| t.split(" | ").map(|t| t.trim().to_string()))
            .collect();
        comments.clear();
        let mut steps: Vec<(usize, String, Vec<String>)> = Vec::new();
        for (m, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            if let Some(cmd) = l.strip_prefix("$ ") {
                steps.push((m + 1, cmd.to_string(), Vec::new()));
            } else if let Some(s) = steps.last_mut() {
                s.2.push(l.to_string());
            }
        }
        if console {
            blocks.push(PageBlock {
                line: n + 1,
                tags,
                templates,
                steps,
            });
        }
    }
    blocks
}

/// Put `[..]` where the template's gap stands in `line`: a template
/// is `BEFORE[..]AFTER`, and the gap holds at least one character (to
/// the end of the line when AFTER is empty).
fn apply_template(line: &str, template: &str) -> String {
    let (before, after) = template
        .split_once("[..]")
        .unwrap_or_else(|| panic!("a template without [..]: {template}"));
    let mut out = String::new();
    let mut rest = line;
    while let Some(at) = rest.find(before) {
        let gap = &rest[at + before.len()..];
        let Some(first) = gap.chars().next() else {
            break;
        };
        let end = if after.is_empty() {
            gap.len()
        } else {
            match gap[first.len_utf8()..].find(after) {
                Some(i) => first.len_utf8() + i,
                None => break,
            }
        };
        out.push_str(&rest[..at + before.len()]);
        out.push_str("[..]");
        rest = &gap[end..];
        if after.is_empty() {
            break;
        }
        out.push_str(after);
        rest = &rest[after.len()..];
    }
    out.push_str(rest);
    out
}

/// scripts/lab copied where the user nobody can read it: the work
/// tree may be in a folder nobody cannot enter.
fn copy_for_nobody() -> testkit::TempDir {
    let dir = testkit::TempDir::new("lab-nobody");
    std::fs::create_dir(dir.path().join("scripts")).unwrap();
    let to = dir.path().join("scripts/lab");
    // Copied by cp(1): its writing descriptor then lives only in cp,
    // not in children that other test threads fork meanwhile, which
    // would hold it until their exec (exec of a file open for writing
    // fails with ETXTBSY, "Text file busy").
    let from = testkit::workspace_root().join("scripts/lab");
    Cmd::new("cp").args([&from, &to]).run().expect_code(0);
    Cmd::new("chmod")
        .args(["-R", "a+rX"])
        .args([dir.path()])
        .run()
        .expect_code(0);
    dir
}

/// Does this kernel have netem? Tried in a namespace with the prefix,
/// which `down` removes.
fn kernel_has_netem(prefix: &str) -> bool {
    let ns = format!("{prefix}probe");
    Cmd::new("ip")
        .args(["netns", "add", &ns])
        .run()
        .expect_code(0);
    let out = Cmd::new("ip")
        .args(["netns", "exec", &ns, "tc", "qdisc", "add", "dev", "lo"])
        .args(["root", "netem", "delay", "1ms"])
        .run();
    Cmd::new("ip")
        .args(["netns", "del", &ns])
        .run()
        .expect_code(0);
    out.code == Some(0)
}

#[test]
fn the_page_shows_what_the_lab_does() {
    if !can_build() {
        return;
    }
    // "np-" has three characters: so has the test's prefix.
    let prefix = format!("p{}-", base36(std::process::id() % 36));
    run(lab_cmd(&prefix, &["down"]), Duration::from_secs(30)).expect_code(0);
    let guard = Lab {
        prefix: prefix.clone(),
    };
    let netem = kernel_has_netem(&prefix);
    let nobody = copy_for_nobody();
    let path = testkit::workspace_root().join("docs/src/lab.md");
    let text = std::fs::read_to_string(&path).unwrap();
    let blocks = page_blocks(&text);
    assert!(
        blocks.len() >= 8,
        "lab.md has {} console blocks",
        blocks.len()
    );
    let mut failures = Vec::new();
    let mut checked = 0;
    for b in &blocks {
        if netem && b.tags.iter().any(|t| t == "without-netem") {
            eprintln!("lab.md:{}: skipped: this kernel has netem", b.line);
            continue;
        }
        let as_nobody = b.tags.iter().any(|t| t == "nobody");
        for (line, command, shown) in &b.steps {
            let cmd = command
                .replace("sudo scripts/lab", "scripts/lab")
                .replace("np-", &prefix);
            assert!(!cmd.contains("sudo"), "lab.md:{line}: {command}");
            let script = format!("exec 2>&1\n{cmd}");
            let c = if as_nobody {
                let mut c = Command::new("setpriv");
                c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
                    .args(["--", "sh", "-c", &script])
                    .env("NETPROG_LAB_PREFIX", &prefix)
                    .current_dir(nobody.path());
                c
            } else {
                let mut sh = Command::new("sh");
                sh.args(["-c", &script])
                    .env("NETPROG_LAB_PREFIX", &prefix)
                    .env_remove("SUDO_UID")
                    .env_remove("SUDO_GID")
                    .current_dir(testkit::workspace_root());
                sh
            };
            let out = run(c, Duration::from_secs(60));
            let mut expected: Vec<String> = shown
                .iter()
                .map(|l| {
                    let l = l.replace("np-", &prefix);
                    b.templates.iter().fold(l, |l, t| apply_template(&l, t))
                })
                .collect();
            while expected.last().is_some_and(|l| l.is_empty()) {
                expected.pop();
            }
            checked += 1;
            if out.timed_out || !testkit::lines_match(&expected, &out.stdout) {
                failures.push(format!(
                    "lab.md:{line}: $ {command}\n--- expected ---\n{}\n\
                     --- got{} ---\n{}",
                    expected.join("\n"),
                    if out.timed_out { " (timed out)" } else { "" },
                    out.stdout.trim_end()
                ));
            }
        }
    }
    drop(guard);
    assert!(
        failures.is_empty(),
        "{} transcript(s) on lab.md differ from the lab:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
    eprintln!("lab.md: {checked} command(s) checked");
}

#[test]
fn templates_mark_only_what_varies() {
    let t = apply_template;
    assert_eq!(t("a time=0.063 ms b", "time=[..] ms"), "a time=[..] ms b");
    assert_eq!(t("rtt = 1/2/3", "rtt = [..]"), "rtt = [..]");
    assert_eq!(t("x=1 y x=22 y", "x=[..] y"), "x=[..] y x=[..] y");
    assert_eq!(t("no match", "time=[..] ms"), "no match");
    assert_eq!(t("time= ms", "time=[..]ms"), "time=[..]ms");
    assert_eq!(t("time=ms", "time=[..]ms"), "time=ms");
}
