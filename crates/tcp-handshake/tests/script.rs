//! scripts/watch-handshake, as root, as an ordinary user whose PATH
//! has no /usr/sbin (where getcap lives), and under sudo (the build,
//! the server and the client as the user who ran sudo). It takes the
//! programs this test built (NETPROG_BIN_DIR, or a cargo of the test's
//! own that only says where they are), so that it builds nothing. And
//! scripts/doctor's search for getcap outside PATH.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::time::Duration;
use testkit::{Cmd, Out, TempDir};

const SERVER: &str = env!("CARGO_BIN_EXE_handshake-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_handshake-client");
const WATCH: &str = env!("CARGO_BIN_EXE_handshake-watch");

/// For handshake-watch's wait for the teardown (2 s after the client
/// exits): 8 s here. On a machine busy with the other tests, the
/// server may not be given the CPU in time to send its FIN. A passing
/// run does not wait for it: the capture ends with the last ACK.
const TIME_SCALE: &str = "NETPROG_TIME_SCALE=4";

fn script() -> String {
    testkit::workspace_root()
        .join("scripts/watch-handshake")
        .display()
        .to_string()
}

/// The three programs, copied to a directory anyone may read (a copy
/// has no file capabilities), with [`copy`].
fn programs(dir: &TempDir) -> String {
    let open = std::fs::Permissions::from_mode(0o755);
    for exe in [SERVER, CLIENT, WATCH] {
        let to = dir.path().join(Path::new(exe).file_name().unwrap());
        copy(Path::new(exe), &to);
        std::fs::set_permissions(&to, open.clone()).unwrap();
    }
    std::fs::set_permissions(dir.path(), open).unwrap();
    dir.path().display().to_string()
}

/// Run the script as user and group 65534 (nobody), with a PATH
/// without any sbin directory.
fn as_nobody(bin_dir: &str) -> Out {
    Cmd::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args(["env", "-i", "PATH=/usr/bin:/bin", TIME_SCALE])
        .args([format!("NETPROG_BIN_DIR={bin_dir}")])
        .args([script()])
        .timeout(Duration::from_secs(30))
        .run()
}

/// The annotated conversation is there, from SYN to the last ACK.
fn watched(out: &Out) {
    out.expect_code(0);
    for want in [
        "handshake 1/3",
        "data: 14 bytes, the client's bytes 1 to 14;",
        "the client acknowledges the server's FIN",
    ] {
        assert!(out.stdout.contains(want), "{want}\n{}", out.describe());
    }
}

fn can_switch_user() -> bool {
    testkit::need_root("running the script as another user")
        && testkit::need_tool("setpriv", "changing user (util-linux)")
}

#[test]
fn as_root_it_watches_one_connection() {
    if !testkit::need_root("capturing on lo needs CAP_NET_RAW") {
        return;
    }
    let dir = TempDir::new("watch-script-root");
    let out = Cmd::new("env")
        .args([TIME_SCALE, &script()])
        .env("NETPROG_BIN_DIR", programs(&dir))
        .timeout(Duration::from_secs(30))
        .run();
    watched(&out);
}

#[test]
fn a_user_with_the_capability_captures_though_getcap_is_not_on_path() {
    if !can_switch_user()
        || !testkit::need_tool("setcap", "file capabilities (libcap2-bin)")
    {
        return;
    }
    let dir = TempDir::new("watch-script-cap");
    let bin = programs(&dir);
    Cmd::new("setcap")
        .args(["cap_net_raw+ep", &format!("{bin}/handshake-watch")])
        .run()
        .expect_code(0);
    let out = as_nobody(&bin);
    watched(&out);
    // It did not ask for sudo: the capability was found.
    assert!(!out.stderr.contains("sudo"), "{}", out.describe());
}

#[test]
fn a_user_without_the_capability_or_sudo_is_told_how() {
    if !can_switch_user() {
        return;
    }
    let dir = TempDir::new("watch-script-nocap");
    let bin = programs(&dir);
    let out = as_nobody(&bin);
    // With sudo installed the capture would run under it instead.
    if Path::new("/usr/bin/sudo").exists() {
        assert!(out.stderr.contains("under sudo"), "{}", out.describe());
        return;
    }
    out.expect_code(1);
    assert!(
        out.stderr.contains(&format!(
            "sudo setcap cap_net_raw+ep {bin}/handshake-watch"
        )),
        "{}",
        out.describe()
    );
}

#[test]
fn bad_arguments_exit_2_and_help_exits_0() {
    let out = Cmd::new(&script()).args(["--bogus"]).run();
    out.expect_code(2);
    assert!(out.stderr.starts_with("usage: scripts/watch-handshake"));
    let out = Cmd::new(&script()).args(["--help"]).run();
    out.expect_code(0);
    assert!(out.stdout.starts_with("usage: scripts/watch-handshake"));
}

/// A folder for the sudo test that user 65534 may write in.
fn open_dir(tag: &str) -> TempDir {
    let dir = TempDir::new(tag);
    let all = std::fs::Permissions::from_mode(0o777);
    std::fs::set_permissions(dir.path(), all).unwrap();
    dir
}

/// Copied by cp(1), not std::fs::copy: then the copy's writing
/// descriptor lives only in cp. Opened in this test process, a child
/// that another test thread forks at that moment would hold it until
/// its exec, and exec(2) of the copy fails with ETXTBSY ("Text file
/// busy") while the file is open for writing anywhere.
fn copy(from: &Path, to: &Path) {
    Cmd::new("cp").args([from, to]).run().expect_code(0);
}

/// A script written by a child (`cat`), for the reason of [`copy`].
fn write_script(path: &Path, text: &str) {
    Cmd::new("sh")
        .args(["-c", "cat >\"$0\""])
        .args([path])
        .stdin(text)
        .run()
        .expect_code(0);
    let exec = std::fs::Permissions::from_mode(0o755);
    std::fs::set_permissions(path, exec).unwrap();
}

fn uid_in(file: &Path) -> String {
    std::fs::read_to_string(file)
        .unwrap_or_else(|e| panic!("{}: {e}", file.display()))
        .trim()
        .to_string()
}

#[test]
fn under_sudo_it_builds_and_runs_the_programs_as_the_user_who_ran_it() {
    if !can_switch_user() {
        return;
    }
    // A cargo of our own on PATH, which notes who ran it and says where
    // its "build" is: a target/debug with the real handshake-watch and
    // a server and a client that note who runs them, then run the real
    // ones. sudo's variables say user 65534 (nobody) ran the script.
    let dir = open_dir("watch-script-sudo");
    let d = dir.path();
    let notes = d.join("notes");
    std::fs::create_dir(&notes).unwrap();
    let all = std::fs::Permissions::from_mode(0o777);
    std::fs::set_permissions(&notes, all).unwrap();
    let fake_bin = d.join("bin");
    let debug = d.join("target/debug");
    std::fs::create_dir_all(&fake_bin).unwrap();
    std::fs::create_dir_all(&debug).unwrap();
    let n = notes.display();
    write_script(
        &fake_bin.join("cargo"),
        &format!(
            "#!/bin/sh\n\
             id -u >{n}/cargo-$1\n\
             [ \"$1\" = metadata ] && \
             echo '{{\"target_directory\":\"{}\"}}'\n\
             exit 0\n",
            d.join("target").display()
        ),
    );
    copy(Path::new(WATCH), &debug.join("handshake-watch"));
    for (name, real) in [("server", SERVER), ("client", CLIENT)] {
        write_script(
            &debug.join(format!("handshake-{name}")),
            &format!("#!/bin/sh\nid -u >{n}/{name}\nexec {real} \"$@\"\n"),
        );
    }
    for p in [d.join("target"), debug.clone(), fake_bin.clone()] {
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755))
            .unwrap();
    }
    let pcap = notes.join("coco.pcap");
    let out = Cmd::new("env")
        .args(["-i", "SUDO_USER=nobody", "SUDO_UID=65534"])
        .args(["SUDO_GID=65534", TIME_SCALE])
        .args([format!("PATH={}:/usr/bin:/bin", fake_bin.display())])
        .args([script(), "--write".into()])
        .args([&pcap])
        .timeout(Duration::from_secs(30))
        .run();
    watched(&out);
    // The build, the server and the client ran as the user who ran
    // sudo; the capture as root (it needed no sudo of its own).
    for note in ["cargo-build", "cargo-metadata", "server", "client"] {
        assert_eq!(uid_in(&notes.join(note)), "65534", "{note}");
    }
    assert!(!out.stderr.contains("under sudo"), "{}", out.describe());
    // The pcap file, written by the capture as root, is the user's.
    use std::os::unix::fs::MetadataExt;
    let meta = std::fs::metadata(&pcap).unwrap();
    assert_eq!((meta.uid(), meta.gid()), (65534, 65534));
}

#[test]
fn doctor_finds_getcap_in_sbin_though_path_lacks_it() {
    if !can_switch_user()
        || !testkit::need_tool("getcap", "file capabilities (libcap2-bin)")
    {
        return;
    }
    let Some(getcap) = ["/usr/sbin/getcap", "/sbin/getcap"]
        .into_iter()
        .find(|p| Path::new(p).exists())
    else {
        panic!("getcap is installed, but not in /usr/sbin or /sbin");
    };
    let doctor = testkit::workspace_root().join("scripts/doctor");
    let out = Cmd::new("setpriv")
        .args(["--reuid=65534", "--regid=65534", "--clear-groups"])
        .args(["env", "-i", "PATH=/usr/bin:/bin"])
        .args([doctor])
        .timeout(Duration::from_secs(30))
        .run();
    out.expect_code(0);
    assert!(
        out.stdout.contains(&format!("  ok    getcap: {getcap}\n")),
        "{}",
        out.describe()
    );
}
