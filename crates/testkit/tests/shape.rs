//! Checks that keep the code in one shape a maintainer can trust:
//! twin files and helpers stay identical from crate to crate, the
//! programs write through their never-panicking output macros, every
//! code anchor is used by a page, every line a page includes fits the
//! book's column, and every figures file says how it was made.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// The widest code line a page may include: the book's column.
const COLUMN: usize = 80;

fn root() -> PathBuf {
    testkit::workspace_root()
}

fn read(p: &Path) -> String {
    fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Every crate but the test plumbing.
fn crates() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "testkit")
        .collect();
    v.sort();
    v
}

/// Every `.rs` file below `dir`, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(rd) = fs::read_dir(dir) else {
        return out;
    };
    for e in rd {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(rust_files(&p));
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap_or(p).display().to_string()
}

/// The program's own code: the file up to its `#[cfg(test)]` module.
fn code_part(text: &str) -> &str {
    match text.find("#[cfg(test)]") {
        Some(i) => &text[..i],
        None => text,
    }
}

#[test]
fn twin_files_are_identical_in_every_crate() {
    let mut problems = Vec::new();
    for (twin, everywhere) in [
        ("cli.rs", true),
        ("listen.rs", false),
        ("deadline.rs", false),
    ] {
        let mut copies: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in crates() {
            let p = root().join("crates").join(&c).join("src").join(twin);
            match fs::read_to_string(&p) {
                Ok(text) => copies.entry(text).or_default().push(c),
                Err(_) if everywhere => {
                    problems.push(format!("crates/{c}/src/{twin} is missing"))
                }
                Err(_) => {}
            }
        }
        if copies.len() > 1 {
            let groups: Vec<String> =
                copies.values().map(|cs| cs.join(", ")).collect();
            problems.push(format!(
                "src/{twin} differs between crates; identical groups: [{}]",
                groups.join("] [")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The item `fn NAME` with its doc comment, as text, from `text`.
fn item(text: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let at = lines.iter().position(|l| {
        let l = l.trim_start();
        l.starts_with(&format!("pub fn {name}("))
            || l.starts_with(&format!("fn {name}("))
    })?;
    let mut start = at;
    while start > 0 && lines[start - 1].trim_start().starts_with("///") {
        start -= 1;
    }
    let indent = lines[at].len() - lines[at].trim_start().len();
    let end = (at..lines.len()).find(|&i| {
        lines[i].len() - lines[i].trim_start().len() == indent
            && lines[i].trim() == "}"
    })?;
    let body: Vec<&str> = lines[start..=end].iter().map(|l| l.trim()).collect();
    Some(body.join("\n").replace("pub fn", "fn"))
}

/// Every top-level `struct NAME`, `impl NAME` and `fn NAME` of
/// `text`, with its doc comments, as one text.
fn items(text: &str, name: &str) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let heads = [
        format!("pub struct {name} "),
        format!("pub struct {name}("),
        format!("impl {name} "),
        format!("pub fn {name}("),
        format!("fn {name}("),
    ];
    let mut out = Vec::new();
    for (at, l) in lines.iter().enumerate() {
        if !heads.iter().any(|h| l.starts_with(h.as_str())) {
            continue;
        }
        let mut start = at;
        while start > 0 && lines[start - 1].starts_with("///") {
            start -= 1;
        }
        let end = (at..lines.len()).find(|&i| lines[i] == "}")?;
        out.extend(lines[start..=end].iter().map(|l| l.to_string()));
    }
    (!out.is_empty()).then(|| out.join("\n"))
}

#[test]
fn deliberate_twins_are_identical() {
    // Crates stay islands, so a type two crates need is written twice;
    // these copies must stay the same text.
    let mut problems = Vec::new();
    for name in ["DaytimeClock"] {
        let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for c in crates() {
            for f in rust_files(&root().join("crates").join(&c).join("src")) {
                if let Some(t) = items(code_part(&read(&f)), name) {
                    texts.entry(t).or_default().push(rel(&f));
                }
            }
        }
        if texts.len() != 1 {
            let groups: Vec<String> =
                texts.values().map(|fs| fs.join(", ")).collect();
            problems.push(format!(
                "{name}: {} texts: [{}]",
                texts.len(),
                groups.join("] [")
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn twin_helpers_have_one_name_and_one_text() {
    let mut problems = Vec::new();
    let mut texts: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in crates() {
        for f in rust_files(&root().join("crates").join(&c).join("src")) {
            let text = read(&f);
            let code = code_part(&text);
            let name = f.file_name().unwrap().to_string_lossy().into_owned();
            if let Some(t) = item(code, "is_timeout") {
                texts.entry(t).or_default().push(rel(&f));
            }
            if name == "listen.rs" {
                continue;
            }
            for (bad, why) in [
                ("Some(23 | 24)", "use listen::is_out_of_fds"),
                ("fn is_out_of_descriptors", "the name is is_out_of_fds"),
                ("fn is_out_of_fds", "is_out_of_fds lives in listen.rs"),
                ("fn listen_addr", "listen_addr lives in listen.rs"),
            ] {
                if code.contains(bad) {
                    problems.push(format!("{}: `{bad}`: {why}", rel(&f)));
                }
            }
        }
    }
    if texts.len() > 1 {
        let groups: Vec<String> =
            texts.values().map(|fs| fs.join(", ")).collect();
        problems.push(format!(
            "is_timeout has {} different texts: [{}]",
            texts.len(),
            groups.join("] [")
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn programs_write_through_macros_that_cannot_panic() {
    // println! and friends panic when stdout or stderr is closed, and
    // std::env::args panics on an argument that is not UTF-8: the
    // programs use the macros and cli::args of their src/cli.rs.
    let mut problems = Vec::new();
    for c in crates() {
        for f in rust_files(&root().join("crates").join(&c).join("src")) {
            if f.file_name().is_some_and(|n| n == "cli.rs") {
                continue;
            }
            let text = read(&f);
            for (i, line) in code_part(&text).lines().enumerate() {
                let code = line.trim_start();
                if code.starts_with("//") {
                    continue;
                }
                for bad in [
                    "println!(",
                    "eprintln!(",
                    "print!(",
                    "eprint!(",
                    "env::args()",
                    "dbg!(",
                ] {
                    let hit = code.match_indices(bad).any(|(at, _)| {
                        // `eprintln!(` contains `println!(`: look at
                        // whole macro names only.
                        at == 0
                            || !code.as_bytes()[at - 1].is_ascii_alphanumeric()
                                && code.as_bytes()[at - 1] != b'_'
                    });
                    if hit {
                        problems.push(format!(
                            "{}:{}: `{bad}` (use the cli.rs macros \
                             or cli::args)",
                            rel(&f),
                            i + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// One `{{#include FILE[:ANCHOR]}}` of a page.
struct Include {
    page: String,
    file: PathBuf,
    anchor: Option<String>,
}

fn includes() -> Vec<Include> {
    let mut out = Vec::new();
    let src = root().join("docs/src");
    for e in fs::read_dir(&src).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = read(&path);
        for part in text.split("{{#include ").skip(1) {
            let Some(end) = part.find("}}") else { continue };
            let spec = part[..end].trim();
            let (file, anchor) = match spec.split_once(':') {
                Some((f, a)) => (f, Some(a.to_string())),
                None => (spec, None),
            };
            out.push(Include {
                page: rel(&path),
                file: src.join(file),
                anchor,
            });
        }
    }
    out
}

/// The anchors (`ANCHOR: name`) of a file.
fn anchors(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.split_once("ANCHOR: ").map(|(_, a)| a))
        .map(|a| a.trim().trim_end_matches("-->").trim().to_string())
        .collect()
}

/// The lines an include shows, the way mdBook cuts them out.
fn shown(text: &str, anchor: Option<&str>) -> Vec<String> {
    let Some(a) = anchor else {
        return text.lines().map(str::to_string).collect();
    };
    if let Some((from, to)) = a.split_once(':')
        && let (Ok(from), Ok(to)) = (from.parse::<usize>(), to.parse::<usize>())
    {
        return text
            .lines()
            .skip(from.saturating_sub(1))
            .take(to + 1 - from.max(1))
            .map(str::to_string)
            .collect();
    }
    let mut inside = false;
    let mut out = Vec::new();
    for l in text.lines() {
        if l.contains(&format!("ANCHOR_END: {a}"))
            && l.trim_end().trim_end_matches("-->").trim_end().ends_with(a)
        {
            inside = false;
        } else if l.contains(&format!("ANCHOR: {a}"))
            && l.trim_end().trim_end_matches("-->").trim_end().ends_with(a)
        {
            inside = true;
        } else if inside && !l.contains("ANCHOR") {
            out.push(l.to_string());
        }
    }
    out
}

#[test]
fn every_anchor_in_the_code_is_used_by_a_page() {
    let used: BTreeSet<(PathBuf, String)> = includes()
        .into_iter()
        .filter_map(|i| {
            let f = i.file.canonicalize().ok()?;
            Some((f, i.anchor?))
        })
        .collect();
    let mut problems = Vec::new();
    for c in crates() {
        for f in rust_files(&root().join("crates").join(&c).join("src")) {
            let canon = f.canonicalize().unwrap();
            for a in anchors(&read(&f)) {
                if !used.contains(&(canon.clone(), a.clone())) {
                    problems.push(format!(
                        "{}: anchor `{a}` is included by no page \
                         (include it or drop it)",
                        rel(&f)
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_included_code_line_fits_the_column() {
    let mut problems = Vec::new();
    for inc in includes() {
        if inc.file.extension().is_some_and(|x| x == "md") {
            continue; // prose and tables, not code
        }
        let Ok(text) = fs::read_to_string(&inc.file) else {
            continue; // repo.rs reports a missing file
        };
        for line in shown(&text, inc.anchor.as_deref()) {
            let width = line.chars().count();
            if width > COLUMN {
                problems.push(format!(
                    "{}: includes a {width}-column line of {}: {}",
                    inc.page,
                    rel(&inc.file),
                    line.trim()
                ));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} included line(s) wider than {COLUMN} columns:\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn every_figures_file_says_which_command_wrote_it() {
    let dir = root().join("docs/src/figures");
    let rd = fs::read_dir(&dir).expect("docs/src/figures exists");
    let mut problems = Vec::new();
    for e in rd {
        let p = e.unwrap().path();
        if p.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = read(&p);
        let first = text.lines().next().unwrap_or("");
        if !first.starts_with("<!-- Written by `")
            || !text.contains("Do not edit")
        {
            problems.push(format!(
                "{}: must start with <!-- Written by `COMMAND` on DATE ... \
                 Do not edit: run the command again. -->",
                rel(&p)
            ));
            continue;
        }
        let cmd = first["<!-- Written by `".len()..]
            .split('`')
            .next()
            .unwrap_or("");
        let prog = cmd.split_whitespace().next().unwrap_or("");
        if prog.starts_with("scripts/") && !root().join(prog).is_file() {
            problems.push(format!("{}: names a missing {prog}", rel(&p)));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The console blocks of a page: (first line number, tag line, body).
fn console_blocks(text: &str) -> Vec<(usize, Vec<(usize, String)>)> {
    let mut out = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, l)) = lines.next() {
        let Some(info) = l.strip_prefix("```") else {
            continue;
        };
        let console = info.starts_with("console");
        let mut body = Vec::new();
        for (m, l) in lines.by_ref() {
            if l.starts_with("```") {
                break;
            }
            body.push((m + 1, l.to_string()));
        }
        if console {
            out.push((n + 1, body));
        }
    }
    out
}

#[test]
fn transcripts_show_real_output_within_the_column() {
    // What varies is declared in an HTML comment before the block (see
    // testkit's page module); the reader sees a real run, never the
    // checker's wildcards, and no line wider than the book's column
    // (a long command is broken with `\`).
    let mut problems = Vec::new();
    for e in fs::read_dir(root().join("docs/src")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = read(&path);
        for (_, body) in console_blocks(&text) {
            for (n, l) in body {
                let at = format!("{}:{n}", rel(&path));
                if l.contains("[..]") || l.trim() == "..." {
                    problems.push(format!("{at}: a wildcard: {l}"));
                }
                let width = l.chars().count();
                if width > COLUMN {
                    problems.push(format!("{at}: {width} columns: {l}"));
                }
            }
        }
    }
    assert!(
        problems.is_empty(),
        "{} problem(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

/// The numbers of a text that look measured: with a decimal point or
/// a thousands comma (`22,554`, `10.6`), as whole words.
fn measured_numbers(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let bytes: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit()
            && (i == 0
                || !(bytes[i - 1].is_alphanumeric() || bytes[i - 1] == '.'))
        {
            let start = i;
            while i < bytes.len()
                && (bytes[i].is_ascii_digit()
                    || (matches!(bytes[i], ',' | '.')
                        && bytes
                            .get(i + 1)
                            .is_some_and(|c| c.is_ascii_digit())))
            {
                i += 1;
            }
            let word: String = bytes[start..i].iter().collect();
            let next_ok = bytes.get(i).is_none_or(|c| !c.is_alphanumeric());
            if next_ok
                && word.len() >= 4
                && word.contains([',', '.'])
                && !is_round(&word)
            {
                // A decimal is a figure with its unit (`0.35 s`, `2.3
                // KiB`): without it, `0.35` may be a version
                // (`pnet_transport 0.35`).
                let unit: String = if word.contains('.') {
                    let rest = &bytes[i..];
                    let rest = rest.strip_prefix(&[' ']).unwrap_or(rest);
                    rest.iter()
                        .take_while(|c| c.is_alphabetic() || **c == '%')
                        .collect()
                } else {
                    String::new()
                };
                out.insert(if unit.is_empty() {
                    word
                } else {
                    format!("{word} {unit}")
                });
            }
        } else {
            i += 1;
        }
    }
    out
}

/// A whole number that is a chosen parameter rather than a result
/// (10,000 connections, 1,024 bytes): a multiple of 1,000 or a power
/// of two.
fn is_round(word: &str) -> bool {
    if word.contains('.') {
        return false;
    }
    let n: u64 = word.replace(',', "").parse().unwrap_or(1);
    n.is_multiple_of(1000) || n.is_power_of_two()
}

#[test]
fn no_measured_figure_is_typed_on_a_page() {
    // A figure lives in one figures file, written by the command that
    // measured it; pages include it. A number of a figures file that
    // also stands in a page's own text was retyped, and drifts.
    let dir = root().join("docs/src/figures");
    let mut figures: BTreeMap<String, String> = BTreeMap::new();
    for e in fs::read_dir(&dir).expect("docs/src/figures exists") {
        let p = e.unwrap().path();
        if p.extension().is_some_and(|x| x == "md") {
            // The load averages of a run describe the machine, and the
            // header names versions: not figures a page could quote.
            let text: String = read(&p)
                .lines()
                .filter(|l| !l.starts_with("run began:"))
                .filter(|l| !l.starts_with("<!-- Written by"))
                .filter(|l| !l.starts_with("build:"))
                .map(|l| format!("{l}\n"))
                .collect();
            for n in measured_numbers(&text) {
                figures.insert(n, rel(&p));
            }
        }
    }
    let mut problems = Vec::new();
    for e in fs::read_dir(root().join("docs/src")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        for (i, line) in read(&path).lines().enumerate() {
            if line.contains("{{#include") {
                continue;
            }
            for n in measured_numbers(line) {
                if let Some(f) = figures.get(&n) {
                    problems.push(format!(
                        "{}:{}: {n} is a figure of {f}: include it",
                        rel(&path),
                        i + 1
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn library_files_stay_small() {
    // A library file is split along its seams before it grows past
    // about 400 lines (tests included); a program in src/bin mirrors
    // one Go program and is read top to bottom, so it may be longer.
    const MAX: usize = 420;
    let mut problems = Vec::new();
    for e in fs::read_dir(root().join("crates")).unwrap() {
        let src = e.unwrap().path().join("src");
        for f in rust_files(&src) {
            if f.starts_with(src.join("bin")) {
                continue;
            }
            let n = read(&f).lines().count();
            if n > MAX {
                problems.push(format!("{}: {n} lines", rel(&f)));
            }
        }
    }
    assert!(
        problems.is_empty(),
        "split these along their seams (at most {MAX} lines):\n{}",
        problems.join("\n")
    );
}
