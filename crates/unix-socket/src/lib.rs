//! Pieces shared by `socket-server` and `socket-client`: where a Unix
//! socket lives (a file path or a Linux abstract name), the size limit
//! of that address, the command line both programs read, and how a
//! chunk of bytes is shown on a terminal.
//!
//! Everything here is pure logic (no sockets are opened), so it has
//! unit tests and doctests of its own.

pub mod cli;

use std::borrow::Cow;
use std::fmt;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;
use std::path::PathBuf;

// ANCHOR: limit
/// Size of `sun_path` in Linux's `struct sockaddr_un`: the whole
/// address of a Unix socket must fit in these 108 bytes.
pub const SUN_PATH_LEN: usize = 108;

/// The longest path a socket file can have, in bytes. A path is
/// stored with a NUL byte after it, which takes the last slot. An
/// abstract name is stored after a leading NUL byte, so it has the
/// same limit.
pub const MAX_ADDR_LEN: usize = SUN_PATH_LEN - 1;
// ANCHOR_END: limit

/// Where a Unix socket lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A socket file in the file system, such as `/tmp/aSocket`. What
    /// Go's `net.Listen("unix", path)` creates.
    File(PathBuf),
    /// A name in Linux's abstract namespace: no file is created, the
    /// name lives in the kernel and vanishes with the last socket.
    /// Go writes these as paths starting with `@`.
    Abstract(String),
}

impl fmt::Display for Place {
    /// A file as its path; an abstract name with a leading `@`, the
    /// way `ss -xl` and Go show it.
    ///
    /// ```
    /// use unix_socket::Place;
    /// assert_eq!(Place::Abstract("echo".into()).to_string(), "@echo");
    /// assert_eq!(Place::File("aSocket".into()).to_string(), "aSocket");
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File(p) => write!(f, "{}", p.display()),
            Place::Abstract(name) => write!(f, "@{name}"),
        }
    }
}

impl Place {
    /// Refuse an empty or too long address, with a message that says
    /// what to do, before the kernel is asked (the kernel's own answer
    /// to a long path is a vague "invalid argument").
    ///
    /// ```
    /// use unix_socket::Place;
    /// assert!(Place::File("a".repeat(107).into()).check().is_ok());
    /// assert!(Place::File("a".repeat(108).into()).check().is_err());
    /// ```
    pub fn check(&self) -> Result<(), String> {
        let len = match self {
            Place::File(p) => p.as_os_str().as_bytes().len(),
            Place::Abstract(name) => name.len(),
        };
        if len == 0 {
            return Err(match self {
                Place::File(_) => {
                    "the socket path is empty: give a file name".to_string()
                }
                Place::Abstract(_) => {
                    "the abstract name is empty: give a name".to_string()
                }
            });
        }
        if len > MAX_ADDR_LEN {
            let what = match self {
                Place::File(_) => "socket path",
                Place::Abstract(_) => "abstract name",
            };
            return Err(format!(
                "the {what} is {len} bytes long, but a Unix socket address holds at most \
                 {MAX_ADDR_LEN} bytes (sun_path is {SUN_PATH_LEN} bytes on Linux): \
                 use a shorter path, or cd to its directory and give a relative one"
            ));
        }
        Ok(())
    }

    /// The kernel's form of the address (a `sockaddr_un`).
    pub fn socket_addr(&self) -> io::Result<SocketAddr> {
        match self {
            Place::File(p) => SocketAddr::from_pathname(p),
            // Stable since Rust 1.70 (Linux and Android only).
            Place::Abstract(name) => {
                SocketAddr::from_abstract_name(name.as_bytes())
            }
        }
    }
}

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The socket to listen on or connect to.
    pub place: Place,
    /// `--count N`: send N messages, then stop (socket-client only).
    pub count: Option<u64>,
}

/// Parse `[--count N] PATH` or `[--count N] --abstract NAME`.
/// `--count` is accepted only when `with_count` is true (the client).
/// Errors are one line that says what was wrong.
///
/// ```
/// use unix_socket::{parse_args, Place};
/// let a = parse_args(["--count", "3", "aSocket"], true).unwrap();
/// assert_eq!(a.place, Place::File("aSocket".into()));
/// assert_eq!(a.count, Some(3));
/// assert!(parse_args(["aSocket", "extra"], true).is_err());
/// ```
pub fn parse_args<I, S>(args: I, with_count: bool) -> Result<Args, String>
where
    I: IntoIterator<Item = S>,
    S: Into<String>,
{
    let mut args = args.into_iter().map(Into::into);
    let mut place = None;
    let mut count = None;
    while let Some(arg) = args.next() {
        let next = match arg.as_str() {
            "--abstract" => {
                let name =
                    args.next().ok_or("--abstract needs a NAME after it")?;
                Place::Abstract(name)
            }
            "--count" if with_count => {
                let n = args.next().ok_or("--count needs a number after it")?;
                count = Some(parse_count(&n)?);
                continue;
            }
            "--" => match args.next() {
                Some(path) => Place::File(path.into()),
                None => return Err("-- needs a PATH after it".to_string()),
            },
            s if s.starts_with('-') && s.len() > 1 => {
                return Err(format!("unknown option {s}"));
            }
            _ => Place::File(arg.into()),
        };
        if place.is_some() {
            return Err(format!("one socket only: {next} is one too many"));
        }
        place = Some(next);
    }
    let place = place.ok_or("Please provide a socket file.")?;
    Ok(Args { place, count })
}

fn parse_count(n: &str) -> Result<u64, String> {
    match n.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "--count takes a whole number of 1 or more, not {n:?}"
        )),
    }
}

// ANCHOR: printable
/// A chunk of bytes as one line of text for the terminal: bytes that
/// are not UTF-8 become U+FFFD, and one trailing newline is dropped so
/// that printing the chunk with `println!` does not add a blank line.
///
/// ```
/// use unix_socket::printable;
/// assert_eq!(printable(b"Hello Server!"), "Hello Server!");
/// assert_eq!(printable(b"one line\n"), "one line");
/// assert_eq!(printable(b"\xff!"), "\u{fffd}!");
/// ```
pub fn printable(data: &[u8]) -> Cow<'_, str> {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    String::from_utf8_lossy(data)
}
// ANCHOR_END: printable

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn parse(args: &[&str], with_count: bool) -> Result<Args, String> {
        parse_args(args.iter().copied(), with_count)
    }

    #[test]
    fn a_path_or_an_abstract_name() {
        let a = parse(&["/tmp/aSocket"], false).unwrap();
        assert_eq!(a.place, Place::File("/tmp/aSocket".into()));
        assert_eq!(a.count, None);
        let a = parse(&["--abstract", "echo"], false).unwrap();
        assert_eq!(a.place, Place::Abstract("echo".into()));
        let a = parse(&["--", "-odd-name"], false).unwrap();
        assert_eq!(a.place, Place::File("-odd-name".into()));
    }

    #[test]
    fn count_is_for_the_client_only() {
        let a = parse(&["s", "--count", "2"], true).unwrap();
        assert_eq!(a.count, Some(2));
        assert_eq!(
            parse(&["--count", "2", "s"], false).unwrap_err(),
            "unknown option --count"
        );
    }

    #[test]
    fn bad_command_lines() {
        assert_eq!(
            parse(&[], true).unwrap_err(),
            "Please provide a socket file."
        );
        assert!(
            parse(&["a", "b"], true)
                .unwrap_err()
                .contains("one too many")
        );
        assert!(parse(&["--abstract"], true).unwrap_err().contains("NAME"));
        assert!(parse(&["--count"], true).unwrap_err().contains("number"));
        assert!(parse(&["--count", "0", "s"], true).is_err());
        assert!(parse(&["--count", "x", "s"], true).is_err());
        assert!(parse(&["--count", "-1", "s"], true).is_err());
        assert!(
            parse(&["-v", "s"], true)
                .unwrap_err()
                .contains("unknown option -v")
        );
    }

    #[test]
    fn length_limits() {
        assert!(Place::File("".into()).check().is_err());
        assert!(Place::Abstract(String::new()).check().is_err());
        assert!(Place::Abstract("x".repeat(MAX_ADDR_LEN)).check().is_ok());
        let e = Place::Abstract("x".repeat(MAX_ADDR_LEN + 1))
            .check()
            .unwrap_err();
        assert!(e.contains("108 bytes long"), "{e}");
    }

    #[test]
    fn the_limit_is_the_kernels() {
        // What std (and so the kernel's struct) accepts agrees with ours.
        let ok = Place::File("a".repeat(MAX_ADDR_LEN).into());
        assert!(ok.socket_addr().is_ok());
        let long = Place::File("a".repeat(MAX_ADDR_LEN + 1).into());
        assert!(long.socket_addr().is_err());
        let ok = Place::Abstract("a".repeat(MAX_ADDR_LEN));
        assert!(ok.socket_addr().is_ok());
        let long = Place::Abstract("a".repeat(MAX_ADDR_LEN + 1));
        assert!(long.socket_addr().is_err());
    }

    #[test]
    fn printable_drops_one_newline_only() {
        assert_eq!(printable(b"a\n\n"), "a\n");
        assert_eq!(printable(b""), "");
    }
}
