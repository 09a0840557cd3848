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

/// The "In the lab" section: its `console,lab` blocks, as root, in a
/// lab of this test's own (testkit's `lab` module).
#[test]
fn lab_transcripts_match_the_lab() {
    testkit::Page::new("udp-daytime")
        .bin(
            "udp-daytime-server",
            env!("CARGO_BIN_EXE_udp-daytime-server"),
        )
        .bin(
            "udp-daytime-client",
            env!("CARGO_BIN_EXE_udp-daytime-client"),
        )
        .bin("udp-send", env!("CARGO_BIN_EXE_udp-send"))
        .env("TZ", "UTC")
        .check_lab();
}
