//! Every console transcript on docs/src/udp-daytime.md, run for real.
//! TZ=UTC, so that the zone on the page is the zone the server uses.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("udp-daytime")
        .bin(
            "udp-daytime-server",
            env!("CARGO_BIN_EXE_udp-daytime-server"),
        )
        .bin(
            "udp-daytime-client",
            env!("CARGO_BIN_EXE_udp-daytime-client"),
        )
        .bin("udp-echo-server", env!("CARGO_BIN_EXE_udp-echo-server"))
        .bin("udp-echo-client", env!("CARGO_BIN_EXE_udp-echo-client"))
        .default_bin("udp-daytime-server")
        .env("TZ", "UTC")
        .check();
}
