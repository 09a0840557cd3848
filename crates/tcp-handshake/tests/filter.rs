//! handshake-watch's kernel-side filter is the one tcpdump compiles
//! for `tcp port P` (tcpdump -dd prints it as C initialisers).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use testkit::Cmd;

#[test]
fn the_filter_is_tcpdumps_tcp_port_filter() {
    if !testkit::need_tool("tcpdump", "compiling tcpdump's filter") {
        return;
    }
    for port in [9000u16, 1, 65535] {
        // -y EN10MB: compile for Ethernet frames without opening an
        // interface (no privilege needed).
        let out = Cmd::new("tcpdump")
            .args(["-y", "EN10MB", "-dd", &format!("tcp port {port}")])
            .run();
        out.expect_code(0);
        let theirs: Vec<(u16, u8, u8, u32)> = out
            .stdout
            .lines()
            .map(|l| {
                let f: Vec<u32> = l
                    .trim_matches(|c| "{}, ".contains(c))
                    .split(", ")
                    .map(|n| match n.trim().strip_prefix("0x") {
                        Some(hex) => u32::from_str_radix(hex, 16).unwrap(),
                        None => n.trim().parse().unwrap(),
                    })
                    .collect();
                (f[0] as u16, f[1] as u8, f[2] as u8, f[3])
            })
            .collect();
        let ours: Vec<(u16, u8, u8, u32)> =
            tcp_handshake::filter::tcp_port(port)
                .iter()
                .map(|i| (i.code, i.jt, i.jf, i.k))
                .collect();
        assert_eq!(ours, theirs, "port {port}");
    }
}
