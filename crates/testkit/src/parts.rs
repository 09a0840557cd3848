//! Which blocks of a page run, and the parts they are checked in,
//! side by side.
//!
//! A page's transcripts take as long as their waits: a client that
//! sends once a second, a `timeout 1`, an `nc -w1`. Most of a page is
//! independent stretches: a server block and the commands that talk
//! to it, until the next server block. So a part starts at the first
//! block and at every `server` block, and each part runs at the same
//! time as the others, in a temporary directory and with a port map
//! of its own; within a part the steps run in page order, as before.
//!
//! A server block that needs what the part above left (a file, a
//! server still running, a port) says so in an HTML comment before
//! it, `<!-- after the part above -->`, and then belongs to that part.
//! The other way round, `<!-- a part of its own -->` before any
//! block starts a new part there: a stretch that needs nothing of
//! what came before it and would otherwise wait for it.
//! A part knows the real ports of its own servers only: a page port
//! of an earlier part is left as the page shows it (by then that
//! server has stopped anyway: a server block stops the one before).

use crate::shell::{command_words, trailing_port};
use crate::transcript::{Block, Step};

/// The page port a server block shows in its `listening on HOST:PORT`
/// line, if it does.
pub(crate) fn page_port(s: &Step) -> Option<String> {
    s.expected
        .first()
        .and_then(|l| l.strip_prefix("listening on "))
        .and_then(trailing_port)
        .map(str::to_string)
}

/// Tools that pages may use and a plain Rust set-up may lack.
const OPTIONAL_TOOLS: &[&str] = &[
    "nc", "socat", "tcpdump", "tshark", "dnsmasq", "dig", "python3", "ss",
    "ip", "setcap", "getcap", "curl", "telnet",
];

/// The blocks to run: all but the lab's, up to the first that
/// needs root or a tool this machine lacks. Decided in page order
/// before anything runs, since the parts then run side by side.
pub(crate) fn runnable<'b>(krate: &str, blocks: &'b [Block]) -> Vec<&'b Block> {
    let mut out = Vec::new();
    for b in blocks {
        if b.tags.iter().any(|t| t == "lab") {
            continue; // Page::check_lab runs these, in a lab
        }
        if let Some(line) = missing(b) {
            eprintln!("(rest of {krate} from line {line} skipped)");
            break;
        }
        out.push(b);
    }
    out
}

/// The line where a block needs what this machine lacks (root, or a
/// tool), if it does: the rest of the page is skipped from there,
/// with a printed reason (a failure under CI).
fn missing(b: &Block) -> Option<usize> {
    if b.tags.iter().any(|t| t == "root")
        && !crate::need_root("page needs root")
    {
        return Some(b.line);
    }
    for s in &b.steps {
        let words = command_words(&s.command);
        for tool in OPTIONAL_TOOLS {
            if words.contains(tool)
                && !crate::need_tool(tool, "used on the page")
            {
                return Some(s.line);
            }
        }
    }
    None
}

fn is_server(b: &Block) -> bool {
    b.tags.iter().any(|t| t == "server")
}

/// The page's blocks, in parts (see the module documentation).
pub(crate) fn split<'b>(blocks: &[&'b Block]) -> Vec<Vec<&'b Block>> {
    let mut parts: Vec<Vec<&Block>> = Vec::new();
    for &b in blocks {
        match parts.last_mut() {
            Some(part) if !b.own_part && (!is_server(b) || b.after_above) => {
                part.push(b)
            }
            _ => parts.push(vec![b]),
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::parse;

    fn lines(parts: &[Vec<&Block>]) -> Vec<Vec<usize>> {
        parts
            .iter()
            .map(|p| p.iter().map(|b| b.line).collect())
            .collect()
    }

    const SERVER: &str = "```console,server\n$ s 1200\nlistening on \
                          127.0.0.1:1200\n```\n";

    #[test]
    fn a_part_starts_at_each_server_block() {
        let page = format!(
            "```console\n$ a\n```\n{SERVER}```console\n$ b 1200\n```\n\
             {SERVER}```console\n$ c 1200\n```\n"
        );
        let blocks = parse(&page);
        let all: Vec<&Block> = blocks.iter().collect();
        assert_eq!(lines(&split(&all)), [vec![1], vec![4, 8], vec![11, 15]]);
    }

    #[test]
    fn the_comment_joins_a_server_block_to_the_part_above() {
        let page = format!(
            "{SERVER}```console\n$ touch f\n```\n\
             <!-- after the part above -->\n{SERVER}```console\n$ ls f\n```\n"
        );
        let blocks = parse(&page);
        let all: Vec<&Block> = blocks.iter().collect();
        assert_eq!(lines(&split(&all)), [vec![1, 5, 9, 13]]);
    }

    #[test]
    fn the_comment_gives_any_block_a_part_of_its_own() {
        let page = format!(
            "{SERVER}```console\n$ a\n```\n\
             <!-- a part of its own -->\n```console\n$ b\n```\n"
        );
        let blocks = parse(&page);
        let all: Vec<&Block> = blocks.iter().collect();
        assert_eq!(lines(&split(&all)), [vec![1, 5], vec![9]]);
    }
}
