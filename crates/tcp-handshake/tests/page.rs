//! Every console transcript on docs/src/tcp-handshake.md, run for real
//! (the capture blocks need root: skipped with a reason otherwise).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("tcp-handshake")
        .bin("handshake-server", env!("CARGO_BIN_EXE_handshake-server"))
        .bin("handshake-client", env!("CARGO_BIN_EXE_handshake-client"))
        .bin("handshake-watch", env!("CARGO_BIN_EXE_handshake-watch"))
        .default_bin("handshake-watch")
        .check();
}
