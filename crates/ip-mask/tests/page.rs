//! Every console transcript on docs/src/ip-mask.md, run for real; the
//! `console,lab` blocks ("In the lab") as root, in a lab of network
//! namespaces of the test's own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("ip-mask")
        .bin("parse-ip", env!("CARGO_BIN_EXE_parse-ip"))
        .bin("mask", env!("CARGO_BIN_EXE_mask"))
        .default_bin("mask")
        .check();
}

#[test]
fn lab_transcripts_match_the_lab() {
    testkit::Page::new("ip-mask")
        .bin("mask", env!("CARGO_BIN_EXE_mask"))
        .check_lab();
}
