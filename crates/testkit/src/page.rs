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
//!   directory, with stdin empty and stderr joined to stdout;
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
//!
//! A command that uses a tool a learner may lack (`nc`, `socat`,
//! `tcpdump`, `dnsmasq`, ...) skips the rest of the page when the tool
//! is missing, again a failure under CI.

use crate::glob::lines_match;
use crate::proc::{Cmd, Server, WAIT};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// Tools that pages may use and a plain Rust set-up may lack.
const OPTIONAL_TOOLS: &[&str] = &[
    "nc", "socat", "tcpdump", "tshark", "dnsmasq", "dig", "python3", "ss",
    "ip", "setcap", "getcap", "curl", "telnet",
];

/// A companion page to check. See the module documentation.
#[derive(Debug)]
pub struct Page {
    krate: String,
    path: PathBuf,
    bins: Vec<(String, String)>,
    default_bin: Option<String>,
    env: Vec<(String, String)>,
}

#[derive(Debug)]
struct Block {
    line: usize,
    tags: Vec<String>,
    steps: Vec<Step>,
    /// What varies, from the HTML comment before the block.
    varies: Varies,
}

/// The declaration of what varies between runs of a block.
#[derive(Debug, Default, Clone)]
struct Varies {
    templates: Vec<String>,
    more_lines: bool,
}

impl Varies {
    /// Read the directives of the HTML comments `comments`.
    fn parse(comments: &str) -> Varies {
        let mut v = Varies::default();
        for c in comments.split("<!--").skip(1) {
            let c = c.split("-->").next().unwrap_or("").trim();
            if let Some(t) = c.strip_prefix("varies:") {
                v.templates.extend(
                    t.split(" | ")
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(String::from),
                );
            } else if let Some(m) = c.strip_prefix("more lines:") {
                assert_eq!(
                    m.trim(),
                    "anywhere",
                    "unknown `more lines:` directive {c:?}"
                );
                v.more_lines = true;
            }
        }
        v
    }

    /// The expected lines of the page, turned into the matcher's
    /// patterns.
    fn patterns(&self, shown: &[String]) -> Vec<String> {
        let lines = shown.iter().map(|l| {
            self.templates
                .iter()
                .fold(l.clone(), |l, t| apply_template(&l, t))
        });
        if !self.more_lines {
            return lines.collect();
        }
        let mut out = vec!["...".to_string()];
        for l in lines {
            out.push(l);
            out.push("...".to_string());
        }
        out
    }
}

/// Put `[..]` into `line` wherever `template` (fixed parts and `[..]`
/// gaps) occurs in it: the gaps' text is what varies.
fn apply_template(line: &str, template: &str) -> String {
    let parts: Vec<&str> = template.split("[..]").collect();
    if parts.len() < 2 {
        return line.to_string();
    }
    let mut out = String::new();
    let mut rest = line;
    // Each round takes one occurrence: the first fixed part (maybe
    // empty: the gap starts the line), then each gap and fixed part.
    'occurrence: while let Some(at) = rest.find(parts[0]) {
        let mut built = String::from(&rest[..at + parts[0].len()]);
        let mut tail = &rest[at + parts[0].len()..];
        for (i, part) in parts.iter().enumerate().skip(1) {
            let last = i == parts.len() - 1;
            if last && part.is_empty() {
                // The gap runs to the end of the line.
                if tail.is_empty() {
                    break 'occurrence;
                }
                built.push_str("[..]");
                tail = "";
                continue;
            }
            // The gap holds at least one character.
            let Some(first) = tail.chars().next() else {
                break 'occurrence;
            };
            let Some(found) = tail[first.len_utf8()..].find(part) else {
                break 'occurrence;
            };
            let end = first.len_utf8() + found;
            built.push_str("[..]");
            built.push_str(part);
            tail = &tail[end + part.len()..];
        }
        out.push_str(&built);
        if tail.len() == rest.len() {
            break; // nothing consumed: stop
        }
        rest = tail;
        if parts[0].is_empty() {
            break; // a template that starts with a gap applies once
        }
    }
    out.push_str(rest);
    out
}

#[derive(Debug)]
struct Step {
    line: usize,
    command: String,
    expected: Vec<String>,
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

    /// An environment variable for every command on the page.
    pub fn env(mut self, k: &str, v: &str) -> Page {
        self.env.push((k.to_string(), v.to_string()));
        self
    }

    /// Run every transcript; panic with a report of every mismatch.
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
        let mut run = Run::new(&self);
        for b in &blocks {
            if !run.block(b) {
                break;
            }
        }
        run.finish_server();
        let name = self.path.display();
        if !run.failures.is_empty() {
            panic!(
                "{} transcript(s) on {name} differ from the real programs:\n\n{}",
                run.failures.len(),
                run.failures.join("\n\n")
            );
        }
        eprintln!("{name}: {} command(s) checked", run.checked);
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

/// Split on white space and shell operators (`;|&<>()`), giving each
/// token and the byte offset of its end. An operator is a token of
/// its own, so `--bin x;` ends the flags at `;`.
fn tokens_with_end(s: &str) -> impl Iterator<Item = (&str, usize)> {
    let is_op = |c: char| ";|&<>()".contains(c);
    let mut i = 0;
    std::iter::from_fn(move || {
        let rest = &s[i..];
        let start = rest.find(|c: char| !c.is_whitespace())?;
        let body = &rest[start..];
        let len = if body.starts_with(is_op) {
            1
        } else {
            body.find(|c: char| c.is_whitespace() || is_op(c))
                .unwrap_or(body.len())
        };
        i += start + len;
        Some((&body[..len], i))
    })
}

/// The words of a shell command line that name a program: the first
/// word, and the first after each `|`, `;`, `&` or `(`, skipping
/// `sudo`, `env`, `exec` and `VAR=value` prefixes. So in
/// `lookup-port tcp telnet` only `lookup-port` is a program.
fn command_words(command: &str) -> Vec<&str> {
    let mut words = Vec::new();
    let mut at_start = true;
    for (tok, _) in tokens_with_end(command) {
        if ["|", ";", "&", "("].contains(&tok) {
            at_start = true;
        } else if at_start
            && !(["sudo", "env", "exec"].contains(&tok) || tok.contains('='))
        {
            words.push(tok);
            at_start = false;
        }
    }
    words
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Find the console blocks of a Markdown page.
fn parse(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    // The HTML comments on the lines right before a block.
    let mut comments = String::new();
    let mut in_comment = false;
    while let Some((n, l)) = lines.next() {
        let Some(info) = l.strip_prefix("```") else {
            if in_comment || l.trim_start().starts_with("<!--") {
                comments.push_str(l);
                comments.push('\n');
                in_comment = !l.contains("-->");
            } else {
                comments.clear();
            }
            continue;
        };
        let varies = Varies::parse(&comments);
        comments.clear();
        let mut words = info.split([',', ' ']).filter(|w| !w.is_empty());
        let is_console = words.next() == Some("console");
        let tags: Vec<String> = words.map(String::from).collect();
        let mut body = Vec::new();
        for (m, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push((m + 1, l));
        }
        if is_console {
            blocks.push(Block {
                line: n + 1,
                tags,
                steps: steps(&body),
                varies,
            });
        }
    }
    blocks
}

fn steps(body: &[(usize, &str)]) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    let mut continuing = false;
    for &(n, l) in body {
        if continuing {
            let s = steps.last_mut().unwrap();
            s.command.push('\n');
            s.command.push_str(l);
            continuing = l.ends_with('\\');
        } else if let Some(cmd) = l.strip_prefix("$ ") {
            steps.push(Step {
                line: n,
                command: cmd.to_string(),
                expected: Vec::new(),
            });
            continuing = cmd.ends_with('\\');
        } else if let Some(s) = steps.last_mut() {
            s.expected.push(l.to_string());
        }
    }
    steps
}

/// Replace a number where it stands alone (not inside a longer number).
fn replace_number(s: &str, from: &str, to: &str) -> String {
    let b = s.as_bytes();
    let mut out = String::new();
    let mut i = 0;
    while i < s.len() {
        if s[i..].starts_with(from) {
            let before = i > 0 && b[i - 1].is_ascii_digit();
            let j = i + from.len();
            let after = j < b.len() && b[j].is_ascii_digit();
            if !before && !after {
                out.push_str(to);
                i = j;
                continue;
            }
        }
        let c = s[i..].chars().next().unwrap();
        out.push(c);
        i += c.len_utf8();
    }
    out
}

/// The trailing port of `HOST:PORT`, if the text ends with one.
fn trailing_port(s: &str) -> Option<&str> {
    let (_, port) = s.trim().rsplit_once(':')?;
    (!port.is_empty() && port.bytes().all(|c| c.is_ascii_digit()))
        .then_some(port)
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

    /// Run one block; false means "skip the rest of the page".
    fn block(&mut self, b: &Block) -> bool {
        if b.tags.iter().any(|t| t == "root")
            && !crate::need_root("page needs root")
        {
            eprintln!(
                "(rest of {} from line {} skipped)",
                self.page.krate, b.line
            );
            return false;
        }
        for s in &b.steps {
            let words = command_words(&s.command);
            for tool in OPTIONAL_TOOLS {
                let uses = words.contains(tool);
                if uses && !crate::need_tool(tool, "used on the page") {
                    eprintln!(
                        "(rest of {} from line {} skipped)",
                        self.page.krate, s.line
                    );
                    return false;
                }
            }
        }
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
        true
    }

    fn command(&self, s: &Step) -> Command {
        let mut c = Command::new("sh");
        c.arg("-c")
            .arg(format!(
                "exec 2>&1\n{}",
                self.page.expand(&self.subst(&s.command))
            ))
            .current_dir(self.dir.path());
        for (k, v) in &self.page.env {
            c.env(k, v);
        }
        c
    }

    fn start_server(&mut self, s: &Step, v: &Varies) {
        self.finish_server();
        let page_port = s
            .expected
            .first()
            .and_then(|l| l.strip_prefix("listening on "))
            .and_then(trailing_port)
            .map(str::to_string);
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

/// Make a server command listen on port 0: replace a trailing port
/// (`1200`, `127.0.0.1:1200`) or append `0` when there is no argument.
fn with_port_zero(cmd: &str) -> String {
    let (head, last) = match cmd.rsplit_once(' ') {
        Some(x) => x,
        None => return format!("{cmd} 0"),
    };
    if last == "--"
        || last.starts_with('-')
        || !last.chars().any(|c| c.is_ascii_digit())
    {
        return format!("{cmd} 0");
    }
    if last.bytes().all(|c| c.is_ascii_digit()) {
        return format!("{head} 0");
    }
    match trailing_port(last) {
        Some(p) => format!("{head} {}0", &last[..last.len() - p.len()]),
        None => format!("{cmd} 0"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_replaced_only_whole() {
        assert_eq!(
            replace_number("a:1200 11200 1200", "1200", "5"),
            "a:5 11200 5"
        );
    }

    #[test]
    fn only_program_words_count_as_tools() {
        assert_eq!(
            command_words("lookup-port tcp telnet"),
            vec!["lookup-port"]
        );
        assert_eq!(
            command_words(
                "echo hi | nc -N 127.0.0.1 1 && sudo ss -tln; X=1 dig x"
            ),
            vec!["echo", "nc", "ss", "dig"]
        );
    }

    #[test]
    fn templates_mark_what_varies() {
        let t = |l: &str, t: &str| apply_template(l, t);
        assert_eq!(
            t("64 bytes: icmp_seq=1 ttl=64 time=0.045 ms", "time=[..] ms"),
            "64 bytes: icmp_seq=1 ttl=64 time=[..] ms"
        );
        assert_eq!(
            t("ping: raw ICMP socket, identifier 4711", "identifier [..]"),
            "ping: raw ICMP socket, identifier [..]"
        );
        assert_eq!(t("a=1 b a=22 b", "a=[..] b"), "a=[..] b a=[..] b");
        assert_eq!(t("no match here", "time=[..] ms"), "no match here");
        assert_eq!(t("x [1] y", "[..] y"), "[..] y");
        // The gap holds at least one character.
        assert_eq!(t("time=ms", "time=[..]ms"), "time=ms");
        let v = Varies::parse(
            "<!-- varies: time=[..] ms | id [..] -->\n\
             <!-- more lines: anywhere -->\n",
        );
        assert_eq!(v.templates, ["time=[..] ms", "id [..]"]);
        assert_eq!(
            v.patterns(&["id 7".to_string()]),
            ["...", "id [..]", "..."]
        );
        assert!(lines_match(
            &v.patterns(&["id 7".to_string()]),
            "x\nid 9\ny"
        ));
        assert!(!lines_match(&v.patterns(&["id 7".to_string()]), "x\nid"));
    }

    #[test]
    fn the_comment_before_a_block_is_its_declaration() {
        let page = "text\n<!-- varies: t=[..] -->\n```console\n$ x\nt=1\n```\n\
                    \n```console\n$ y\n```\n";
        let b = parse(page);
        assert_eq!(b[0].varies.templates, ["t=[..]"]);
        assert!(b[1].varies.templates.is_empty());
    }

    #[test]
    fn port_zero() {
        assert_eq!(
            with_port_zero("cargo run -q -p daytime"),
            "cargo run -q -p daytime 0"
        );
        assert_eq!(with_port_zero("x -- 1200"), "x -- 0");
        assert_eq!(with_port_zero("x -- 127.0.0.1:1200"), "x -- 127.0.0.1:0");
        assert_eq!(with_port_zero("x -- [::1]:1200"), "x -- [::1]:0");
        assert_eq!(with_port_zero("x -p 4004"), "x -p 0");
    }

    #[test]
    fn blocks_and_steps() {
        let md = "t\n```console\n$ a \\\n  b\nout\n$ c\n```\n```sh\n$ no\n```\n```console,server\n$ s\nlistening on 1:2\n```\n";
        let b = parse(md);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].steps[0].command, "a \\\n  b");
        assert_eq!(b[0].steps[0].expected, vec!["out"]);
        assert_eq!(b[0].steps[1].command, "c");
        assert_eq!(b[1].tags, vec!["server"]);
    }

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
