//! Every console transcript on docs/src/conc-tcp-async.md, run for real.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_program() {
    testkit::Page::new("conc-tcp-async")
        .bin("conc-tcp-async", env!("CARGO_BIN_EXE_conc-tcp-async"))
        .bin("echo-async", env!("CARGO_BIN_EXE_echo-async"))
        .default_bin("conc-tcp-async")
        .check();
}
