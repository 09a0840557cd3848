//! What the kernel tells a connected raw ICMP socket about errors, in
//! the lab (docs/src/raw-ping.md, "In the lab"): a Time exceeded from
//! the router, and the "host unreachable" alice's own kernel sends when
//! nobody answers its ARP requests. Without `IP_RECVERR`, nothing: the
//! send succeeds and no read ever fails. With it, the next read fails
//! with EHOSTUNREACH and the error queue names who sent the ICMP error.
//!
//! socket2 has no setter for `IP_RECVERR` and std no way to read an
//! error queue, so a few lines of Python (its socket module calls the
//! same system calls) stand in for the program. Needs root, the lab's
//! tools and python3; without one the test is skipped with a printed
//! reason (a failure under CI).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::Lab;

/// A raw ICMP socket connected to argv[1], TTL argv[2], IP_RECVERR on
/// when argv[3] is 1: one echo request, then one read with a timeout
/// of argv[4] seconds. Prints what happened, one line each.
const PROBE: &str = r#"
import errno, socket, struct, sys
target, ttl, recverr, wait = sys.argv[1], int(sys.argv[2]), sys.argv[3] == '1', float(sys.argv[4])
IP_RECVERR = 11  # linux/in.h
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_ICMP)
s.setsockopt(socket.IPPROTO_IP, socket.IP_TTL, ttl)
if recverr:
    s.setsockopt(socket.IPPROTO_IP, IP_RECVERR, 1)
s.connect((target, 0))
msg = bytes([8, 0, 0, 0, 0x4e, 0x50, 0, 1])  # echo request, id 0x4e50, seq 1
total = sum(struct.unpack('!4H', msg))
total = (total & 0xffff) + (total >> 16)
msg = msg[:2] + struct.pack('!H', ~total & 0xffff) + msg[4:]
s.send(msg)
print('send ok')
s.settimeout(wait)
try:
    while True:
        data = s.recv(2000)
        if data[20] == 0:
            print('echo reply')
            break
except socket.timeout:
    print('recv timed out')
except OSError as e:
    print('recv', errno.errorcode[e.errno])
    _, anc, _, _ = s.recvmsg(2000, 512, socket.MSG_ERRQUEUE)
    for _, _, c in anc:
        ee_errno, origin, icmp_type, code = struct.unpack('=IBBB', c[:7])
        offender = socket.inet_ntoa(c[20:24])
        print('error queue:', errno.errorcode[ee_errno], 'origin', origin,
              'type', icmp_type, 'code', code, 'from', offender)
"#;

fn probe(
    lab: &Lab,
    target: &str,
    ttl: &str,
    recverr: &str,
    wait: &str,
) -> String {
    let script = format!(
        "python3 -c '{}' {target} {ttl} {recverr} {wait}",
        PROBE.replace('\'', "\"")
    );
    let out = lab.sh("alice", &script);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    out.stdout
}

#[test]
fn a_connected_raw_socket_hears_of_errors_only_with_ip_recverr() {
    if !testkit::need_tool("python3", "a raw socket with IP_RECVERR") {
        return;
    }
    let Some(lab) = Lab::up('r') else { return };
    // The probe works: TTL 64 gets carol's reply.
    assert_eq!(
        probe(&lab, "203.0.113.10", "64", "0", "2"),
        "send ok\necho reply\n"
    );

    // TTL 1: the router's Time exceeded (origin 2 is
    // SO_EE_ORIGIN_ICMP: the error came in an ICMP message).
    assert_eq!(
        probe(&lab, "203.0.113.10", "1", "0", "1"),
        "send ok\nrecv timed out\n",
        "without IP_RECVERR, a connected raw socket hears nothing"
    );
    assert_eq!(
        probe(&lab, "203.0.113.10", "1", "1", "1"),
        "send ok\nrecv EHOSTUNREACH\n\
         error queue: EHOSTUNREACH origin 2 type 11 code 0 from 198.51.100.1\n"
    );

    // Nobody at 198.51.100.99: ARP gives up after 3 tries a second
    // apart, and alice's kernel sends the error to alice.
    assert_eq!(
        probe(&lab, "198.51.100.99", "64", "0", "4.5"),
        "send ok\nrecv timed out\n",
        "without IP_RECVERR, the send succeeds and nothing reports the \
         failure"
    );
    assert_eq!(
        probe(&lab, "198.51.100.99", "64", "1", "4.5"),
        "send ok\nrecv EHOSTUNREACH\n\
         error queue: EHOSTUNREACH origin 2 type 3 code 1 from 198.51.100.10\n"
    );
}
