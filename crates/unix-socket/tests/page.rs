//! Every console transcript on docs/src/unix-socket.md, run against
//! the real binaries.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("unix-socket")
        .bin("socket-server", env!("CARGO_BIN_EXE_socket-server"))
        .bin("socket-client", env!("CARGO_BIN_EXE_socket-client"))
        .default_bin("socket-server")
        .check();
}
