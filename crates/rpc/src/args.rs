//! The command lines of the two programs.

use crate::cli;
use crate::codec::Encoding;
use crate::listen::{self, AddrError};
use crate::{DEFAULT_PORT, MyInts};
use std::ffi::OsString;
use std::net::SocketAddr;

pub const CLIENT_USAGE: &str = "usage: rpc-client [--frames] [--dump] \
     [--call METHOD] [--args A1,A2,S1,S2] HOST:PORT";
pub const SERVER_USAGE: &str = "usage: rpc-server [--frames] [PORT | ADDRESS]";

/// What rpc-client's command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClientOptions {
    pub addr: String,
    pub encoding: Encoding,
    pub dump: bool,
    pub call: Option<String>,
    pub args: MyInts,
}

/// Parse rpc-client's arguments (after the program's name).
pub fn client(argv: Vec<OsString>) -> Result<ClientOptions, String> {
    if argv.is_empty() {
        // The book's words (RPCclient.go), and its exit status (100).
        return Err("Please provide a host:port string!".into());
    }
    let mut opts = ClientOptions {
        addr: String::new(),
        encoding: Encoding::Gob,
        dump: false,
        call: None,
        args: MyInts::BOOK,
    };
    let mut addrs = Vec::new();
    let mut it = argv.into_iter();
    while let Some(a) = it.next() {
        let a = cli::text(&a)?.to_string();
        let mut value = || -> Result<String, String> {
            let v = it
                .next()
                .ok_or_else(|| format!("{a} needs a value: {CLIENT_USAGE}"))?;
            Ok(cli::text(&v)?.to_string())
        };
        match a.as_str() {
            "--frames" => opts.encoding = Encoding::Frames,
            "--dump" => opts.dump = true,
            "--call" => opts.call = Some(value()?),
            "--args" => opts.args = parse_my_ints(&value()?)?,
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag:?}: {CLIENT_USAGE}"));
            }
            _ => addrs.push(a),
        }
    }
    match <[String; 1]>::try_from(addrs) {
        Ok([addr]) => opts.addr = addr,
        Err(_) => return Err(CLIENT_USAGE.into()),
    }
    Ok(opts)
}

/// What rpc-server's command line asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerOptions {
    pub addr: SocketAddr,
    pub encoding: Encoding,
}

/// Parse rpc-server's arguments.
pub fn server(argv: Vec<OsString>) -> Result<ServerOptions, String> {
    let mut encoding = Encoding::Gob;
    let mut addr = None;
    for a in &argv {
        match cli::text(a)? {
            "--frames" => encoding = Encoding::Frames,
            flag if flag.starts_with('-') => {
                return Err(format!("unknown option {flag:?}: {SERVER_USAGE}"));
            }
            _ if addr.is_some() => return Err(SERVER_USAGE.into()),
            text => addr = Some(text),
        }
    }
    let addr = listen::listen_addr(addr, DEFAULT_PORT)
        .map_err(|e: AddrError| e.to_string())?;
    Ok(ServerOptions { addr, encoding })
}

/// Parse `A1,A2,S1,S2` (e.g. `17,18,true,false`) into [`MyInts`].
pub fn parse_my_ints(s: &str) -> Result<MyInts, String> {
    let bad =
        || format!("--args wants A1,A2,S1,S2 like 17,18,true,false, got {s:?}");
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    let [a1, a2, s1, s2] = parts.as_slice() else {
        return Err(bad());
    };
    let num = |x: &str| x.parse::<u64>().map_err(|_| bad());
    let sign = |x: &str| x.parse::<bool>().map_err(|_| bad());
    Ok(MyInts {
        a1: num(a1)?,
        a2: num(a2)?,
        s1: sign(s1)?,
        s2: sign(s2)?,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    fn os(args: &[&str]) -> Vec<OsString> {
        args.iter().map(OsString::from).collect()
    }

    #[test]
    fn client_options() {
        let o = client(os(&["localhost:1234"])).unwrap();
        assert_eq!(
            (o.encoding, o.dump, o.args),
            (Encoding::Gob, false, MyInts::BOOK)
        );
        let o = client(os(&["--frames", "--dump", "--call", "X.Y", "h:1"]))
            .unwrap();
        assert_eq!(o.encoding, Encoding::Frames);
        assert_eq!(
            (o.dump, o.call.as_deref(), o.addr.as_str()),
            (true, Some("X.Y"), "h:1")
        );
        assert!(
            client(os(&["--call"]))
                .unwrap_err()
                .contains("--call needs a value")
        );
        assert!(
            client(os(&["a:1", "b:2"]))
                .unwrap_err()
                .starts_with("usage:")
        );
        let bad = vec![OsString::from_vec(vec![0xff])];
        assert_eq!(
            client(bad).unwrap_err(),
            "argument \"\\xff\" is not valid UTF-8 text"
        );
    }

    #[test]
    fn server_options() {
        let o = server(os(&[])).unwrap();
        assert_eq!(o.addr.to_string(), "127.0.0.1:1234");
        assert_eq!(o.encoding, Encoding::Gob);
        let o = server(os(&["0", "--frames"])).unwrap();
        assert_eq!((o.addr.port(), o.encoding), (0, Encoding::Frames));
        assert_eq!(server(os(&["1", "2"])).unwrap_err(), SERVER_USAGE);
        assert!(
            server(os(&["--gob"]))
                .unwrap_err()
                .starts_with("unknown option")
        );
        assert!(server(os(&["70000"])).unwrap_err().contains("\"70000\""));
    }

    #[test]
    fn args_option() {
        assert_eq!(parse_my_ints("17,18,true,false"), Ok(MyInts::BOOK));
        assert!(parse_my_ints("17,18,true").is_err());
        assert!(parse_my_ints("-1,18,true,false").is_err());
        assert!(parse_my_ints("1,2,yes,no").is_err());
    }
}
