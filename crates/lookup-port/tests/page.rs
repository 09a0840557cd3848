//! Every console transcript on docs/src/lookup-port.md, run against the
//! real binary.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("lookup-port")
        .bin("lookup-port", env!("CARGO_BIN_EXE_lookup-port"))
        .default_bin("lookup-port")
        .check();
}
