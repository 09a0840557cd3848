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
