//! Every console transcript on docs/src/echo-threaded.md, run for real.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("echo-threaded")
        .bin(
            "simple-echo-server",
            env!("CARGO_BIN_EXE_simple-echo-server"),
        )
        .bin(
            "threaded-echo-server",
            env!("CARGO_BIN_EXE_threaded-echo-server"),
        )
        .bin(
            "threaded-ip-echo-server",
            env!("CARGO_BIN_EXE_threaded-ip-echo-server"),
        )
        .bin("smoke-test-server", env!("CARGO_BIN_EXE_smoke-test-server"))
        .bin("smoke-test-client", env!("CARGO_BIN_EXE_smoke-test-client"))
        .default_bin("threaded-echo-server")
        .check();
}
