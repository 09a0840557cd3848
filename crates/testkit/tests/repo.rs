//! Checks that hold the repository together: every crate has its
//! page with the same sections in the same order, every page is in
//! the book, every exercise has a check, a solution, a line on the
//! exercise list, and every code excerpt a page pulls in exists.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs;
use std::path::{Path, PathBuf};

const SECTIONS: &[&str] = &[
    "## What the program does",
    "## Run it",
    "## Walk-through",
    "## On the wire",
    "## Differences from the book",
    "## When it goes wrong",
    "## Exercises",
];

fn root() -> PathBuf {
    testkit::workspace_root()
}

fn read(p: &Path) -> String {
    fs::read_to_string(p)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", p.display()))
}

/// Crates that teach: every crate with programs, but the plumbing.
fn teaching_crates() -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(root().join("crates"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| root().join("crates").join(n).join("src/bin").is_dir())
        .collect();
    v.sort();
    v
}

/// `(crate, N)` for every tests/exercise_N.rs.
fn exercise_checks() -> Vec<(String, u32)> {
    let mut v = Vec::new();
    for c in teaching_crates() {
        let Ok(dir) =
            fs::read_dir(root().join("crates").join(&c).join("tests"))
        else {
            continue;
        };
        for e in dir {
            let name = e.unwrap().file_name().to_string_lossy().into_owned();
            if let Some(n) = name
                .strip_prefix("exercise_")
                .and_then(|s| s.strip_suffix(".rs"))
            {
                v.push((
                    c.clone(),
                    n.parse().expect("exercise_N.rs with a number"),
                ));
            }
        }
    }
    v.sort();
    v
}

#[test]
fn every_crate_has_a_page_with_the_seven_sections_in_order() {
    let mut problems = Vec::new();
    for c in teaching_crates() {
        let page = root().join("docs/src").join(format!("{c}.md"));
        let Ok(text) = fs::read_to_string(&page) else {
            problems.push(format!("{c}: no page docs/src/{c}.md"));
            continue;
        };
        if !text.starts_with(&format!("# {c}: ")) {
            problems.push(format!(
                "{c}: the page must start with `# {c}: <title>`"
            ));
        }
        let found: Vec<&str> = text
            .lines()
            .filter(|l| l.starts_with("## "))
            .map(str::trim_end)
            .collect();
        // "In the lab" (docs/src/lab.md) is optional, before the
        // exercises: its transcripts run in a lab (Page::check_lab).
        let mut with_lab = SECTIONS.to_vec();
        with_lab.insert(SECTIONS.len() - 1, "## In the lab");
        if found != SECTIONS && found != with_lab {
            problems.push(format!(
                "{c}: sections are {found:?}, expected {SECTIONS:?} \
                 (with `## In the lab` before the exercises, or without)"
            ));
        }
        let has_lab = found.contains(&"## In the lab");
        let checks_lab = fs::read_to_string(
            root().join("crates").join(&c).join("tests/page.rs"),
        )
        .is_ok_and(|t| t.contains("check_lab()"));
        if has_lab != checks_lab {
            problems.push(format!(
                "{c}: an `## In the lab` section and a tests/page.rs \
                 that calls check_lab() go together"
            ));
        }
        if !root()
            .join("crates")
            .join(&c)
            .join("tests/page.rs")
            .is_file()
        {
            problems.push(format!(
                "{c}: no tests/page.rs checking the page's transcripts"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// With `autotests = false` (tests/suite.rs says why), a file in
/// tests/ that no target names would never run, and its tests would be
/// missing from every "ok" without a word. Every crate's tests/*.rs is
/// a module of tests/suite.rs or a target of its own in Cargo.toml.
#[test]
fn every_test_file_runs() {
    let mut missing = Vec::new();
    for e in fs::read_dir(root().join("crates")).unwrap() {
        let dir = e.unwrap().path();
        let Ok(files) = fs::read_dir(dir.join("tests")) else {
            continue;
        };
        let suite = read(&dir.join("tests/suite.rs"));
        let manifest = read(&dir.join("Cargo.toml"));
        assert!(
            manifest.contains("\nautotests = false\n")
                && manifest.contains(
                    "[[test]]\nname = \"suite\"\npath = \"tests/suite.rs\"\n"
                ),
            "{}: Cargo.toml must register tests/suite.rs",
            dir.display()
        );
        for f in files {
            let name = f.unwrap().file_name().to_string_lossy().into_owned();
            let Some(module) = name.strip_suffix(".rs") else {
                continue; // a folder of shared code, used by modules
            };
            let in_suite = suite.lines().any(|l| l == format!("mod {module};"));
            let own_target =
                manifest.contains(&format!("path = \"tests/{name}\"\n"));
            if module != "suite" && !in_suite && !own_target {
                missing.push(format!("{}/tests/{name}", dir.display()));
            }
        }
    }
    assert!(
        missing.is_empty(),
        "test files that never run: {missing:#?}"
    );
}

/// `doctest = false` in a crate's Cargo.toml is only for a crate whose
/// library's doc comments hold no Rust code block (```text and the
/// like are never run anyway): one there would never be run.
#[test]
fn doc_tests_are_off_only_where_there_are_none() {
    fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() && !p.ends_with("bin") {
                sources(&p, out); // src/bin is never doc-tested
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    const RUST: &[&str] =
        &["rust", "no_run", "should_panic", "compile_fail", "edition"];
    let mut found = Vec::new();
    for e in fs::read_dir(root().join("crates")).unwrap() {
        let dir = e.unwrap().path();
        if !read(&dir.join("Cargo.toml")).contains("\ndoctest = false\n") {
            continue;
        }
        let mut files = Vec::new();
        sources(&dir.join("src"), &mut files);
        for f in files {
            let mut open = false;
            for (i, l) in read(&f).lines().enumerate() {
                let l = l.trim_start();
                let Some(doc) =
                    l.strip_prefix("///").or_else(|| l.strip_prefix("//!"))
                else {
                    continue;
                };
                let Some(info) = doc.trim_start().strip_prefix("```") else {
                    continue;
                };
                open = !open;
                let first = info.split([',', ' ']).next().unwrap_or("");
                let runs = first.is_empty()
                    || RUST.iter().any(|r| first.starts_with(r));
                if open && runs {
                    found.push(format!("{}:{}", f.display(), i + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "code blocks never tested: {found:#?}");
}

#[test]
fn every_page_is_in_the_book() {
    let summary = read(&root().join("docs/src/SUMMARY.md"));
    let mut missing = Vec::new();
    for e in fs::read_dir(root().join("docs/src")).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if name.ends_with(".md")
            && name != "SUMMARY.md"
            && !summary.contains(&format!("({name})"))
        {
            missing.push(name);
        }
    }
    assert!(
        missing.is_empty(),
        "pages missing from SUMMARY.md: {missing:?}"
    );
}

#[test]
fn every_exercise_has_a_page_entry_a_check_a_solution_and_a_list_line() {
    let list = read(&root().join("docs/src/exercises.md"));
    let mut problems = Vec::new();
    let checks = exercise_checks();
    for c in teaching_crates() {
        if !checks.iter().any(|(k, _)| *k == c) {
            problems
                .push(format!("{c}: no exercise (tests/exercise_N.rs) at all"));
        }
    }
    for (c, n) in &checks {
        let page = read(&root().join("docs/src").join(format!("{c}.md")));
        let cmd = format!("scripts/exercise {c} {n}");
        if !page
            .lines()
            .any(|l| l.starts_with(&format!("### Exercise {n}: ")))
        {
            problems.push(format!(
                "{c} {n}: no `### Exercise {n}: <title>` on docs/src/{c}.md"
            ));
        }
        if !page.contains(&format!("Check it: `{cmd}`")) {
            problems.push(format!(
                "{c} {n}: docs/src/{c}.md lacks the line Check it: `{cmd}`"
            ));
        }
        if !list.contains(&format!("`{cmd}`")) {
            problems.push(format!(
                "{c} {n}: docs/src/exercises.md does not list `{cmd}`"
            ));
        }
        let sols = root().join("crates").join(c).join("solutions");
        if !sols.join(format!("{n}.patch")).is_file() {
            problems.push(format!(
                "{c} {n}: no reference solution crates/{c}/solutions/{n}.patch"
            ));
        }
        let hints = fs::read_to_string(sols.join(format!("{n}.hints")))
            .unwrap_or_default();
        let stages = hints.lines().filter(|l| *l == "--").count() + 1;
        if hints.trim().is_empty() || stages < 2 {
            problems.push(format!(
                "{c} {n}: crates/{c}/solutions/{n}.hints needs hints in \
                 stages (a nudge, then more), separated by `--` lines"
            ));
        }
        let wrong = fs::read_dir(&sols)
            .map(|d| {
                d.filter_map(|e| e.ok())
                    .filter(|e| {
                        let f = e.file_name();
                        let f = f.to_string_lossy();
                        f.starts_with(&format!("{n}-wrong-"))
                            && f.ends_with(".patch")
                    })
                    .count()
            })
            .unwrap_or(0);
        if wrong < 2 {
            problems.push(format!(
                "{c} {n}: {wrong} wrong attempt(s) in crates/{c}/solutions \
                 ({n}-wrong-MISTAKE.patch); the check must be proven \
                 against at least two"
            ));
        }
        let manifest = read(&root().join("crates").join(c).join("Cargo.toml"));
        let entry = format!(
            "name = \"exercise_{n}\"\npath = \"tests/exercise_{n}.rs\"\nrequired-features = [\"exercises\"]"
        );
        if !manifest.contains(&entry) {
            problems.push(format!(
                "{c} {n}: Cargo.toml must register exercise_{n} with required-features = [\"exercises\"], \
                 or the normal suite runs (and fails) it"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_included_excerpt_exists() {
    let mut problems = Vec::new();
    for e in fs::read_dir(root().join("docs/src")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_none_or(|x| x != "md") {
            continue;
        }
        let text = read(&path);
        for (i, part) in text.split("{{#include ").enumerate().skip(1) {
            let Some(end) = part.find("}}") else {
                problems
                    .push(format!("{}: unclosed include #{i}", path.display()));
                continue;
            };
            let spec = &part[..end];
            let (file, anchor) = match spec.split_once(':') {
                Some((f, a)) => (f, Some(a)),
                None => (spec, None),
            };
            let target = root().join("docs/src").join(file);
            let Ok(code) = fs::read_to_string(&target) else {
                problems.push(format!(
                    "{}: includes missing file {file}",
                    path.display()
                ));
                continue;
            };
            if let Some(a) = anchor
                && !a.chars().next().is_some_and(|c| c.is_ascii_digit())
            {
                // mdBook finds `ANCHOR: name` anywhere in a line: at
                // the end of a `//` comment in code, inside `<!-- -->`
                // in Markdown.
                let has = |tag: &str| {
                    code.lines().any(|l| {
                        l.trim_end()
                            .trim_end_matches("-->")
                            .trim_end()
                            .ends_with(&format!("{tag}: {a}"))
                    })
                };
                if !has("ANCHOR") || !has("ANCHOR_END") {
                    problems.push(format!(
                        "{}: anchor `{a}` not found in {file}",
                        path.display()
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn nothing_points_outside_the_repository() {
    // The design notes and source texts live only on the authors'
    // machines; a learner's clone has none of them.
    let out = std::process::Command::new("git")
        .args(["ls-files"])
        .current_dir(root())
        .output()
        .expect("git ls-files");
    let mut problems = Vec::new();
    for f in String::from_utf8_lossy(&out.stdout).lines() {
        if f.ends_with("repo.rs") {
            continue; // this file names the words it looks for
        }
        let Ok(text) = fs::read_to_string(root().join(f)) else {
            continue;
        };
        for bad in ["../shared", "shared/design", "book-notes", "shared/seeds"]
        {
            if text.contains(bad) {
                problems.push(format!("{f} mentions `{bad}`"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_link_between_pages_leads_somewhere() {
    let mut problems = Vec::new();
    let mut check = |from: &Path, text: &str, base: &Path| {
        for part in text.split("](").skip(1) {
            let Some(end) = part.find(')') else { continue };
            let target = part[..end].split('#').next().unwrap_or("");
            if target.ends_with(".md")
                && !target.contains("://")
                && !base.join(target).is_file()
            {
                problems.push(format!(
                    "{}: link to missing {target}",
                    from.display()
                ));
            }
        }
    };
    for e in fs::read_dir(root().join("docs/src")).unwrap() {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "md") {
            check(&path, &read(&path), &root().join("docs/src"));
        }
    }
    let readme = root().join("README.md");
    check(&readme, &read(&readme), &root());
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
