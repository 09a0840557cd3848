//! The learner's loop, tested as a learner uses it: scripts/exercise
//! (check, progress, hints, solution, watch, NOT CHECKED) and
//! scripts/reset (one exercise, after a commit), on a copy of the
//! repository with a git history of its own.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use testkit::{Cmd, Out};

/// The exercise the loop is tried on: small, no tools needed.
const CRATE: &str = "ip-mask";
const N: &str = "2";

/// A build takes a while on a busy machine; nothing else does.
const BUILD: Duration = Duration::from_secs(300);

fn root() -> PathBuf {
    testkit::workspace_root()
}

/// A copy of the tracked files in target/, committed as the "clone".
/// The same folder every run, and a file is written only when its
/// text differs: the others keep their times, so the copy's build
/// stays warm, while a file an earlier run changed is written anew
/// (with the time of now, which makes cargo rebuild it).
fn repo(name: &str) -> PathBuf {
    repo_with(name, &[])
}

/// [`repo`], with `edits` (path, text) in place of or beside the
/// tracked files: part of the copy and of its clone commit, the same
/// every run, so that a build of them stays warm too.
fn repo_with(name: &str, edits: &[(String, Vec<u8>)]) -> PathBuf {
    let dir = root().join("target/scripts-test").join(name);
    std::fs::create_dir_all(&dir).unwrap();
    if dir.join(".git").is_dir() {
        // Files an earlier run added (untracked in the copy's git).
        Cmd::shell("git clean -fdq")
            .current_dir(&dir)
            .run()
            .expect_code(0);
    }
    for f in [".exercise-state", ".exercise-backups"] {
        let p = dir.join(f);
        let _ = std::fs::remove_dir_all(&p);
        let _ = std::fs::remove_file(&p);
    }
    // A history of its own: all of .git goes (refs, reflog, index) but
    // its object store. `git add` then finds most files' objects there
    // and writes none. A new store (a file per object, a folder per
    // first two hex digits) was most of the time these tests took.
    if let Ok(entries) = std::fs::read_dir(dir.join(".git")) {
        for e in entries.flatten().filter(|e| e.file_name() != "objects") {
            let _ = std::fs::remove_dir_all(e.path());
            let _ = std::fs::remove_file(e.path());
        }
    }
    let files = Cmd::new("git").args(["ls-files"]).current_dir(root()).run();
    let mut tracked: std::collections::HashSet<&str> =
        files.stdout.lines().collect();
    tracked.extend(edits.iter().map(|(f, _)| f.as_str()));
    // Files the main tree no longer has.
    let listed = Cmd::shell("find . -type f -not -path './.git/*'")
        .current_dir(&dir)
        .run();
    for f in listed.stdout.lines() {
        let f = f.trim_start_matches("./");
        if !tracked.contains(f) {
            let _ = std::fs::remove_file(dir.join(f));
        }
    }
    for f in tracked {
        let (from, to) = (root().join(f), dir.join(f));
        let edit = edits.iter().find(|(e, _)| e == f);
        let text = match edit {
            Some((_, text)) => text.clone(),
            None => match std::fs::read(&from) {
                Ok(text) => text,
                Err(_) => continue, // deleted, not yet committed
            },
        };
        if std::fs::read(&to).ok().as_deref() != Some(&text[..]) {
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::write(&to, &text).unwrap();
            if let Ok(meta) = std::fs::metadata(&from) {
                std::fs::set_permissions(&to, meta.permissions()).unwrap();
            }
        }
    }
    Cmd::shell(
        "git init -q && git add -A && \
         git -c user.name=t -c user.email=t@t commit -qm clone",
    )
    .current_dir(&dir)
    .timeout(Duration::from_secs(60))
    .run()
    .expect_code(0);
    dir
}

/// Each copy builds into a target folder of its own: two copies of one
/// crate building into one folder would overwrite each other's binaries.
fn target(repo: &Path) -> PathBuf {
    repo.with_extension("target")
}

/// Kills a process group when dropped, also when the test panics.
struct KillOnDrop(u32);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-s", "KILL", "--", &format!("-{}", self.0)])
            .status();
    }
}

fn script(repo: &Path, args: &[&str]) -> Out {
    let mut cmd = Command::new("bash");
    cmd.arg(repo.join("scripts").join(args[0]))
        .args(&args[1..])
        .current_dir(repo)
        .env("CARGO_TARGET_DIR", target(repo))
        .env_remove("CI");
    Cmd::from_command(cmd).timeout(BUILD).run()
}

fn apply_solution(repo: &Path) {
    Cmd::new("git")
        .args(["apply", &format!("crates/{CRATE}/solutions/{N}.patch")])
        .current_dir(repo)
        .run()
        .expect_code(0);
}

/// The files the solution of exercise N changes, as (path, text) with
/// the solution applied: `git apply` on copies in a scratch folder.
fn solved_files() -> Vec<(String, Vec<u8>)> {
    let patch = root().join(format!("crates/{CRATE}/solutions/{N}.patch"));
    let patch = patch.to_str().unwrap();
    let scratch = testkit::TempDir::new("solved");
    let stat = Cmd::new("git")
        .args(["apply", "--numstat", patch])
        .current_dir(scratch.path())
        .run();
    stat.expect_code(0);
    let names: Vec<String> = stat
        .stdout
        .lines()
        .filter_map(|l| l.split('\t').nth(2).map(String::from))
        .collect();
    assert!(!names.is_empty(), "{}", stat.describe());
    for f in &names {
        let to = scratch.path().join(f);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        if let Ok(text) = std::fs::read(root().join(f)) {
            std::fs::write(&to, text).unwrap();
        }
    }
    Cmd::new("git")
        .args(["apply", patch])
        .current_dir(scratch.path())
        .run()
        .expect_code(0);
    names
        .into_iter()
        .map(|f| {
            let text = std::fs::read(scratch.path().join(&f)).unwrap();
            (f, text)
        })
        .collect()
}

fn status_line(list: &str) -> String {
    list.lines()
        .find(|l| {
            let w: Vec<&str> = l.split_whitespace().collect();
            w.len() >= 2 && w[0] == CRATE && w[1] == N
        })
        .unwrap_or_else(|| panic!("no line for {CRATE} {N} in:\n{list}"))
        .to_string()
}

// The loop is tried on three copies, side by side, each of which
// stays the same from run to run, so that their builds stay warm: a
// check of the untouched crate, a check of the solved one, and reset
// (which builds nothing).

#[test]
fn check_progress_hints_and_solution() {
    let repo = repo("loop");

    // A mistyped flag is an error, not a silent check run.
    let out = script(&repo, &["exercise", CRATE, N, "--soluton"]);
    out.expect_code(2);
    assert!(out.stderr.contains("unknown option '--soluton'"), "{out:?}");

    let list = script(&repo, &["exercise", "--list"]);
    list.expect_code(0);
    assert!(status_line(&list.stdout).contains("not started"));
    assert!(list.stdout.contains("\n0 of "), "{}", list.stdout);

    // The untouched crate fails its check, and that counts as tried.
    let out = script(&repo, &["exercise", CRATE, N]);
    out.expect_code(1);
    assert!(out.stdout.contains("Not yet."), "{}", out.describe());
    let list = script(&repo, &["exercise", "--list"]).stdout;
    assert!(status_line(&list).contains("tried"), "{list}");

    // The solution stays hidden until the exercise passes, unless forced.
    let out = script(&repo, &["exercise", CRATE, N, "--solution"]);
    out.expect_code(1);
    assert!(!out.stdout.contains("diff --git"), "{}", out.stdout);
    let out = script(&repo, &["exercise", CRATE, N, "--solution", "--force"]);
    out.expect_code(0);
    assert!(out.stdout.starts_with("diff --git"), "{}", out.stdout);

    // Hints come one at a time, in order.
    let h1 = script(&repo, &["exercise", CRATE, N, "--hint"]);
    h1.expect_code(0);
    assert!(h1.stdout.starts_with("Hint 1 of "), "{}", h1.stdout);
    let h2 = script(&repo, &["exercise", CRATE, N, "--hint"]);
    assert!(h2.stdout.starts_with("Hint 2 of "), "{}", h2.stdout);
    assert_ne!(h1.stdout, h2.stdout);
}

#[test]
fn a_passing_check_counts_as_done() {
    // A copy with the solution in place, as a learner's edit.
    let repo = repo_with("done", &solved_files());
    let list = script(&repo, &["exercise", "--list"]).stdout;
    assert!(status_line(&list).contains("not started"), "{list}");
    let out = script(&repo, &["exercise", CRATE, N]);
    out.expect_code(0);
    assert!(out.stdout.contains("passes. Well done."), "{}", out.stdout);
    let list = script(&repo, &["exercise", "--list"]).stdout;
    assert!(status_line(&list).contains("done"), "{list}");
    assert!(list.contains("\n1 of "), "{list}");
    // Once it passes, the solution is shown without --force.
    let out = script(&repo, &["exercise", CRATE, N, "--solution"]);
    out.expect_code(0);
    assert!(out.stdout.starts_with("diff --git"), "{}", out.stdout);
}

#[test]
fn reset_of_one_exercise_after_a_commit() {
    let repo = repo("reset");
    apply_solution(&repo);
    // After a commit, reset of the one exercise still finds the edits
    // (it compares with the clone, not with HEAD) and undoes them.
    Cmd::shell("git -c user.name=t -c user.email=t@t commit -qam mine")
        .current_dir(&repo)
        .run()
        .expect_code(0);
    let out = script(&repo, &["reset", CRATE, N]);
    out.expect_code(0);
    assert!(
        out.stdout.contains("is back as it was"),
        "{}",
        out.describe()
    );
    let diff = Cmd::shell("git diff HEAD~1 --stat -- crates")
        .current_dir(&repo)
        .run();
    assert!(diff.stdout.trim().is_empty(), "left: {}", diff.stdout);
    let out = script(&repo, &["reset", CRATE, N]);
    assert!(out.stdout.contains("nothing to reset"), "{}", out.stdout);
    let backups = std::fs::read_dir(repo.join(".exercise-backups"))
        .unwrap()
        .count();
    assert_eq!(backups, 1, "one backup of the learner's edits");
}

#[test]
fn watch_mode_checks_again_after_a_save() {
    let repo = repo("watch");
    let mut child = Command::new("bash")
        .arg(repo.join("scripts/exercise"))
        .args([CRATE, N, "--watch"])
        .current_dir(&repo)
        .env("CARGO_TARGET_DIR", target(&repo))
        .env("NETPROG_WATCH_POLL", "0.2")
        .env_remove("CI")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap();
    let pid = child.id();
    let _kill = KillOnDrop(pid);
    let (tx, rx) = mpsc::channel();
    let stdout = child.stdout.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    let wait_for = |what: &str| {
        let deadline = Instant::now() + BUILD;
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match rx.recv_timeout(left) {
                Ok(l) if l.contains(what) => return,
                Ok(l) => seen.push(l),
                Err(_) => break,
            }
        }
        panic!("watch mode never printed {what:?}; it printed {seen:#?}");
    };
    wait_for("Not yet.");
    wait_for("Watching crates/");
    apply_solution(&repo); // the learner saves a correct edit
    wait_for("passes. Well done.");
    wait_for("Watching crates/");
    // Ctrl+C (SIGINT) or SIGTERM ends watch mode with status 0 (`--`:
    // without it, kill reads the negative process group as an option).
    // The
    // test sends SIGTERM: a shell started in the background ignores
    // SIGINT for good, as POSIX says, and so would this script.
    let _ = Command::new("kill")
        .args(["-s", "TERM", "--", &format!("-{pid}")])
        .status();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "watch mode after Ctrl+C: {status}");
}

#[test]
fn a_check_never_passes_what_it_could_not_run() {
    // A check whose test needs a tool the machine lacks must say NOT
    // CHECKED and exit 3, never "passes". The tool is one nobody has:
    // an exercise made up for this test, added to the copy.
    let test = "#[test]\n\
        fn needs_a_tool() {\n    \
        if !testkit::need_tool(\"netprog-no-such-tool\", \"invented\") \
        {\n        return;\n    }\n}\n";
    let manifest = format!("crates/{CRATE}/Cargo.toml");
    let mut toml = std::fs::read(root().join(&manifest)).unwrap();
    toml.extend_from_slice(
        b"\n[[test]]\nname = \"exercise_99\"\n\
         path = \"tests/exercise_99.rs\"\n\
         required-features = [\"exercises\"]\n",
    );
    let repo = repo_with(
        "starved",
        &[
            (format!("crates/{CRATE}/tests/exercise_99.rs"), test.into()),
            (manifest, toml),
        ],
    );
    let out = script(&repo, &["exercise", CRATE, "99"]);
    assert_eq!(out.code, Some(3), "{}", out.describe());
    assert!(
        out.stdout.contains("NOT CHECKED: `netprog-no-such-tool`"),
        "{}",
        out.stdout
    );
    assert!(!out.stdout.contains("passes"), "{}", out.stdout);
}
