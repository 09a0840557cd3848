//! Every console transcript on docs/src/tcp-handshake.md, run for real
//! (the capture blocks need root: skipped with a reason otherwise),
//! and the "In the lab" transcripts in a lab of this test's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn page() -> testkit::Page {
    testkit::Page::new("tcp-handshake")
        .bin("handshake-server", env!("CARGO_BIN_EXE_handshake-server"))
        .bin("handshake-client", env!("CARGO_BIN_EXE_handshake-client"))
        .bin("handshake-watch", env!("CARGO_BIN_EXE_handshake-watch"))
        .default_bin("handshake-watch")
}

#[test]
fn page_transcripts_match_the_programs() {
    page().check();
}

#[test]
fn lab_transcripts_match_the_lab() {
    page().check_lab();
}
