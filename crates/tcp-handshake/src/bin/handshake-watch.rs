//! handshake-watch: what Wireshark and tshark show of a TCP connection
//! (the "Hi, I am Coco" blog post; Tsoukalos, "About Wireshark and
//! tshark"), in a terminal, without Wireshark.
//!
//! It opens a packet socket on one interface with pnet (the loopback
//! interface `lo` unless `-i` names another, such as a lab host's
//! `np-alice`), keeps the TCP segments of one port, and prints each as
//! tshark does: time, source → destination, flags, relative Seq and
//! Ack, Win, Len.
//!
//! ```text
//! handshake-watch [--port 9000] [-i|--iface lo] [--count N]
//!                 [--duration SECS] [--write FILE.pcap] [--explain]
//!                 [-- COMMAND ARGS...]
//! ```
//!
//! With `-- COMMAND`, it starts COMMAND once the capture is open,
//! follows the first connection to the port until it is closed, and
//! prints it:
//!
//! ```text
//! handshake-watch --explain -- handshake-client 127.0.0.1:9000
//! ```
//!
//! Once COMMAND has exited it waits 2 s more for the teardown, and
//! stops without it if the capture has been quiet for 0.1 s by then,
//! or at 4 s in any case (a `NETPROG_TIME_SCALE` above 1 multiplies
//! both; see `cli::time_limit`).
//!
//! It needs CAP_NET_RAW (root has it): a packet socket sees every
//! packet of the interface, so Linux does not give it to everyone.
//! Exit status: 0 on success; 1 on an error (no privilege, no such
//! interface, COMMAND failed, a bad `NETPROG_TIME_SCALE`); 2 for bad
//! arguments (an interface name that is not text among them); 141
//! when stdout is closed.

use anyhow::{Context, Result, bail};
use pnet::datalink::{self, Channel, Config};
use pnet::packet::tcp::TcpFlags;
use socket2::{Domain, Protocol, SockFilter, Socket, Type};
use std::ffi::OsString;
use std::fs::File;
use std::io::{ErrorKind, Write};
use std::net::SocketAddr;
use std::os::fd::IntoRawFd;
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant, SystemTime};
use tcp_handshake::{Conversation, Dedup, Segment, filter, parse_frame, pcap};
use tcp_handshake::{cli, elogln, outln};

/// Settings from the command line.
#[derive(Debug)]
struct Opts {
    port: u16,
    iface: String,
    count: Option<usize>,
    duration: Option<Duration>,
    write: Option<OsString>,
    explain: bool,
    command: Vec<OsString>,
}

const USAGE: &str = concat!(
    "usage: handshake-watch [--port N] [-i|--iface IFACE] [--count N] ",
    "[--duration SECS] [--write FILE.pcap] [--explain] ",
    "[-- COMMAND ARGS...]"
);

/// After COMMAND has exited, how long to wait for the teardown
/// (times a `NETPROG_TIME_SCALE` above 1). The server closes its side only once
/// it has read the client's FIN, and on a busy machine that can take
/// a while; twice this is the most it waits.
const LINGER: Duration = Duration::from_secs(2);

/// The longest capture `--duration` allows: a day.
const MAX_DURATION: f64 = 86_400.0;

/// With a command, the lines are printed at the end; past this many
/// the rest are counted but not kept, so memory stays bounded.
const MAX_LINES: usize = 10_000;

fn main() -> ExitCode {
    let opts = match parse(cli::args()) {
        Ok(Some(o)) => o,
        Ok(None) => {
            outln!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            elogln!("handshake-watch: {e} (try handshake-watch --help)");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            elogln!("handshake-watch: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// Parse the options with lexopt (they are not the lesson): long
/// options with a value after a space or `=`, `--help`, and `--`
/// before the command. What follows `--` is the command, untouched.
/// Ok(None) means --help; an error is one line.
fn parse(mut args: Vec<OsString>) -> Result<Option<Opts>, String> {
    use lexopt::Arg::{Long, Short, Value};
    let mut o = Opts {
        port: 9000,
        iface: "lo".into(),
        count: None,
        duration: None,
        write: None,
        explain: false,
        command: Vec::new(),
    };
    // The command is split off first, so that its own options
    // (`-- curl -v ...`) are never read as ours.
    if let Some(i) = args.iter().position(|a| a == "--") {
        o.command = args.split_off(i + 1);
        args.pop();
        if o.command.is_empty() {
            return Err("-- must be followed by a command".into());
        }
    }
    let mut p = lexopt::Parser::from_args(args);
    while let Some(arg) = p.next().map_err(usage_error)? {
        let flag = match &arg {
            Short(c) => format!("-{c}"),
            Long(l) => format!("--{l}"),
            Value(v) => {
                let v = v.to_string_lossy();
                return Err(format!("unexpected argument {v:?}"));
            }
        };
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long("explain") => o.explain = true,
            Long("port") => o.port = number(&flag, &value(&mut p, &flag)?)?,
            Short('i') | Long("iface") => o.iface = value(&mut p, &flag)?,
            Long("count") => {
                let n: usize = number(&flag, &value(&mut p, &flag)?)?;
                if n == 0 {
                    return Err(format!("{flag} wants at least 1"));
                }
                o.count = Some(n);
            }
            Long("duration") => {
                o.duration = Some(seconds(&flag, &value(&mut p, &flag)?)?)
            }
            Long("write") => {
                o.write = Some(p.value().map_err(|_| needs(&flag))?)
            }
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(Some(o))
}

/// What lexopt itself refuses, in our words: a value given to a flag
/// that takes none (`--explain=yes`), or an option that is not text.
fn usage_error(e: lexopt::Error) -> String {
    match e {
        lexopt::Error::UnexpectedValue { option, .. } => {
            format!("{option} takes no value")
        }
        other => other.to_string(),
    }
}

fn needs(flag: &str) -> String {
    format!("{flag} needs a value")
}

/// The value after an option, as text.
fn value(p: &mut lexopt::Parser, flag: &str) -> Result<String, String> {
    let v = p.value().map_err(|_| needs(flag))?;
    cli::text(&v)
        .map(str::to_string)
        .map_err(|e| format!("{flag}: {e}"))
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T, String> {
    v.parse()
        .map_err(|_| format!("{flag} {v:?} is not a valid number"))
}

/// `--duration`: seconds, fractions allowed, more than 0, at most a
/// day. The range check comes first, so that `Duration::from_secs_f64`
/// never sees NaN, an infinity or 1e20 (it panics on those).
fn seconds(flag: &str, v: &str) -> Result<Duration, String> {
    match v.parse::<f64>() {
        Ok(s) if s > 0.0 && s <= MAX_DURATION => Ok(Duration::from_secs_f64(s)),
        _ => Err(format!(
            "{flag} {v:?} is not a number of seconds above 0 and at most \
             {MAX_DURATION}"
        )),
    }
}

// ANCHOR: open
/// Open a packet socket on the interface: socket(AF_PACKET, SOCK_RAW,
/// ETH_P_ALL), which the kernel hands a copy of every frame that
/// crosses it (packet(7)), with tcpdump's filter attached so that only
/// our port's TCP segments are queued. pnet's datalink channel then
/// binds it to the interface and reads it. Also says whether the
/// interface is a loopback one (`IFF_LOOPBACK`, netdevice(7)), where
/// every frame comes twice.
fn open(o: &Opts) -> Result<(Box<dyn datalink::DataLinkReceiver>, bool)> {
    // The name is looked up among the interfaces of this network
    // namespace: inside a lab host, `lo` and that host's `np-...`.
    let iface = datalink::interfaces()
        .into_iter()
        .find(|i| i.name == o.iface)
        .with_context(|| {
            format!("no interface named {:?} (see `ip link`)", o.iface)
        })?;
    let sock = match packet_socket(o.port) {
        Ok(s) => s,
        Err(e) if e.kind() == ErrorKind::PermissionDenied => bail!(
            "capturing on {} needs CAP_NET_RAW ({e}): run it as root, or \
             give the binary the capability once after each build: \
             sudo setcap cap_net_raw+ep {}",
            o.iface,
            this_binary()
        ),
        Err(e) => return Err(e).context("opening a packet socket"),
    };
    let config = Config {
        // `lo` carries frames of up to 64 KiB, and so may a veth or
        // Ethernet interface with segmentation offload, which hands a
        // capture the large segment before it is cut up; a smaller
        // buffer would cut them short.
        read_buffer_size: 65_536 + 64,
        // Wake up now and then to check the clock and COMMAND.
        read_timeout: Some(Duration::from_millis(100)),
        promiscuous: false,
        // pnet takes the descriptor over, and closes it.
        socket_fd: Some(sock.into_raw_fd()),
        ..Config::default()
    };
    match datalink::channel(&iface, config) {
        Ok(Channel::Ethernet(_tx, rx)) => Ok((rx, iface.is_loopback())),
        Ok(_) => bail!("{} is not an Ethernet-like interface", o.iface),
        Err(e) => Err(e)
            .with_context(|| format!("opening a packet socket on {}", o.iface)),
    }
}

/// The packet socket, filtered in the kernel (see `src/filter.rs`).
fn packet_socket(port: u16) -> std::io::Result<Socket> {
    // The protocol is in network byte order: htons(ETH_P_ALL).
    const ETH_P_ALL: u16 = 0x0003;
    let all = Protocol::from(i32::from(ETH_P_ALL.to_be()));
    let sock = Socket::new(Domain::PACKET, Type::RAW, Some(all))?;
    let prog: Vec<SockFilter> = filter::tcp_port(port)
        .iter()
        .map(|i| SockFilter::new(i.code, i.jt, i.jf, i.k))
        .collect();
    sock.attach_filter(&prog)?;
    Ok(sock)
}
// ANCHOR_END: open

/// Where this program is, for the setcap hint.
fn this_binary() -> String {
    std::env::current_exe()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|_| "target/debug/handshake-watch".to_string())
}

fn run(o: &Opts) -> Result<()> {
    // Scaled up only: the tests run whole pages with a small factor,
    // and a wait shorter than 2 s would cut a teardown short.
    let linger = cli::time_limit(LINGER)
        .map_err(anyhow::Error::msg)?
        .max(LINGER);
    let (mut rx, loopback) = open(o)?;
    let mut pcap_file = match &o.write {
        Some(path) => {
            let shown = path.to_string_lossy();
            let mut f = File::create(path)
                .with_context(|| format!("creating {shown}"))?;
            f.write_all(&pcap::header(65_535))
                .with_context(|| format!("writing {shown}"))?;
            Some(f)
        }
        None => None,
    };
    // The socket is open: from here on no segment is missed.
    outln!("listening on {} for tcp port {}", o.iface, o.port);
    let mut child = match o.command.split_first() {
        Some((cmd, args)) => {
            Some(Command::new(cmd).args(args).spawn().with_context(|| {
                format!("starting {}", cmd.to_string_lossy())
            })?)
        }
        None => None,
    };
    // With a command, print the conversation once it is over, so that
    // its lines do not mix with what the command prints.
    let live = child.is_none();
    let mut conv = Conversation::new();
    // On a loopback interface every frame is seen twice, as it is sent
    // and as it is received (see `Dedup`); elsewhere a frame is seen
    // once, and two identical frames are two packets on the wire, so
    // both are shown.
    let mut dedup = loopback.then(Dedup::default);
    let mut first: Option<(SocketAddr, SocketAddr)> = None;
    let mut lines = Vec::new();
    let mut count = 0usize;
    let started = Instant::now();
    let mut t0: Option<Instant> = None;
    let mut command_done: Option<Instant> = None;
    loop {
        if o.count.is_some_and(|c| count >= c)
            || o.duration.is_some_and(|d| started.elapsed() >= d)
            || (!live && conv.finished())
            || command_done.is_some_and(|t| t.elapsed() >= 2 * linger)
        {
            break;
        }
        if command_done.is_none() && finished(&mut child)? {
            command_done = Some(Instant::now());
        }
        let frame = match rx.next() {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::TimedOut => {
                // Nothing came for 0.1 s: every frame the kernel had
                // queued for us has been read. Only now give up on a
                // late teardown, so that a program that was not given
                // the CPU for a while still reads what came meanwhile.
                if command_done.is_some_and(|t| t.elapsed() >= linger) {
                    break;
                }
                continue;
            }
            // A signal (EINTR) says nothing about the queue: read again.
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            Err(e) => return Err(e).context("reading from the packet socket"),
        };
        let now = Instant::now();
        let Some(seg) = parse_frame(frame) else {
            continue;
        };
        if !wanted(o, &seg, &mut first)
            || dedup.as_mut().is_some_and(|d| !d.first_time(now, frame))
        {
            continue;
        }
        if let Some(f) = pcap_file.as_mut() {
            f.write_all(&pcap::record(SystemTime::now(), frame))
                .context("writing the pcap file")?;
        }
        count += 1;
        conv.track(&seg);
        let t = now.duration_since(*t0.get_or_insert(now));
        let text = show(&conv, count, t, &seg, o.explain);
        if live {
            outln!("{text}");
        } else if lines.len() < MAX_LINES {
            lines.push(text);
        }
    }
    for l in &lines {
        outln!("{l}");
    }
    if count > lines.len() && !live {
        outln!("(and {} more segments, not kept)", count - lines.len());
    }
    outln!("{count} segments captured");
    if let Some(path) = &o.write {
        let path = path.to_string_lossy();
        outln!("written to {path} (read it with: tcpdump -n -r {path})");
    }
    finish_command(child)
}

/// How a segment is printed: tshark's line, broken before `Seq=` so
/// that both halves fit in 80 columns, then (with --explain) the
/// explanation, each line indented by 6.
fn show(
    conv: &Conversation,
    n: usize,
    t: Duration,
    seg: &Segment,
    explain: bool,
) -> String {
    let line = conv.line(n, t, seg);
    let mut text = match line.split_once(" Seq=") {
        Some((head, tail)) => format!("{head}\n{INDENT}Seq={tail}"),
        None => line,
    };
    if explain {
        for l in conv.explain(seg).lines() {
            text.push_str(&format!("\n{INDENT}{l}"));
        }
    }
    text
}

/// The indent of a segment's second line and of its explanation.
const INDENT: &str = "      ";

/// Keep the segments of the port; with a command, only those of the
/// first connection (the first SYN to the port decides which).
fn wanted(
    o: &Opts,
    s: &Segment,
    first: &mut Option<(SocketAddr, SocketAddr)>,
) -> bool {
    if s.src.port() != o.port && s.dst.port() != o.port {
        return false;
    }
    if o.command.is_empty() {
        return true;
    }
    match first {
        Some((a, b)) => {
            (s.src == *a && s.dst == *b) || (s.src == *b && s.dst == *a)
        }
        None if s.dst.port() == o.port && s.has(TcpFlags::SYN) => {
            *first = Some((s.src, s.dst));
            true
        }
        None => false,
    }
}

fn finished(child: &mut Option<Child>) -> Result<bool> {
    match child {
        Some(c) => {
            Ok(c.try_wait().context("waiting for the command")?.is_some())
        }
        None => Ok(false),
    }
}

fn finish_command(child: Option<Child>) -> Result<()> {
    let Some(mut c) = child else { return Ok(()) };
    let status = c.wait().context("waiting for the command")?;
    if !status.success() {
        bail!("the command failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn args(s: &str) -> Vec<OsString> {
        s.split_whitespace().map(OsString::from).collect()
    }

    #[test]
    fn options_and_the_command() {
        let o = parse(args("--port=80 --explain -- curl -v x"))
            .unwrap()
            .unwrap();
        assert_eq!((o.port, o.explain), (80, true));
        assert_eq!(o.command, args("curl -v x"));
        let o = parse(args("--duration 0.5 --count 3")).unwrap().unwrap();
        assert_eq!(o.duration, Some(Duration::from_millis(500)));
        assert_eq!(o.count, Some(3));
        assert_eq!(o.iface, "lo");
        let o = parse(args("-i np-alice")).unwrap().unwrap();
        assert_eq!(o.iface, "np-alice");
        let o = parse(args("--iface=np-carol")).unwrap().unwrap();
        assert_eq!(o.iface, "np-carol");
        assert!(parse(args("--help")).unwrap().is_none());
    }

    #[test]
    fn bad_values_are_one_line_errors() {
        for bad in [
            "--port",
            "--port x",
            "--port 70000",
            "--count 0",
            "--duration 1e20",
            "--duration inf",
            "--duration NaN",
            "--duration -1",
            "--duration 0",
            "--bogus",
            "-x",
            "stray",
            "--explain=yes",
            "--",
            "-i",
            "--iface",
        ] {
            let e = parse(args(bad)).err().unwrap();
            assert!(!e.contains('\n'), "{bad}: {e}");
        }
    }
}
