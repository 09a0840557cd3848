//! Every console transcript on docs/src/concurrent-tcp.md, run against
//! the real binaries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts() {
    testkit::Page::new("concurrent-tcp")
        .bin("conc-tcp", env!("CARGO_BIN_EXE_conc-tcp"))
        .bin("tcp-server", env!("CARGO_BIN_EXE_tcp-server"))
        .bin("tcp-client", env!("CARGO_BIN_EXE_tcp-client"))
        .bin("tcps", env!("CARGO_BIN_EXE_tcps"))
        .bin("tcpc", env!("CARGO_BIN_EXE_tcpc"))
        .bin("greeting-server", env!("CARGO_BIN_EXE_greeting-server"))
        .default_bin("conc-tcp")
        .check();
}
