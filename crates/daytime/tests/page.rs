//! Every console transcript on docs/src/daytime.md, run for real.
//! TZ=UTC, so that the zone on the page is the zone the server uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("daytime")
        .bin("daytime-server", env!("CARGO_BIN_EXE_daytime-server"))
        .bin("daytime-client", env!("CARGO_BIN_EXE_daytime-client"))
        .default_bin("daytime-server")
        .env("TZ", "UTC")
        .check();
}
