//! tcp-client: an interactive TCP client for the line-echo servers.
//!
//! Source: Tsoukalos, *Mastering Go*, network chapter, section
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
//! printf 'Hi!\nSTOP\n' | cargo run -p concurrent-tcp --bin tcp-client -- 127.0.0.1:1234
//! ```
//!
//! Timeouts: 5 s for the connection, 5 s for each answer.
//! Exit status: 0 after STOP or at the end of the input; 100 for a bad
//! argument, a failed connection, a timeout, or a server that closes
//! the connection before STOP.

use anyhow::Context;
use concurrent_tcp::{
    LineRead, MAX_LINE, READ_BUF, READ_TIMEOUT, dial, is_stop, is_timeout,
    print_received, read_line,
};
use std::io::{self, BufRead, BufReader, IsTerminal, Write};
use std::net::TcpStream;

const USAGE: &str = "usage: tcp-client HOST:PORT";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Err(e) = run(&args) {
        // Tsoukalos' programs print the error and exit with status 100.
        eprintln!("{e:#}");
        std::process::exit(100);
    }
}

// ANCHOR: main
fn run(args: &[String]) -> anyhow::Result<()> {
    // Go: if len(arguments) == 1 { fmt.Println("Please provide host:port.") }
    let [target] = args else {
        anyhow::bail!("Please provide host:port. {USAGE}");
    };

    // Go: c, err := net.Dial("tcp", CONNECT). `dial` also looks the
    // name up, and gives up after 5 s instead of the kernel's minutes.
    let c = dial(target)?;

    // Both readers are made ONCE, before the loop. Go's TCPclient makes
    // a new bufio.Reader for stdin and for the socket on every turn,
    // and anything the old reader had read ahead is lost with it.
    let mut input = io::stdin().lock();
    let mut replies = BufReader::with_capacity(READ_BUF, &c);
    // Prompt only for a person at a terminal, not for piped input.
    let prompt = io::stdin().is_terminal();
    let mut text = Vec::new();
    let mut reply = Vec::new();
    loop {
        if prompt {
            print!(">> ");
            io::stdout().flush().context("writing the prompt")?;
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
        let got = read_reply(&mut replies, &mut reply)?;
        print_received("->: ", &reply);
        if is_stop(&text) {
            println!("TCP client exiting...");
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
/// We write the bytes themselves: no formatting, one newline.
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
fn read_reply(
    replies: &mut BufReader<&TcpStream>,
    reply: &mut Vec<u8>,
) -> anyhow::Result<LineRead> {
    match read_line(replies, reply, MAX_LINE) {
        Ok(LineRead::Eof) => anyhow::bail!("the server closed the connection"),
        Ok(LineRead::TooLong) => {
            anyhow::bail!(
                "the server's answer is longer than {MAX_LINE} bytes without a newline"
            )
        }
        Ok(got) => Ok(got),
        Err(e) if is_timeout(&e) => anyhow::bail!(
            "no answer from the server within {} s (waiting for the echo of our line)",
            READ_TIMEOUT.as_secs()
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
