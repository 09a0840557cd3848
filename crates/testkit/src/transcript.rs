//! Reading a companion page's console transcripts: the blocks, their
//! commands and expected lines, and the declaration in the HTML
//! comment before a block of what varies from run to run (see the
//! `page` module for the rules a page follows).

#[derive(Debug)]
pub(crate) struct Block {
    pub(crate) line: usize,
    pub(crate) tags: Vec<String>,
    pub(crate) steps: Vec<Step>,
    /// What varies, from the HTML comment before the block.
    pub(crate) varies: Varies,
    /// `<!-- after the part above -->` before a server block: it goes
    /// on with the part before it (see the `parts` module).
    pub(crate) after_above: bool,
    /// `<!-- a part of its own -->`: the block starts a new part.
    pub(crate) own_part: bool,
}

/// The declaration of what varies between runs of a block.
#[derive(Debug, Default, Clone)]
pub(crate) struct Varies {
    pub(crate) templates: Vec<String>,
    pub(crate) more_lines: bool,
}

impl Varies {
    /// Read the directives of the HTML comments `comments`.
    pub(crate) fn parse(comments: &str) -> Varies {
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
    pub(crate) fn patterns(&self, shown: &[String]) -> Vec<String> {
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
pub(crate) struct Step {
    pub(crate) line: usize,
    pub(crate) command: String,
    pub(crate) expected: Vec<String>,
}

/// Find the console blocks of a Markdown page.
pub(crate) fn parse(text: &str) -> Vec<Block> {
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
        let said = |what: &str| {
            comments
                .split("<!--")
                .skip(1)
                .any(|c| c.split("-->").next().map(str::trim) == Some(what))
        };
        let after_above = said("after the part above");
        let own_part = said("a part of its own");
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
                after_above,
                own_part,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::glob::lines_match;

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
    fn blocks_and_steps() {
        let md = "t\n```console\n$ a \\\n  b\nout\n$ c\n```\n```sh\n$ no\n```\n```console,server\n$ s\nlistening on 1:2\n```\n";
        let b = parse(md);
        assert_eq!(b.len(), 2);
        assert_eq!(b[0].steps[0].command, "a \\\n  b");
        assert_eq!(b[0].steps[0].expected, vec!["out"]);
        assert_eq!(b[0].steps[1].command, "c");
        assert_eq!(b[1].tags, vec!["server"]);
    }
}
