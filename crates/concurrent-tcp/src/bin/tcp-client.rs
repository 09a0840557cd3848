//! tcp-client: an interactive TCP client for the line-echo servers.
//!
//! Source: Tsoukalos, *Go Systems Programming*, chapter 12, section
//! "Developing a simple TCP client" (TCPclient.go).
//!
//! It connects to HOST:PORT, then reads lines from its standard input;
//! it sends each one to the server, and prints the server's answer as
//! `->: ANSWER`. Typing `STOP` sends STOP, prints the answer, and ends
//! the client. When standard input is a terminal it prompts with `>> `.
//!
//! Run it (with conc-tcp or tcp-server listening on port 1234):
//!
//! ```text
//! cargo run -p concurrent-tcp --bin tcp-client -- 127.0.0.1:1234
//! printf 'Hi!\nSTOP\n' |
//!     cargo run -p concurrent-tcp --bin tcp-client -- 127.0.0.1:1234
//! ```
//!
//! Time limits: 5 s for the connection (every address of the name
//! together), 5 s for each whole answer, however it trickles in;
//! `NETPROG_TIME_SCALE` multiplies both (src/cli.rs).
//! Exit status: 0 after STOP or at the end of the input; 100 for a bad
//! argument or `NETPROG_TIME_SCALE`, a failed connection, a timeout,
//! or a server that closes the connection before STOP.

use anyhow::Context;
use concurrent_tcp::{
    CONNECT_TIMEOUT, LineRead, MAX_LINE, READ_BUF, READ_TIMEOUT, TimedReader,
    cli, dial, elogln, is_stop, is_timeout, out, outln, read_line,
    show_received,
};
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::net::TcpStream;
use std::time::Duration;

const USAGE: &str = "usage: tcp-client HOST:PORT";

fn main() {
    if let Err(e) = run(&cli::args()) {
        // Tsoukalos' programs print the error and exit with status 100.
        elogln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: main
fn run(args: &[OsString]) -> anyhow::Result<()> {
    // Go: if len(arguments) == 1 { fmt.Println("Please provide host:port.") }
    let [target] = args else {
        anyhow::bail!("Please provide host:port. {USAGE}");
    };
    let target = cli::text(target).map_err(anyhow::Error::msg)?;
    // The time limits, scaled by NETPROG_TIME_SCALE (src/cli.rs).
    let connect_limit =
        cli::time_limit(CONNECT_TIMEOUT).map_err(anyhow::Error::msg)?;
    let read_limit =
        cli::time_limit(READ_TIMEOUT).map_err(anyhow::Error::msg)?;

    // Go: c, err := net.Dial("tcp", CONNECT). `dial` also looks the
    // name up, and gives up after 5 s instead of the kernel's minutes.
    let c = dial(target, connect_limit)?;

    // Both readers are made ONCE, before the loop. Go's TCPclient makes
    // a new bufio.Reader for stdin and for the socket on every turn,
    // and anything the old reader had read ahead is lost with it.
    // The replies are read through a TimedReader: the read limit is
    // for the whole answer, not for each read(2) it takes.
    let mut input = io::stdin().lock();
    let timed = TimedReader::new(&c, read_limit);
    let mut replies = BufReader::with_capacity(READ_BUF, timed);
    // Prompt only for a person at a terminal, not for piped input.
    let prompt = io::stdin().is_terminal();
    let mut text = Vec::new();
    let mut reply = Vec::new();
    loop {
        if prompt {
            out!(">> "); // flushed: the prompt shows before we wait
        }
        // Go: text, _ := reader.ReadString('\n')
        text.clear();
        if input
            .read_until(b'\n', &mut text)
            .context("reading standard input")?
            == 0
        {
            return Ok(()); // end of input (Ctrl+D): we are done
        }
        send_line(&c, &text)?;

        // Go: message, _ := bufio.NewReader(c).ReadString('\n')
        replies.get_mut().restart(read_limit);
        let got = read_reply(&mut replies, &mut reply, read_limit)?;
        show_received("->: ", &reply);
        if is_stop(&text) {
            outln!("TCP client exiting...");
            return Ok(());
        }
        if got != LineRead::Line {
            anyhow::bail!("the server closed the connection");
        }
    }
}
// ANCHOR_END: main

// ANCHOR: send
/// Send one line, ending in exactly one newline.
///
/// Go's TCPclient does `fmt.Fprintf(c, text+"\n")`. Two mistakes there:
/// `text` already ends in a newline, so two go out (and the server
/// answers an extra, empty line); and `text` is used as a *format
/// string*, so a `%d` typed by the user comes out as `%!d(MISSING)`.
/// We write the bytes themselves, unformatted, and end them with one
/// newline: the line ending the input had, `\n` or `\r\n` (a file
/// written on Windows), is replaced by a single `\n`.
fn send_line(mut c: &TcpStream, text: &[u8]) -> anyhow::Result<()> {
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    let body = body.strip_suffix(b"\r").unwrap_or(body);
    let mut line = Vec::with_capacity(body.len() + 1);
    line.extend_from_slice(body);
    line.push(b'\n');
    // One write_all, so the line leaves in one piece (one segment,
    // when it is short) instead of a line and then a lone newline.
    c.write_all(&line)
        .map_err(|e| describe_io(e, "sending the line"))
}
// ANCHOR_END: send

/// Read the server's answer into `reply`. The answer may be a whole
/// line, or (just before the server closes) a piece without newline.
/// `limit` is the time the answer was given, for the message.
fn read_reply(
    replies: &mut BufReader<TimedReader<'_>>,
    reply: &mut Vec<u8>,
    limit: Duration,
) -> anyhow::Result<LineRead> {
    match read_line(replies, reply, MAX_LINE) {
        Ok(LineRead::Eof) => anyhow::bail!("the server closed the connection"),
        Ok(LineRead::TooLong) => {
            anyhow::bail!(
                "the server's answer is longer than {MAX_LINE} bytes without \
                 a newline"
            )
        }
        Ok(got) => Ok(got),
        Err(e) if is_timeout(&e) => anyhow::bail!(
            "no answer from the server within {} (waiting for the echo of \
             our line)",
            cli::Secs(limit)
        ),
        Err(e) => Err(describe_io(e, "reading the server's answer")),
    }
}

/// A reset or a broken pipe means the server has closed the
/// connection (it was closed while our data was still on its way, so
/// its kernel answered with a reset). Say so in those words.
fn describe_io(e: io::Error, what: &str) -> anyhow::Error {
    use io::ErrorKind::{BrokenPipe, ConnectionAborted, ConnectionReset};
    match e.kind() {
        BrokenPipe | ConnectionReset | ConnectionAborted => {
            anyhow::anyhow!("the server closed the connection ({what}: {e})")
        }
        _ => anyhow::Error::new(e).context(what.to_string()),
    }
}
