//! docs/src/captures.md: the page reads a capture saved in the
//! repository (docs/src/captures/daytime.pcap) with tcpdump, and each
//! transcript is tcpdump's real output for that file. Reading a file
//! needs no privilege; without tcpdump the page is skipped with a
//! printed reason (a failure under CI).

#[test]
fn the_capture_page_shows_what_tcpdump_reads() {
    testkit::Page::new("captures").in_workspace_root().check();
}
