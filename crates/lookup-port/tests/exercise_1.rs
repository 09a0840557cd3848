//! Check of exercise 1 on docs/src/lookup-port.md: a new binary,
//! `lookup-service NETWORK PORT`, that goes the other way (port number
//! to service name) and prints `Service name NAME`.
//!
//! Run it with: scripts/exercise lookup-port 1
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::PathBuf;
use testkit::{Cmd, Out, TempDir};

const SERVICES: &str = "\
# a test's own services file
first-name\t7001/tcp\talias-one alias-two
second-name\t7001/tcp
udp-only\t7002/udp
mytelnet\t2323/tcp
myssh\t\t22/tcp
";

/// Where cargo put lookup-service: beside lookup-port, which is built
/// by the same `cargo test`. Its source must exist too: an old binary
/// can outlive its source in target/ (after `scripts/reset`, say), and
/// only a program cargo has just built from the crate counts.
fn exe() -> PathBuf {
    let krate = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let manifest =
        std::fs::read_to_string(krate.join("Cargo.toml")).unwrap_or_default();
    let has_source = krate.join("src/bin/lookup-service.rs").is_file()
        || krate.join("src/bin/lookup-service/main.rs").is_file()
        || manifest.contains("name = \"lookup-service\"");
    let here = PathBuf::from(env!("CARGO_BIN_EXE_lookup-port"));
    let exe = here.with_file_name("lookup-service");
    assert!(
        has_source && exe.exists(),
        "hint: there is no lookup-service program yet. Create \
         crates/lookup-port/src/bin/lookup-service.rs (cargo finds it \
         there by itself) with a main that takes NETWORK and PORT."
    );
    exe
}

fn run(args: &[&str], services: Option<&str>) -> Out {
    let dir = TempDir::new("lookup-service");
    let path = dir.path().join("services");
    if let Some(text) = services {
        std::fs::write(&path, text).unwrap();
    }
    // With `None` the path names no file: only Go's table is left.
    Cmd::new(exe().to_str().unwrap())
        .args(args)
        .env("NETPROG_SERVICES", &path)
        .run()
}

#[test]
fn a_port_from_the_file_gives_its_official_name() {
    let out = run(&["tcp", "2323"], Some(SERVICES));
    assert_eq!(
        out.stdout.trim_end(),
        "Service name mytelnet",
        "hint: `lookup-service tcp 2323` should print `Service name mytelnet` \
         for a services file with the line `mytelnet 2323/tcp`. Got:\n{}",
        out.describe()
    );
    assert_eq!(
        out.code,
        Some(0),
        "hint: exit 0 when found\n{}",
        out.describe()
    );
}

#[test]
fn the_first_line_for_a_port_wins_and_aliases_are_not_names() {
    let out = run(&["tcp", "7001"], Some(SERVICES));
    assert_eq!(
        out.stdout.trim_end(),
        "Service name first-name",
        "hint: two lines give port 7001/tcp; print the first field of the \
         FIRST such line (as getservbyport does), not an alias, not the \
         last line. Got:\n{}",
        out.describe()
    );
}

#[test]
fn the_network_matters() {
    let out = run(&["udp", "7002"], Some(SERVICES));
    assert_eq!(
        out.stdout.trim_end(),
        "Service name udp-only",
        "hint: `udp 7002` is in the file as 7002/udp.\n{}",
        out.describe()
    );
    let out = run(&["tcp", "7002"], Some(SERVICES));
    assert_eq!(
        out.code,
        Some(2),
        "hint: 7002 is only listed for udp, so `lookup-service tcp 7002` \
         should fail with exit status 2.\n{}",
        out.describe()
    );
    assert!(
        out.stderr.contains("address tcp/7002: unknown service"),
        "hint: print `Error: address tcp/7002: unknown service` on stderr.\n{}",
        out.describe()
    );
}

#[test]
fn the_file_comes_before_the_builtin_table() {
    // Go's table says 22/tcp is ssh; the file says myssh.
    let out = run(&["tcp", "22"], Some(SERVICES));
    assert_eq!(
        out.stdout.trim_end(),
        "Service name myssh",
        "hint: search the services file first, and Go's built-in table \
         only for ports the file does not list: the file names 22/tcp \
         myssh. Got:\n{}",
        out.describe()
    );
}

#[test]
fn without_a_file_go_s_builtin_table_answers() {
    for (args, name) in [(["tcp", "23"], "telnet"), (["udp", "53"], "domain")] {
        let out = run(&args, None);
        assert_eq!(
            out.stdout.trim_end(),
            format!("Service name {name}"),
            "hint: with no services file, fall back to Go's built-in table \
             (lookup_port::BUILTIN), as lookup-port does: {args:?}.\n{}",
            out.describe()
        );
    }
}

#[test]
fn bad_input_is_refused() {
    for port in ["telnet", "0", "65536", "-1"] {
        let out = run(&["tcp", port], Some(SERVICES));
        assert_eq!(
            (out.code, out.stderr.trim_end()),
            (
                Some(2),
                format!("Error: address {port}: invalid port").as_str()
            ),
            "hint: a PORT that is not a number from 1 to 65535 gets \
             `Error: address {port}: invalid port` and exit status 2.\n{}",
            out.describe()
        );
    }
    let out = run(&["tcp"], Some(SERVICES));
    assert_eq!(
        out.code,
        Some(1),
        "hint: a wrong number of arguments is a usage error: a `Usage: ...` \
         line on stderr and exit status 1.\n{}",
        out.describe()
    );
    assert!(
        out.stderr.starts_with("Usage: lookup-service"),
        "{}",
        out.describe()
    );
}
