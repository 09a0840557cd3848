//! The console transcript on docs/src/loadgen.md, run for real.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_program() {
    testkit::Page::new("loadgen")
        .bin("loadgen", env!("CARGO_BIN_EXE_loadgen"))
        .default_bin("loadgen")
        .check();
}
