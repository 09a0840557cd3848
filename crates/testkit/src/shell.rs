//! The bits of shell the page checker needs: the words of a command
//! line that name programs, quoting, and the port numbers it replaces
//! so that pages show the book's ports while tests use free ones.

/// Split on white space and shell operators (`;|&<>()`), giving each
/// token and the byte offset of its end. An operator is a token of
/// its own, so `--bin x;` ends the flags at `;`.
pub(crate) fn tokens_with_end(s: &str) -> impl Iterator<Item = (&str, usize)> {
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
pub(crate) fn command_words(command: &str) -> Vec<&str> {
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

pub(crate) fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Replace a number where it stands alone (not inside a longer number).
pub(crate) fn replace_number(s: &str, from: &str, to: &str) -> String {
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
pub(crate) fn trailing_port(s: &str) -> Option<&str> {
    let (_, port) = s.trim().rsplit_once(':')?;
    (!port.is_empty() && port.bytes().all(|c| c.is_ascii_digit()))
        .then_some(port)
}

/// Make a server command listen on port 0: replace a trailing port
/// (`1200`, `127.0.0.1:1200`) or append `0` when there is no argument.
pub(crate) fn with_port_zero(cmd: &str) -> String {
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
}
