//! Checking a companion page's console transcripts against the real
//! binaries, so that a page can never drift from what the code does.
//!
//! # What a page may contain
//!
//! Every fenced block whose info string starts with `console` is a
//! transcript and is checked; other blocks (`sh`, `text`, `rust`) are
//! not. In a transcript:
//!
//! - a line starting with `$ ` is a command (a trailing `\` continues
//!   it on the next line); `cargo run [-q] [--release] -p CRATE
//!   [--bin BIN] [--]` is replaced by the path of the binary that the
//!   test built, and the rest is run by `sh -c` in a fresh temporary
//!   directory (one per part of the page: the `parts` module says how
//!   a page is split into parts that run side by side), with stdin
//!   empty and stderr joined to stdout;
//! - the lines up to the next command are its expected output: the
//!   output of a real run, as the reader should see it.
//!
//! What varies from run to run (a time, a port the kernel chose, a
//! process id) is declared in an HTML comment on the lines right
//! before the block, which the reader of the book does not see:
//!
//! - `<!-- varies: time=[..] ms | identifier [..] -->`: templates,
//!   separated by ` | `. Wherever an expected line contains a
//!   template's fixed parts, the text standing where the template has
//!   `[..]` may be anything when checked (a template that ends in
//!   `[..]` runs to the end of the line).
//! - `<!-- more lines: anywhere -->`: the expected lines must come in
//!   this order, but other lines may come before, between and after
//!   them (packets of other programs, lines that differ by machine).
//!
//! (The matcher underneath also knows `[..]` within a line and a line
//! `...` for any number of lines; the pages no longer show them.)
//!
//! Tags after the word `console` (`console,server`, `console,root`):
//!
//! - `server`: the block holds one command, a server. It is started in
//!   the background and keeps running while the following blocks run
//!   (the learner's second terminal), until the next `server` block or
//!   the end of the page. Its expected lines are checked against what
//!   it printed by then. If its first expected line is `listening on
//!   HOST:PORT`, the server is started on port 0 instead (the last
//!   argument is replaced, or `0` is appended when there is none), and
//!   PORT is replaced by the real port in every later command and
//!   expected line of the page. So pages show the book's ports while
//!   tests run in parallel on ephemeral ones.
//! - `root`: needs root (raw sockets, capture). Without it the rest of
//!   the page is skipped with a printed reason (a failure under CI).
//! - `lab`: runs in a lab of network namespaces (`scripts/lab`), as
//!   root; `check` leaves these blocks to [`Page::check_lab`] (see the
//!   `lab` module for their rules).
//!
//! A command that uses a tool a learner may lack (`nc`, `socat`,
//! `tcpdump`, `dnsmasq`, ...) skips the rest of the page when the tool
//! is missing, again a failure under CI.

use crate::glob::lines_match;
use crate::proc::{Cmd, Server, WAIT};
use crate::shell::{
    replace_number, shell_quote, tokens_with_end, trailing_port, with_port_zero,
};
use crate::transcript::{Block, Step, Varies, parse};
use std::panic::resume_unwind;
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// A companion page to check. See the module documentation.
#[derive(Debug)]
pub struct Page {
    pub(crate) krate: String,
    pub(crate) path: PathBuf,
    pub(crate) bins: Vec<(String, String)>,
    default_bin: Option<String>,
    pub(crate) env: Vec<(String, String)>,
    in_root: bool,
}

impl Page {
    /// The page `docs/src/<krate>.md` of the workspace.
    pub fn new(krate: &str) -> Page {
        let path = crate::workspace_root()
            .join("docs/src")
            .join(format!("{krate}.md"));
        Page {
            krate: krate.to_string(),
            path,
            bins: Vec::new(),
            default_bin: None,
            env: Vec::new(),
            in_root: false,
        }
    }

    /// Check another file instead (e.g. a page shared by crates).
    pub fn file(mut self, rel_to_docs_src: &str) -> Page {
        self.path = crate::workspace_root()
            .join("docs/src")
            .join(rel_to_docs_src);
        self
    }

    /// A binary of the crate: its name and `env!("CARGO_BIN_EXE_..")`.
    pub fn bin(mut self, name: &str, exe: &str) -> Page {
        self.bins.push((name.to_string(), exe.to_string()));
        self
    }

    /// The binary `cargo run -p CRATE` runs without `--bin`.
    pub fn default_bin(mut self, name: &str) -> Page {
        self.default_bin = Some(name.to_string());
        self
    }

    /// Run the commands in the workspace's root folder instead of an
    /// empty one (a page that reads a file of the repository).
    pub fn in_workspace_root(mut self) -> Page {
        self.in_root = true;
        self
    }

    /// An environment variable for every command on the page.
    pub fn env(mut self, k: &str, v: &str) -> Page {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// Run every transcript; panic with a report of every mismatch.
    /// The page's parts run side by side (the `parts` module says how
    /// a page is split); the report is in page order.
    pub fn check(self) {
        let text = std::fs::read_to_string(&self.path).unwrap_or_else(|e| {
            panic!("cannot read {}: {e}", self.path.display())
        });
        let blocks = parse(&text);
        assert!(
            !blocks.is_empty(),
            "{} has no console transcript to check",
            self.path.display()
        );
        let runnable = crate::parts::runnable(&self.krate, &blocks);
        let parts = crate::parts::split(&runnable);
        let runs: Vec<(Vec<String>, usize)> = std::thread::scope(|sc| {
            let handles: Vec<_> = parts
                .iter()
                .map(|part| {
                    let page = &self;
                    sc.spawn(move || {
                        let mut run = Run::new(page);
                        for b in part {
                            run.block(b);
                        }
                        run.finish_server();
                        (run.failures, run.checked)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| resume_unwind(e)))
                .collect()
        });
        let checked: usize = runs.iter().map(|r| r.1).sum();
        let failures: Vec<String> =
            runs.into_iter().flat_map(|r| r.0).collect();
        let name = self.path.display();
        if !failures.is_empty() {
            panic!(
                "{} transcript(s) on {name} differ from the real programs:\n\n{}",
                failures.len(),
                failures.join("\n\n")
            );
        }
        eprintln!("{name}: {checked} command(s) checked");
    }

    /// Replace each `cargo run ... --` with the binary's path.
    fn expand(&self, command: &str) -> String {
        let mut out = String::new();
        let mut rest = command;
        while let Some(i) = rest.find("cargo run") {
            out.push_str(&rest[..i]);
            let after = &rest[i + "cargo run".len()..];
            let (bin, consumed) = self.parse_cargo_run(after);
            let exe = self
                .bins
                .iter()
                .find(|(n, _)| *n == bin)
                .map(|(_, e)| e.clone())
                .unwrap_or_else(|| {
                    panic!("page runs `{bin}`, which the test did not register")
                });
            out.push_str(&shell_quote(&exe));
            rest = &after[consumed..];
        }
        out.push_str(rest);
        out
    }

    /// Parse the flags after `cargo run`; return the binary name and
    /// how many bytes of `after` the flags took.
    fn parse_cargo_run(&self, after: &str) -> (String, usize) {
        let mut bin = None;
        let mut pos = 0;
        let mut toks = tokens_with_end(after);
        while let Some((tok, end)) = toks.next() {
            match tok {
                "-q" | "--quiet" | "--release" => pos = end,
                "-p" | "--package" => {
                    let (name, e) = toks.next().expect("-p needs a crate name");
                    assert_eq!(
                        name, self.krate,
                        "page runs another crate's binary"
                    );
                    pos = e;
                }
                "--bin" => {
                    let (name, e) = toks.next().expect("--bin needs a name");
                    bin = Some(name.to_string());
                    pos = e;
                }
                "--" => {
                    pos = end;
                    break;
                }
                _ => break,
            }
        }
        let bin =
            bin.or_else(|| self.default_bin.clone()).unwrap_or_else(|| {
                panic!("`cargo run` without --bin, and no default_bin set")
            });
        (bin, pos)
    }
}

struct Run<'a> {
    page: &'a Page,
    dir: crate::TempDir,
    ports: Vec<(String, String)>,
    server: Option<(Server, Vec<String>, usize)>,
    failures: Vec<String>,
    checked: usize,
}

impl<'a> Run<'a> {
    fn new(page: &'a Page) -> Run<'a> {
        Run {
            page,
            dir: crate::TempDir::new(&format!("page-{}", page.krate)),
            ports: Vec::new(),
            server: None,
            failures: Vec::new(),
            checked: 0,
        }
    }

    fn subst(&self, s: &str) -> String {
        self.ports.iter().fold(s.to_string(), |acc, (from, to)| {
            replace_number(&acc, from, to)
        })
    }

    fn block(&mut self, b: &Block) {
        if b.tags.iter().any(|t| t == "server") {
            assert_eq!(
                b.steps.len(),
                1,
                "line {}: a server block has one command",
                b.line
            );
            self.start_server(&b.steps[0], &b.varies);
        } else {
            for s in &b.steps {
                self.step(s, &b.varies);
            }
        }
    }

    fn command(&self, s: &Step) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "exec 2>&1\n{}",
                self.page.expand(&self.subst(&s.command))
            ))
            .current_dir(if self.page.in_root {
                crate::workspace_root()
            } else {
                self.dir.path().to_path_buf()
            });
        for (k, v) in &self.page.env {
            c.env(k, v);
        }
        c
    }

    fn start_server(&mut self, s: &Step, v: &Varies) {
        self.finish_server();
        let page_port = crate::parts::page_port(s);
        let mut step_cmd = s.command.trim_end().to_string();
        if page_port.is_some() {
            step_cmd = with_port_zero(&step_cmd);
        }
        let cmd = self.command(&Step {
            line: s.line,
            command: step_cmd,
            expected: Vec::new(),
        });
        let server = Server::start_cmd(cmd, true);
        if let Some(p) = page_port {
            let real = trailing_port(&server.addr)
                .unwrap_or_else(|| {
                    panic!("line {}: server address {}", s.line, server.addr)
                })
                .to_string();
            // A later server block may show the same page port: the
            // newest server is the one later commands talk to.
            self.ports.retain(|(from, _)| *from != p);
            self.ports.push((p, real));
        }
        let shown: Vec<String> =
            s.expected.iter().map(|l| self.subst(l)).collect();
        let expected = v.patterns(&shown);
        self.server = Some((server, expected, s.line));
    }

    fn finish_server(&mut self) {
        let Some((server, expected, line)) = self.server.take() else {
            return;
        };
        self.checked += 1;
        let ok = server.wait_output(
            |got| lines_match(&expected, &got.join("\n")),
            Duration::from_secs(5),
        );
        if !ok {
            self.failures.push(format!(
                "line {line} (server): expected\n{}\n--- but it printed ---\n{}",
                expected.join("\n"),
                server.stdout().join("\n")
            ));
        }
    }

    fn step(&mut self, s: &Step, v: &Varies) {
        self.checked += 1;
        let cmd = self.command(s);
        let out = Cmd::from_command(cmd).timeout(WAIT).run();
        let shown: Vec<String> =
            s.expected.iter().map(|l| self.subst(l)).collect();
        let expected = v.patterns(&shown);
        if out.timed_out || !lines_match(&expected, &out.stdout) {
            self.failures.push(format!(
                "line {}: $ {}\n--- expected ---\n{}\n--- got{} ---\n{}",
                s.line,
                s.command,
                expected.join("\n"),
                if out.timed_out { " (timed out)" } else { "" },
                out.stdout.trim_end()
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cargo_run_is_replaced() {
        let p = Page::new("x")
            .bin("a", "/bin/a")
            .bin("b", "/bin/b")
            .default_bin("a");
        assert_eq!(p.expand("cargo run -q -p x -- 1 2"), "'/bin/a' 1 2");
        assert_eq!(p.expand("cargo run -p x --bin b"), "'/bin/b'");
        assert_eq!(
            p.expand("echo hi | cargo run -q -p x --bin b -- z"),
            "echo hi | '/bin/b' z"
        );
        assert_eq!(
            p.expand("cargo run -q -p x --bin b; echo $?"),
            "'/bin/b'; echo $?"
        );
    }
}
