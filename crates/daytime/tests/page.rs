//! Every console transcript on docs/src/daytime.md, run for real.
//! TZ=UTC, so that the zone on the page is the zone the server uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

fn page() -> testkit::Page {
    testkit::Page::new("daytime")
        .bin("daytime-server", env!("CARGO_BIN_EXE_daytime-server"))
        .bin("daytime-client", env!("CARGO_BIN_EXE_daytime-client"))
        .default_bin("daytime-server")
        .env("TZ", "UTC")
}

#[test]
fn page_transcripts_match_the_programs() {
    page().check();
}

/// The "In the lab" section: as root, in a lab of the test's own.
/// Its lesson on failed connects times the client with GNU time.
#[test]
fn lab_transcripts_match_the_lab() {
    if !testkit::need_tool("time", "the lab section times the client") {
        return;
    }
    page().check_lab();
}
