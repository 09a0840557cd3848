//! Checking a page's "In the lab" transcripts in a lab of network
//! namespaces (`scripts/lab`, docs/src/lab.md).
//!
//! A block tagged `console,lab` is left alone by [`Page::check`] and
//! run by [`Page::check_lab`], as root, in a lab of the test's own:
//!
//! - each command runs by `sh -c` in the workspace root, 2>&1;
//! - `sudo scripts/lab` becomes `scripts/lab` (the test is root, and
//!   sudo would drop the lab's prefix); no other `sudo` may appear;
//! - the page's lab prefix `np-` becomes the test's own, of the same
//!   length (so that the columns of `status` stay put), and
//!   `target/debug/BIN` the binary that the test built;
//! - `console,lab,server` holds one command, started in the
//!   background and ready when it printed its first expected line; it
//!   runs until the next `server` block or the end of the page, and
//!   then its expected lines are checked (the learner's second
//!   terminal). `console,lab,watch` is the same for a capture, in a
//!   slot of its own (a third terminal), so a server and a capture can
//!   run together.
//! - what varies is declared before the block, as on every page.
//!
//! The lab is removed at the end, also when a check fails, and the
//! test then fails if anything with its prefix is left.

use crate::glob::{line_matches, lines_match};
use crate::page::Page;
use crate::proc::{Cmd, Server};
use crate::shell::{command_words, shell_quote};
use crate::transcript::{Block, Step, parse};
use std::process::Command;
use std::time::Duration;

/// A step's limit: the slowest lessons wait for TCP's SYN retries.
const STEP_LIMIT: Duration = Duration::from_secs(60);

/// Tools a lab block may need beyond `ip`, `nft` and `tc`.
const LAB_TOOLS: &[&str] = &["ping", "nc", "tcpdump", "ss", "setpriv", "time"];
/// This process's lab prefix, three characters as `np-`: q to z and a
/// digit or letter from the process id (tests/lab.rs uses `l`, `p`).
pub fn page_prefix() -> String {
    const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let pid = std::process::id() as usize;
    let first = b"qrstuvwxyz"[(pid / 36) % 10] as char;
    let second = D[pid % 36] as char;
    format!("{first}{second}-")
}

/// `scripts/lab ARGS` as root under `prefix`.
pub fn lab_command(prefix: &str, args: &[&str]) -> Command {
    let root = crate::workspace_root();
    let mut c = Command::new(root.join("scripts/lab"));
    c.args(args)
        .env("NETPROG_LAB_PREFIX", prefix)
        .env_remove("SUDO_UID")
        .env_remove("SUDO_GID")
        .current_dir(root);
    c
}

/// Namespaces, interfaces of the machine's own namespace, nftables
/// tables there, and /etc/netns folders whose names start with
/// `prefix`: what `scripts/lab down` must leave none of.
pub fn lab_traces(prefix: &str) -> Vec<String> {
    let mut found = Vec::new();
    let list = |exe: &str, args: &[&str]| Cmd::new(exe).args(args).run().stdout;
    for l in list("ip", &["netns", "list"]).lines() {
        if l.starts_with(prefix) {
            found.push(format!("netns {l}"));
        }
    }
    for l in list("ip", &["-o", "link", "show"]).lines() {
        let name = l.split(": ").nth(1).unwrap_or("");
        if name.starts_with(prefix) {
            found.push(format!("link {name}"));
        }
    }
    for l in list("nft", &["list", "tables"]).lines() {
        if l.split_whitespace()
            .nth(2)
            .is_some_and(|t| t.starts_with(prefix))
        {
            found.push(l.to_string());
        }
    }
    if let Ok(dir) = std::fs::read_dir("/etc/netns") {
        for e in dir.flatten() {
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with(prefix) {
                found.push(format!("file /etc/netns/{name}"));
            }
        }
    }
    found
}

/// Can this machine build a lab? Skips (a failure under CI) if not.
pub fn can_build_lab() -> bool {
    crate::need_root("the lab is network namespaces")
        && crate::need_tool("ip", "the lab (iproute2)")
        && crate::need_tool("nft", "the lab's faults (nftables)")
        && crate::need_tool("tc", "the lab's rate limit (iproute2)")
        && crate::need_tool("setpriv", "the lab's exec (util-linux)")
}

/// The lab of one page check: removed on drop, panics included.
struct Guard {
    prefix: String,
}

impl Drop for Guard {
    fn drop(&mut self) {
        let out = Cmd::from_command(lab_command(&self.prefix, &["down"]))
            .timeout(Duration::from_secs(30))
            .run();
        if !std::thread::panicking() {
            out.expect_code(0);
            let left = lab_traces(&self.prefix);
            assert!(left.is_empty(), "lab down left: {left:?}");
        }
    }
}

/// A background block: the process, its patterns and its line.
struct Running {
    server: Server,
    expected: Vec<String>,
    line: usize,
}

impl Page {
    /// Run the page's `console,lab` blocks in a lab of the test's
    /// own; panic with every mismatch. See the `lab` module.
    pub fn check_lab(self) {
        let text = std::fs::read_to_string(&self.path).unwrap_or_else(|e| {
            panic!("cannot read {}: {e}", self.path.display())
        });
        let blocks: Vec<Block> = parse(&text)
            .into_iter()
            .filter(|b| b.tags.iter().any(|t| t == "lab"))
            .collect();
        let name = self.path.display().to_string();
        assert!(!blocks.is_empty(), "{name} has no console,lab block");
        if !can_build_lab() {
            return;
        }
        for b in &blocks {
            for s in &b.steps {
                let words = command_words(&s.command);
                for tool in LAB_TOOLS {
                    if words.contains(tool)
                        && !crate::need_tool(tool, "used in the lab")
                    {
                        return;
                    }
                }
            }
        }
        let prefix = page_prefix();
        Cmd::from_command(lab_command(&prefix, &["down"]))
            .timeout(Duration::from_secs(30))
            .run()
            .expect_code(0);
        let guard = Guard {
            prefix: prefix.clone(),
        };
        // Declared after the guard, so dropped first: the background
        // processes stop before the lab goes down.
        let mut slots: [Option<Running>; 2] = [None, None];
        let mut failures = Vec::new();
        let mut checked = 0;
        for b in &blocks {
            let slot = if b.tags.iter().any(|t| t == "server") {
                Some(0)
            } else if b.tags.iter().any(|t| t == "watch") {
                Some(1)
            } else {
                None
            };
            let Some(slot) = slot else {
                for s in &b.steps {
                    checked += 1;
                    let out = Cmd::from_command(self.lab_sh(&prefix, s))
                        .timeout(STEP_LIMIT)
                        .run();
                    let expected =
                        b.varies.patterns(&subst(&s.expected, &prefix));
                    if out.timed_out || !lines_match(&expected, &out.stdout) {
                        failures.push(mismatch(s, &expected, &out));
                    }
                }
                continue;
            };
            assert_eq!(b.steps.len(), 1, "line {}: one command", b.line);
            let s = &b.steps[0];
            if let Some(r) = slots[slot].take() {
                checked += 1;
                failures.extend(finish(r));
            }
            let expected = b.varies.patterns(&subst(&s.expected, &prefix));
            let first = expected.iter().find(|l| *l != "...").cloned();
            let first = first.unwrap_or_else(|| {
                panic!("line {}: a background block shows a line", s.line)
            });
            let started =
                Server::start_until(self.lab_sh(&prefix, s), true, |l| {
                    line_matches(&first, l)
                });
            match started {
                Ok(server) => {
                    slots[slot] = Some(Running {
                        server,
                        expected,
                        line: s.line,
                    })
                }
                Err((_, server)) => {
                    checked += 1;
                    failures.push(format!(
                        "line {} (background): never printed\n{first}\n\
                         --- it printed ---\n{}",
                        s.line,
                        server.stdout().join("\n")
                    ));
                }
            }
        }
        for r in slots.iter_mut().filter_map(Option::take) {
            checked += 1;
            failures.extend(finish(r));
        }
        drop(guard);
        if !failures.is_empty() {
            panic!(
                "{} lab transcript(s) on {name} differ from the lab:\n\n{}",
                failures.len(),
                failures.join("\n\n")
            );
        }
        eprintln!("{name}: {checked} lab command(s) checked");
    }

    /// The step's command, rewritten for the test's lab.
    fn lab_sh(&self, prefix: &str, s: &Step) -> Command {
        let mut cmd = s
            .command
            .replace("sudo scripts/lab", "scripts/lab")
            .replace("np-", prefix);
        assert!(
            !cmd.contains("sudo "),
            "line {}: only `sudo scripts/lab` may use sudo",
            s.line
        );
        // `target/debug/NAME` → the binary (whose path may hold those
        // words too: the text is rebuilt, not searched again).
        const AT: &str = "target/debug/";
        let mut out = String::new();
        let mut rest = cmd.as_str();
        while let Some(i) = rest.find(AT) {
            out.push_str(&rest[..i]);
            let after = &rest[i + AT.len()..];
            let end = after
                .find(|c: char| {
                    !(c.is_ascii_alphanumeric() || "-_".contains(c))
                })
                .unwrap_or(after.len());
            let name = &after[..end];
            let exe = self
                .bins
                .iter()
                .find(|(b, _)| b == name)
                .map(|(_, e)| e)
                .unwrap_or_else(|| {
                    panic!(
                        "line {}: a binary the test did not register: {}",
                        s.line, s.command
                    )
                });
            out.push_str(&shell_quote(exe));
            rest = &after[end..];
        }
        out.push_str(rest);
        cmd = out;
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!("exec 2>&1\n{cmd}"))
            .env("NETPROG_LAB_PREFIX", prefix)
            .env_remove("SUDO_UID")
            .env_remove("SUDO_GID")
            .current_dir(crate::workspace_root());
        for (k, v) in &self.env {
            c.env(k, v);
        }
        c
    }
}

/// The page's lines with the test's prefix, less trailing blanks.
fn subst(lines: &[String], prefix: &str) -> Vec<String> {
    let mut v: Vec<String> =
        lines.iter().map(|l| l.replace("np-", prefix)).collect();
    while v.last().is_some_and(|l| l.is_empty()) {
        v.pop();
    }
    v
}

fn mismatch(s: &Step, expected: &[String], out: &crate::Out) -> String {
    format!(
        "line {}: $ {}\n--- expected ---\n{}\n--- got{} ---\n{}",
        s.line,
        s.command,
        expected.join("\n"),
        if out.timed_out { " (timed out)" } else { "" },
        out.stdout.trim_end()
    )
}

/// Check what a background block printed by now (waiting up to 5 s
/// for the rest), then stop it.
fn finish(r: Running) -> Option<String> {
    let ok = r.server.wait_output(
        |got| lines_match(&r.expected, &got.join("\n")),
        Duration::from_secs(5),
    );
    if ok {
        return None;
    }
    Some(format!(
        "line {} (background): expected\n{}\n--- but it printed ---\n{}",
        r.line,
        r.expected.join("\n"),
        r.server.stdout().join("\n")
    ))
}

/// A lab for one test (exercise checks, lab lessons' own tests): built
/// under a prefix of its own, removed on drop (panics included), and
/// the test fails if anything with its prefix is left after a pass.
pub struct Lab {
    prefix: String,
}

impl Lab {
    /// Build a lab for this test process; `tag` (one letter or digit)
    /// tells apart the labs of tests that run side by side in one
    /// process. None (and a printed reason; a failure under CI or in
    /// an exercise check) when the machine cannot build one.
    pub fn up(tag: char) -> Option<Lab> {
        if !can_build_lab() {
            return None;
        }
        assert!(tag.is_ascii_alphanumeric(), "a tag is [a-z0-9]");
        const D: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
        let pid = std::process::id() as usize % (36 * 36);
        let prefix = format!(
            "e{}{}{}-",
            D[pid / 36] as char,
            D[pid % 36] as char,
            tag.to_ascii_lowercase()
        );
        let lab = Lab { prefix };
        lab.run(&["down"]).expect_code(0);
        let out = lab.run(&["up"]);
        out.expect_code(0);
        Some(lab)
    }

    /// The prefix of this lab's names (interfaces are PREFIX + host).
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    /// `scripts/lab ARGS` for this lab (as root), with a 60 s limit.
    pub fn run(&self, args: &[&str]) -> crate::Out {
        Cmd::from_command(lab_command(&self.prefix, args))
            .timeout(STEP_LIMIT)
            .run()
    }

    /// `scripts/lab exec HOST -- ARGS` as a Command, to run to the end
    /// with [`Cmd::from_command`] or in the background with
    /// [`Server::start_cmd`] (a server that prints `listening on`).
    pub fn exec(&self, host: &str, args: &[&str]) -> Command {
        let mut a = vec!["exec", host, "--"];
        a.extend_from_slice(args);
        lab_command(&self.prefix, &a)
    }

    /// `sh -c SCRIPT` inside HOST, stderr joined to stdout, to the end
    /// (limit 60 s).
    pub fn sh(&self, host: &str, script: &str) -> crate::Out {
        let script = format!("exec 2>&1\n{script}");
        Cmd::from_command(self.exec(host, &["sh", "-c", &script]))
            .timeout(STEP_LIMIT)
            .run()
    }

    /// `scripts/lab fault ARGS`; panics unless it succeeds.
    pub fn fault(&self, args: &[&str]) {
        let mut a = vec!["fault"];
        a.extend_from_slice(args);
        self.run(&a).expect_code(0);
    }

    /// `scripts/lab clear`: every fault off.
    pub fn clear(&self) {
        self.run(&["clear"]).expect_code(0);
    }
}

impl Drop for Lab {
    fn drop(&mut self) {
        let out = self.run(&["down"]);
        if !std::thread::panicking() {
            out.expect_code(0);
            let left = lab_traces(&self.prefix);
            assert!(left.is_empty(), "lab down left: {left:?}");
        }
    }
}
