//! handshake-watch: what Wireshark and tshark show of a TCP connection
//! (the "Hi, I am Coco" blog post; Tsoukalos, "About Wireshark and
//! tshark"), in a terminal, without Wireshark.
//!
//! It opens a packet socket on the loopback interface with pnet, keeps
//! the TCP segments of one port, and prints each as tshark does: time,
//! source → destination, flags, relative Seq and Ack, Win, Len.
//!
//!     handshake-watch [--port 9000] [--iface lo] [--count N] [--duration SECS]
//!                     [--write FILE.pcap] [--explain] [-- COMMAND ARGS...]
//!
//! With `-- COMMAND`, it starts COMMAND once the capture is open, follows
//! the first connection to the port until it is closed, and prints it:
//!
//!     handshake-watch --explain -- handshake-client 127.0.0.1:9000
//!
//! It needs CAP_NET_RAW (root has it): a packet socket sees every
//! packet of the interface, so Linux does not give it to everyone.
//! Exit status: 0 on success; 1 on an error (no privilege, no such
//! interface, COMMAND failed); 2 for bad arguments.

use anyhow::{Context, Result, bail};
use pnet::datalink::{self, Channel, Config};
use std::fs::File;
use std::io::{ErrorKind, Write};
use std::process::{Child, Command, ExitCode};
use std::time::{Duration, Instant, SystemTime};
use tcp_handshake::{Conversation, Dedup, Segment, parse_frame, pcap};

/// Settings from the command line.
#[derive(Debug)]
struct Opts {
    port: u16,
    iface: String,
    count: Option<usize>,
    duration: Option<Duration>,
    write: Option<String>,
    explain: bool,
    command: Vec<String>,
}

const USAGE: &str = "usage: handshake-watch [--port N] [--iface lo] [--count N] \
                     [--duration SECS] [--write FILE.pcap] [--explain] [-- COMMAND ARGS...]";

/// After COMMAND has exited, how long to wait for the teardown.
const LINGER: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    let opts = match parse(std::env::args().skip(1).collect()) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("handshake-watch: {e:#}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&opts) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("handshake-watch: {e:#}");
            ExitCode::from(1)
        }
    }
}

fn parse(args: Vec<String>) -> Result<Opts> {
    let mut o = Opts {
        port: 9000,
        iface: "lo".into(),
        count: None,
        duration: None,
        write: None,
        explain: false,
        command: Vec::new(),
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        let mut value =
            || it.next().with_context(|| format!("{a} needs a value"));
        match a.as_str() {
            "--port" => o.port = number(&a, &value()?)?,
            "--iface" => o.iface = value()?,
            "--count" => o.count = Some(number(&a, &value()?)?),
            "--duration" => {
                let v = value()?;
                let secs: f64 = number(&a, &v)?;
                if !(secs.is_finite() && secs > 0.0) {
                    bail!(
                        "--duration {v:?} is not a positive number of seconds"
                    );
                }
                o.duration = Some(Duration::from_secs_f64(secs));
            }
            "--write" => o.write = Some(value()?),
            "--explain" => o.explain = true,
            "--" => {
                o.command = it.by_ref().collect();
                if o.command.is_empty() {
                    bail!("-- must be followed by a command");
                }
            }
            _ => bail!("unknown argument {a:?}"),
        }
    }
    Ok(o)
}

fn number<T: std::str::FromStr>(flag: &str, v: &str) -> Result<T> {
    v.parse()
        .ok()
        .with_context(|| format!("{flag} {v:?} is not a valid number"))
}

// ANCHOR: open
/// Open a packet socket on the interface. pnet's datalink channel is
/// socket(AF_PACKET, SOCK_RAW, ETH_P_ALL) bound to the interface: the
/// kernel hands it a copy of every frame that crosses it.
fn open(o: &Opts) -> Result<Box<dyn datalink::DataLinkReceiver>> {
    let iface = datalink::interfaces()
        .into_iter()
        .find(|i| i.name == o.iface)
        .with_context(|| {
            format!("no interface named {:?} (see `ip link`)", o.iface)
        })?;
    let config = Config {
        // `lo` carries frames of up to 64 KiB; a smaller buffer would
        // cut large segments short.
        read_buffer_size: 65_536 + 64,
        // Wake up now and then to check the clock and COMMAND.
        read_timeout: Some(Duration::from_millis(100)),
        promiscuous: false,
        ..Config::default()
    };
    match datalink::channel(&iface, config) {
        Ok(Channel::Ethernet(_tx, rx)) => Ok(rx),
        Ok(_) => bail!("{} is not an Ethernet-like interface", o.iface),
        Err(e) if e.kind() == ErrorKind::PermissionDenied => bail!(
            "capturing on {} needs CAP_NET_RAW ({e}): run it as root, or give the binary \
             the capability once after each build: \
             sudo setcap cap_net_raw+ep target/debug/handshake-watch",
            o.iface
        ),
        Err(e) => Err(e)
            .with_context(|| format!("opening a packet socket on {}", o.iface)),
    }
}
// ANCHOR_END: open

fn run(o: &Opts) -> Result<()> {
    let mut rx = open(o)?;
    let mut pcap_file = match &o.write {
        Some(path) => {
            let mut f = File::create(path)
                .with_context(|| format!("creating {path}"))?;
            f.write_all(&pcap::header(65_535))?;
            Some(f)
        }
        None => None,
    };
    // The socket is open: from here on no segment is missed.
    println!("listening on {} for tcp port {}", o.iface, o.port);
    let mut child = match o.command.split_first() {
        Some((cmd, args)) => Some(
            Command::new(cmd)
                .args(args)
                .spawn()
                .with_context(|| format!("starting {cmd}"))?,
        ),
        None => None,
    };
    // With a command, print the conversation once it is over, so that
    // its lines do not mix with what the command prints.
    let live = child.is_none();
    let mut conv = Conversation::new();
    let mut dedup = Dedup::default();
    let mut first: Option<(std::net::SocketAddr, std::net::SocketAddr)> = None;
    let mut lines = Vec::new();
    let mut count = 0usize;
    let started = Instant::now();
    let mut t0: Option<Instant> = None;
    let mut command_done: Option<Instant> = None;
    loop {
        if o.count.is_some_and(|c| count >= c)
            || o.duration.is_some_and(|d| started.elapsed() >= d)
            || conv.finished()
            || command_done.is_some_and(|t| t.elapsed() >= LINGER)
        {
            break;
        }
        if command_done.is_none() && finished(&mut child)? {
            command_done = Some(Instant::now());
        }
        let frame = match rx.next() {
            Ok(f) => f,
            Err(e)
                if matches!(
                    e.kind(),
                    ErrorKind::TimedOut | ErrorKind::Interrupted
                ) =>
            {
                continue;
            }
            Err(e) => return Err(e).context("reading from the packet socket"),
        };
        let now = Instant::now();
        let Some(seg) = parse_frame(frame) else {
            continue;
        };
        if !wanted(o, &seg, &mut first) || !dedup.first_time(now, frame) {
            continue;
        }
        if let Some(f) = pcap_file.as_mut() {
            f.write_all(&pcap::record(SystemTime::now(), frame))
                .context("writing the pcap file")?;
        }
        count += 1;
        conv.track(&seg);
        let t = now.duration_since(*t0.get_or_insert(now));
        let mut text = conv.line(count, t, &seg);
        if o.explain {
            text.push_str(&format!("\n      {}", conv.explain(&seg)));
        }
        if live {
            println!("{text}");
        } else {
            lines.push(text);
        }
    }
    for l in &lines {
        println!("{l}");
    }
    println!("{count} segments captured");
    if let Some(path) = &o.write {
        println!("written to {path} (read it with: tcpdump -n -r {path})");
    }
    finish_command(child)
}

/// Keep the segments of the port; with a command, only those of the
/// first connection (the first SYN to the port decides which).
fn wanted(
    o: &Opts,
    s: &Segment,
    first: &mut Option<(std::net::SocketAddr, std::net::SocketAddr)>,
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
        None if s.dst.port() == o.port
            && s.has(pnet::packet::tcp::TcpFlags::SYN) =>
        {
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
