//! Matching of expected transcript lines against real output.
//!
//! - `[..]` inside a line matches any run of characters (maybe none);
//! - a line that is exactly `...` matches any number of lines (maybe none);
//! - trailing white space is ignored on both sides, and so are
//!   trailing empty lines of the actual output.

/// Does the actual output match the expected lines?
pub fn lines_match(expected: &[String], actual: &str) -> bool {
    let mut act: Vec<&str> = actual.lines().map(str::trim_end).collect();
    while act.last() == Some(&"") {
        act.pop();
    }
    let exp: Vec<&str> = expected.iter().map(|l| l.trim_end()).collect();
    match_from(&exp, &act)
}

fn match_from(exp: &[&str], act: &[&str]) -> bool {
    match exp.split_first() {
        None => act.is_empty(),
        Some((&"...", rest)) => {
            (0..=act.len()).any(|skip| match_from(rest, &act[skip..]))
        }
        Some((first, rest)) => match act.split_first() {
            Some((a, arest)) => {
                line_matches(first, a) && match_from(rest, arest)
            }
            None => false,
        },
    }
}

/// Does one actual line match one expected line with `[..]` wildcards?
pub fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    if parts.len() == 1 {
        return expected == actual;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !actual.starts_with(first) || actual.len() < first.len() + last.len() {
        return false;
    }
    if !actual.ends_with(last) {
        return false;
    }
    // Greedy leftmost search for the middle parts is enough for
    // `[..]` (a plain `*`): if a part can be found, taking its first
    // occurrence never loses a match.
    let mut rest = &actual[first.len()..actual.len() - last.len()];
    for mid in &parts[1..parts.len() - 1] {
        match rest.find(mid) {
            Some(i) => rest = &rest[i + mid.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &[&str]) -> Vec<String> {
        s.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn wildcards_in_a_line() {
        assert!(line_matches("a [..] c", "a b c"));
        assert!(line_matches("a [..] c", "a  c"));
        assert!(!line_matches("a [..] c", "a b d"));
        assert!(line_matches("[..]", ""));
        assert!(line_matches("x[..]y[..]z", "x1y2y3z"));
        assert!(!line_matches("ab[..]ba", "aba"));
    }

    #[test]
    fn ellipsis_lines() {
        assert!(lines_match(&v(&["a", "...", "z"]), "a\nb\nc\nz\n"));
        assert!(lines_match(&v(&["a", "...", "z"]), "a\nz"));
        assert!(!lines_match(&v(&["a", "...", "z"]), "a\nb"));
        assert!(lines_match(&v(&["..."]), ""));
        assert!(!lines_match(&v(&["a"]), "a\nb"));
        assert!(lines_match(&v(&["a"]), "a  \n\n"));
    }
}
