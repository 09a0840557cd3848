//! The capture filter the kernel runs for us: "TCP, to or from port
//! P", as a classic BPF program (the kernel's
//! Documentation/networking/filter.rst).
//!
//! A packet socket is handed every frame that crosses the interface.
//! Filtering them here, one `recv` at a time, falls behind as soon as
//! `lo` is busy (a benchmark on another port), and the socket's queue
//! overflows: the kernel drops frames, some of them ours. tcpdump
//! avoids that by attaching a filter to the socket (SO_ATTACH_FILTER,
//! socket(7)); the kernel runs it on each frame and queues only the
//! ones it accepts. This is the program `tcpdump -d 'tcp port P'`
//! prints, instruction for instruction (a test compares them).

/// One classic BPF instruction: an opcode, where to jump when a test
/// is true or false (counted from the next instruction), and a
/// constant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Insn {
    pub code: u16,
    pub jt: u8,
    pub jf: u8,
    pub k: u32,
}

// Opcodes (linux/bpf_common.h): load a half-word or a byte from an
// absolute offset or from X + offset, X = 4 * (low nibble of a byte),
// jump if equal or if bits are set, return.
const LDH_ABS: u16 = 0x28;
const LDB_ABS: u16 = 0x30;
const LDH_IND: u16 = 0x48;
const LDXB_MSH: u16 = 0xb1;
const JEQ_K: u16 = 0x15;
const JSET_K: u16 = 0x45;
const RET_K: u16 = 0x06;

// Where the fields are in an Ethernet frame: the EtherType at 12, the
// IP header from 14; IPv6's next header at 14 + 6, its ports at
// 14 + 40; IPv4's protocol at 14 + 9, its fragment field at 14 + 6,
// its ports after a header of variable length.
const ETHERTYPE: u32 = 12;
const IP6_NEXT_HEADER: u32 = 20;
const IP6_SRC_PORT: u32 = 54;
const IP6_DST_PORT: u32 = 56;
const IP4_PROTOCOL: u32 = 23;
const IP4_FRAGMENT: u32 = 20;
const IP4_START: u32 = 14;
const IP4_SRC_PORT: u32 = 14; // X + 14, X the IPv4 header's length
const IP4_DST_PORT: u32 = 16;
const ETHERTYPE_IPV6: u32 = 0x86dd;
const ETHERTYPE_IPV4: u32 = 0x0800;
const PROTO_TCP: u32 = 6;
/// Not the first fragment: no TCP header to look at.
const FRAGMENT_OFFSET: u32 = 0x1fff;
/// Accept: keep up to this many bytes of the frame (tcpdump's
/// default snapshot length).
const KEEP: u32 = 262_144;

/// The filter for TCP segments to or from `port`, IPv4 or IPv6.
///
/// Examples: the unit test `tcp_port_examples` below.
pub fn tcp_port(port: u16) -> Vec<Insn> {
    let p = u32::from(port);
    let i = |code, jt, jf, k| Insn { code, jt, jf, k };
    vec![
        /* 0 */ i(LDH_ABS, 0, 0, ETHERTYPE),
        /* 1 */ i(JEQ_K, 0, 6, ETHERTYPE_IPV6), // else to 8
        /* 2 */ i(LDB_ABS, 0, 0, IP6_NEXT_HEADER),
        /* 3 */ i(JEQ_K, 0, 15, PROTO_TCP), // else drop
        /* 4 */ i(LDH_ABS, 0, 0, IP6_SRC_PORT),
        /* 5 */ i(JEQ_K, 12, 0, p), // accept
        /* 6 */ i(LDH_ABS, 0, 0, IP6_DST_PORT),
        /* 7 */ i(JEQ_K, 10, 11, p), // accept, else drop
        /* 8 */ i(JEQ_K, 0, 10, ETHERTYPE_IPV4), // else drop
        /* 9 */ i(LDB_ABS, 0, 0, IP4_PROTOCOL),
        /* 10 */ i(JEQ_K, 0, 8, PROTO_TCP), // else drop
        /* 11 */ i(LDH_ABS, 0, 0, IP4_FRAGMENT),
        /* 12 */
        i(JSET_K, 6, 0, FRAGMENT_OFFSET), // a fragment: drop
        /* 13 */ i(LDXB_MSH, 0, 0, IP4_START),
        /* 14 */ i(LDH_IND, 0, 0, IP4_SRC_PORT),
        /* 15 */ i(JEQ_K, 2, 0, p), // accept
        /* 16 */ i(LDH_IND, 0, 0, IP4_DST_PORT),
        /* 17 */ i(JEQ_K, 0, 1, p), // else drop
        /* 18 */ i(RET_K, 0, 0, KEEP),
        /* 19 */ i(RET_K, 0, 0, 0),
    ]
}

#[test]
fn tcp_port_examples() {
    let prog = crate::filter::tcp_port(9000);
    assert_eq!(prog.len(), 20);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::segment::tests::frame;

    /// Run `prog` on `pkt` as the kernel would (the opcodes used
    /// here only); the number of bytes to keep, 0 to drop.
    fn run(prog: &[Insn], pkt: &[u8]) -> u32 {
        let (mut a, mut x, mut pc) = (0u32, 0u32, 0usize);
        let half = |at: usize| {
            pkt.get(at..at + 2)
                .map(|b| u32::from(u16::from_be_bytes([b[0], b[1]])))
        };
        loop {
            let i = prog[pc];
            pc += 1;
            let jump = |cond: bool| usize::from(if cond { i.jt } else { i.jf });
            match i.code {
                LDH_ABS => match half(i.k as usize) {
                    Some(v) => a = v,
                    None => return 0,
                },
                LDB_ABS => match pkt.get(i.k as usize) {
                    Some(&b) => a = u32::from(b),
                    None => return 0,
                },
                LDH_IND => match half((x + i.k) as usize) {
                    Some(v) => a = v,
                    None => return 0,
                },
                LDXB_MSH => match pkt.get(i.k as usize) {
                    Some(&b) => x = 4 * u32::from(b & 0x0f),
                    None => return 0,
                },
                JEQ_K => pc += jump(a == i.k),
                JSET_K => pc += jump(a & i.k != 0),
                RET_K => return i.k,
                other => panic!("opcode {other:#x}"),
            }
        }
    }

    #[test]
    fn it_keeps_the_port_and_drops_the_rest() {
        // frame(): 127.0.0.1:40000 -> 127.0.0.1:9000.
        let f = frame(0x02, 1, 0, &[], 0);
        assert_eq!(run(&tcp_port(9000), &f), KEEP);
        assert_eq!(run(&tcp_port(40000), &f), KEEP);
        assert_eq!(run(&tcp_port(9001), &f), 0);
        let mut udp = f.clone();
        udp[23] = 17;
        assert_eq!(run(&tcp_port(9000), &udp), 0);
        let mut fragment = f.clone();
        fragment[21] = 1; // fragment offset 1
        assert_eq!(run(&tcp_port(9000), &fragment), 0);
        assert_eq!(run(&tcp_port(9000), &f[..30]), 0);
    }
}
