//! Every console transcript on docs/src/get-head.md, run against the
//! real binaries (and a real Python web server the page starts).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("get-head")
        .bin("get-head-info", env!("CARGO_BIN_EXE_get-head-info"))
        .bin("ip-get-head-info", env!("CARGO_BIN_EXE_ip-get-head-info"))
        .default_bin("get-head-info")
        .check();
}
