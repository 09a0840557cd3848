//! Every console transcript on docs/src/rpc.md, run for real: the
//! server block is started on a free port and the client commands,
//! the hex dumps and the nc session are checked against it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("rpc")
        .bin("rpc-server", env!("CARGO_BIN_EXE_rpc-server"))
        .bin("rpc-client", env!("CARGO_BIN_EXE_rpc-client"))
        .default_bin("rpc-server")
        .check();
}
