//! Every console transcript on docs/src/resolve.md, run against the
//! real binaries. RES_OPTIONS keeps any DNS wait of the system
//! resolver to one second, so an unknown name cannot stall the check.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[test]
fn page_transcripts_match_the_programs() {
    testkit::Page::new("resolve")
        .bin("resolve-ip", env!("CARGO_BIN_EXE_resolve-ip"))
        .bin("lookup-host", env!("CARGO_BIN_EXE_lookup-host"))
        .bin("look-host", env!("CARGO_BIN_EXE_look-host"))
        .bin("look-ip", env!("CARGO_BIN_EXE_look-ip"))
        .bin("look-ns", env!("CARGO_BIN_EXE_look-ns"))
        .default_bin("resolve-ip")
        .env("RES_OPTIONS", "timeout:1 attempts:1")
        .check();
}
