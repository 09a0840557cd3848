//! Pieces shared by `socket-server` and `socket-client`: where a Unix
//! socket lives (a file path or a Linux abstract name), the size limit
//! of that address, the command line both programs read, and how a
//! timeout is recognised.
//!
//! Everything here is pure logic (no sockets are opened), so it has
//! unit tests and doctests of its own.

pub mod cli;
pub mod deadline;
pub mod listen;
pub mod printable;

pub use printable::{escaped, printable};

use std::ffi::{OsStr, OsString};
use std::fmt;
use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::net::SocketAddr;
use std::path::PathBuf;

// ANCHOR: limit
/// Size of `sun_path` in Linux's `struct sockaddr_un` (UNIX_PATH_MAX
/// in include/uapi/linux/un.h; 104 on the BSDs and macOS).
pub const SUN_PATH_LEN: usize = 108;

/// The longest address this crate accepts, in bytes: the limit of
/// Rust's std, which keeps the last byte of `sun_path` for the NUL
/// after a path (the portable rule of unix(7), "Pathname sockets";
/// Go's net package does the same). Linux itself would bind a path of
/// all 108 bytes with no NUL (unix(7), BUGS), but std refuses to
/// build that address. An abstract name comes after a leading NUL
/// byte, so 107 bytes are left for it: there std's limit and the
/// kernel's are the same.
pub const MAX_ADDR_LEN: usize = SUN_PATH_LEN - 1;
// ANCHOR_END: limit

/// Where a Unix socket lives. Both kinds are bytes, not text: a Linux
/// file name is any bytes but `/` and NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// A socket file in the file system, such as `/tmp/aSocket`. What
    /// Go's `net.Listen("unix", path)` creates.
    File(PathBuf),
    /// A name in Linux's abstract namespace: no file is created, the
    /// name lives in the kernel and vanishes with the last socket.
    /// Go writes these as paths starting with `@`.
    Abstract(OsString),
}

impl fmt::Display for Place {
    /// A file as its path; an abstract name with a leading `@`, the
    /// way `ss -xl` and Go show it. Bytes that are not printable text
    /// are shown as escapes (`\xff`).
    ///
    /// Examples: the unit test `fmt_examples` below.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::File(p) => f.write_str(&escaped(p.as_os_str().as_bytes())),
            Place::Abstract(name) => write!(f, "@{}", escaped(name.as_bytes())),
        }
    }
}

#[test]
fn fmt_examples() {
    use crate::Place;
    assert_eq!(Place::Abstract("echo".into()).to_string(), "@echo");
    assert_eq!(Place::File("aSocket".into()).to_string(), "aSocket");
}

impl Place {
    /// Refuse an empty or too long address, with a message that says
    /// what to do, before std is asked (std's own answer to a long
    /// path is "path must be shorter than SUN_LEN"; Go's is "invalid
    /// argument").
    ///
    /// Examples: the unit test `check_examples` below.
    pub fn check(&self) -> Result<(), String> {
        let len = match self {
            Place::File(p) => p.as_os_str().len(),
            Place::Abstract(name) => name.len(),
        };
        match self {
            Place::File(_) if len == 0 => {
                Err("the socket path is empty: give a file name".into())
            }
            Place::Abstract(_) if len == 0 => {
                Err("the abstract name is empty: give a name".into())
            }
            Place::File(_) if len > MAX_ADDR_LEN => Err(format!(
                "the socket path is {len} bytes long; std takes at most \
                 {MAX_ADDR_LEN}"
            )),
            Place::Abstract(_) if len > MAX_ADDR_LEN => Err(format!(
                "the abstract name is {len} bytes long; at most \
                 {MAX_ADDR_LEN} fit"
            )),
            _ => Ok(()),
        }
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

#[test]
fn check_examples() {
    use crate::Place;
    assert!(Place::File("a".repeat(107).into()).check().is_ok());
    assert!(Place::File("a".repeat(108).into()).check().is_err());
}

/// Which program reads the command line: each has its own options.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Program {
    Server,
    Client,
}

/// What the command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The socket to listen on or connect to.
    pub place: Place,
    /// `--count N`: send N messages, then stop (socket-client only).
    pub count: Option<u64>,
}

/// Parse `[OPTIONS] PATH` or `[OPTIONS] --abstract NAME`. Options:
/// `--count N` for the client. Arguments are bytes (`cli::args()`), and
/// a path stays bytes. Errors are one line that says what was wrong.
///
/// Examples: the unit test `parse_args_examples` below.
pub fn parse_args<I, S>(args: I, program: Program) -> Result<Args, String>
where
    I: IntoIterator<Item = S>,
    S: Into<OsString>,
{
    let mut args = args.into_iter().map(Into::into);
    let mut place = None;
    let mut count = None;
    while let Some(arg) = args.next() {
        let next = match arg.as_bytes() {
            b"--abstract" => {
                let name =
                    args.next().ok_or("--abstract needs a NAME after it")?;
                Place::Abstract(name)
            }
            b"--count" if program == Program::Client => {
                let n = args.next().ok_or("--count needs a number after it")?;
                count = Some(parse_count(&n)?);
                continue;
            }
            b"--" => match args.next() {
                Some(path) => Place::File(path.into()),
                None => return Err("-- needs a PATH after it".to_string()),
            },
            [b'-', _, ..] => {
                return Err(format!("unknown option {}", escaped_arg(&arg)));
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

#[test]
fn parse_args_examples() -> Result<(), String> {
    use crate::{Place, Program, parse_args};
    let a = parse_args(["--count", "3", "aSocket"], Program::Client);
    let a = a?;
    assert_eq!(a.place, Place::File("aSocket".into()));
    assert_eq!(a.count, Some(3));
    assert!(parse_args(["aSocket", "extra"], Program::Client).is_err());
    Ok(())
}

fn escaped_arg(arg: &OsStr) -> String {
    escaped(arg.as_bytes())
}

fn parse_count(n: &OsStr) -> Result<u64, String> {
    match cli::text(n)?.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!(
            "--count takes a whole number of 1 or more, not \"{}\"",
            escaped_arg(n)
        )),
    }
}

/// The name of the errno behind `e` (`ECONNREFUSED`), as the ERRORS
/// sections of the man pages (connect(2), bind(2), unix(7)) list it;
/// std's words for any other error. Linux's numbers (asm-generic).
pub fn errno(e: &io::Error) -> String {
    const NAMES: &[(i32, &str)] = &[
        (1, "EPERM"),
        (2, "ENOENT"),
        (11, "EAGAIN"),
        (13, "EACCES"),
        (20, "ENOTDIR"),
        (22, "EINVAL"),
        (30, "EROFS"),
        (32, "EPIPE"),
        (36, "ENAMETOOLONG"),
        (40, "ELOOP"),
        (98, "EADDRINUSE"),
        (104, "ECONNRESET"),
        (111, "ECONNREFUSED"),
    ];
    let code = e.raw_os_error();
    match NAMES.iter().find(|(n, _)| Some(*n) == code) {
        Some((_, name)) => (*name).to_string(),
        None => e.to_string(),
    }
}

/// Did a socket call time out? An expired `SO_RCVTIMEO` or
/// `SO_SNDTIMEO` (std's `set_read_timeout`, `set_write_timeout`)
/// makes the call fail with EAGAIN on Linux (socket(7)), which std
/// calls `WouldBlock`; std's docs warn that other systems may say
/// `TimedOut`, as std's `connect_timeout` does. Both count.
pub fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;

    fn parse(args: &[&str], program: Program) -> Result<Args, String> {
        parse_args(args.iter().copied(), program)
    }

    #[test]
    fn a_path_or_an_abstract_name() {
        let a = parse(&["/tmp/aSocket"], Program::Server).unwrap();
        assert_eq!(a.place, Place::File("/tmp/aSocket".into()));
        assert_eq!(a.count, None);
        let a = parse(&["--abstract", "echo"], Program::Server).unwrap();
        assert_eq!(a.place, Place::Abstract("echo".into()));
        let a = parse(&["--", "-odd-name"], Program::Server).unwrap();
        assert_eq!(a.place, Place::File("-odd-name".into()));
    }

    #[test]
    fn a_path_stays_bytes() {
        use std::os::unix::ffi::OsStringExt;
        let raw = OsString::from_vec(b"s\xff.sock".to_vec());
        let a = parse_args([raw.clone()], Program::Server).unwrap();
        assert_eq!(a.place, Place::File(raw.into()));
        assert_eq!(a.place.to_string(), "s\\xff.sock");
        let e = parse_args(
            ["--count".into(), OsString::from_vec(vec![0xff]), "s".into()],
            Program::Client,
        )
        .unwrap_err();
        assert!(e.contains("not valid UTF-8"), "{e}");
    }

    #[test]
    fn count_is_for_the_client_only() {
        let a = parse(&["s", "--count", "2"], Program::Client).unwrap();
        assert_eq!(a.count, Some(2));
        assert_eq!(
            parse(&["--count", "2", "s"], Program::Server).unwrap_err(),
            "unknown option --count"
        );
    }

    #[test]
    fn bad_command_lines() {
        let client = |args: &[&str]| parse(args, Program::Client);
        assert_eq!(client(&[]).unwrap_err(), "Please provide a socket file.");
        assert!(client(&["a", "b"]).unwrap_err().contains("one too many"));
        assert!(client(&["--abstract"]).unwrap_err().contains("NAME"));
        assert!(client(&["--count"]).unwrap_err().contains("number"));
        assert!(client(&["--count", "0", "s"]).is_err());
        assert!(client(&["--count", "x", "s"]).is_err());
        assert!(client(&["--count", "-1", "s"]).is_err());
        let e = client(&["-v", "s"]).unwrap_err();
        assert!(e.contains("unknown option -v"), "{e}");
    }

    #[test]
    fn length_limits() {
        assert!(Place::File("".into()).check().is_err());
        assert!(Place::Abstract(OsString::new()).check().is_err());
        let name = |n| Place::Abstract("x".repeat(n).into());
        assert!(name(MAX_ADDR_LEN).check().is_ok());
        let e = name(MAX_ADDR_LEN + 1).check().unwrap_err();
        assert!(e.contains("108 bytes long"), "{e}");
    }

    #[test]
    fn errno_names() {
        let e = io::Error::from_raw_os_error(111);
        assert_eq!(errno(&e), "ECONNREFUSED");
        let e = io::Error::from_raw_os_error(2);
        assert_eq!(errno(&e), "ENOENT");
        let e = io::Error::from_raw_os_error(5);
        assert_eq!(errno(&e), "Input/output error (os error 5)");
    }

    #[test]
    fn the_limit_is_std_s() {
        // What std builds agrees with our check: 107 bytes and no
        // more, for a path and for an abstract name. (The kernel would
        // take a 108-byte path: tests/go.rs shows it.)
        let path = |n| Place::File("a".repeat(n).into());
        assert!(path(MAX_ADDR_LEN).socket_addr().is_ok());
        let e = path(MAX_ADDR_LEN + 1).socket_addr().unwrap_err();
        assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
        assert_eq!(e.to_string(), "path must be shorter than SUN_LEN");
        let name = |n| Place::Abstract("a".repeat(n).into());
        assert!(name(MAX_ADDR_LEN).socket_addr().is_ok());
        assert!(name(MAX_ADDR_LEN + 1).socket_addr().is_err());
    }

    #[test]
    fn timeouts() {
        assert!(is_timeout(&io::Error::from(io::ErrorKind::WouldBlock)));
        assert!(is_timeout(&io::Error::from(io::ErrorKind::TimedOut)));
        assert!(!is_timeout(&io::Error::from(io::ErrorKind::BrokenPipe)));
    }
}
