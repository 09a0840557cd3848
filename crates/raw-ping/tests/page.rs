//! Every console transcript on docs/src/raw-ping.md, run against the
//! real binary. The `console,root` blocks need root (CI runs as root);
//! the `console,lab` blocks ("In the lab") run as root in a lab of
//! network namespaces of the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("raw-ping")
        .bin("ping", env!("CARGO_BIN_EXE_ping"))
        .default_bin("ping")
        .check();
}

#[test]
fn lab_transcripts_match_the_lab() {
    testkit::Page::new("raw-ping")
        .bin("ping", env!("CARGO_BIN_EXE_ping"))
        .check_lab();
}
