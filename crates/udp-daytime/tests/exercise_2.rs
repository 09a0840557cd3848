//! Check for exercise 2 of docs/src/udp-daytime.md: udp-daytime-client
//! backs off. It sends its request up to 3 times, waiting 1 s for a
//! reply after the first, 2 s after the second and 4 s after the
//! third, and gives up after 7 s; through the lab's lossy cable most
//! runs get an answer. Run it with `scripts/exercise udp-daytime 2`,
//! as root: the last part builds a lab (scripts/lab).
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{check_lab, quoted, says_three_tries};
use std::net::UdpSocket;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};
use testkit::{Cmd, Server};

const SERVER: &str = env!("CARGO_BIN_EXE_udp-daytime-server");
const CLIENT: &str = env!("CARGO_BIN_EXE_udp-daytime-client");

fn client(addr: &str) -> testkit::Out {
    Cmd::new(CLIENT)
        .args([addr])
        .timeout(Duration::from_secs(20))
        .run()
}

/// A fake server on loopback that records when each request arrived
/// and answers the `answer`-th one (counting from 1; 0: none).
struct Fake {
    addr: String,
    arrivals: Arc<Mutex<Vec<Instant>>>,
    stop: Arc<AtomicBool>,
}

impl Fake {
    fn start(answer: usize) -> Fake {
        let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
        socket
            .set_read_timeout(Some(Duration::from_millis(50)))
            .unwrap();
        let addr = socket.local_addr().unwrap().to_string();
        let arrivals = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (a, s) = (Arc::clone(&arrivals), Arc::clone(&stop));
        thread::spawn(move || {
            let mut buf = [0u8; 64];
            while !s.load(Ordering::Relaxed) {
                let Ok((_, from)) =
                    testkit::retry_eintr(|| socket.recv_from(&mut buf))
                else {
                    continue;
                };
                let mut a = a.lock().unwrap();
                a.push(Instant::now());
                if a.len() == answer {
                    let reply = b"Sun Aug 29 17:25:19 EST 2010\r\n";
                    let _ = socket.send_to(reply, from);
                }
            }
        });
        Fake {
            addr,
            arrivals,
            stop,
        }
    }

    /// The times between one request and the next.
    fn gaps(&self) -> Vec<Duration> {
        let a = self.arrivals.lock().unwrap();
        a.windows(2).map(|w| w[1] - w[0]).collect()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

#[test]
fn a_lost_first_request_is_sent_again_after_1_s() {
    let fake = Fake::start(2);
    let out = client(&fake.addr);
    assert_eq!(
        out.code,
        Some(0),
        "hint: the first request was lost; after 1 s without a reply \
         the client should send it again, and print the reply to the \
         second\n{}",
        out.describe()
    );
    assert_eq!(out.stdout, "Sun Aug 29 17:25:19 EST 2010\n");
    let gaps = fake.gaps();
    assert!(
        gaps.first().is_some_and(|g| {
            *g >= Duration::from_millis(900) && *g < Duration::from_millis(1600)
        }),
        "hint: wait 1 s for the first reply (RFC 8961: no less than 1 s \
         when nothing is known of the path), then send again; the \
         second request came {gaps:?} after the first"
    );
}

#[test]
fn a_silent_server_gets_three_tries_1_2_and_4_s_apart() {
    let fake = Fake::start(0);
    let t = Instant::now();
    let out = client(&fake.addr);
    let took = t.elapsed();
    let gaps = fake.gaps();
    let tries = gaps.len() + 1;
    assert_eq!(
        tries, 3,
        "hint: send the request 3 times in all before giving up ({tries} \
         arrived)"
    );
    assert!(
        gaps[0] >= Duration::from_millis(900)
            && gaps[0] < Duration::from_millis(1600),
        "hint: wait 1 s for the first reply; the second request came \
         {:?} after the first",
        gaps[0]
    );
    assert!(
        gaps[1] >= Duration::from_millis(1850)
            && gaps[1] < Duration::from_millis(2800),
        "hint: wait twice as long after each silent try: 1 s, then 2 s, \
         then 4 s; the third request came {:?} after the second",
        gaps[1]
    );
    assert_eq!(
        out.code,
        Some(1),
        "hint: giving up is a Fatal error, exit 1\n{}",
        out.describe()
    );
    assert!(
        out.stderr.starts_with("Fatal error: ")
            && out.stderr.lines().count() == 1
            && says_three_tries(&out.stderr),
        "hint: give up with one `Fatal error:` line that says how many \
         tries were made, e.g. `no reply after 3 tries`; got {:?}",
        out.stderr
    );
    assert!(
        took >= Duration::from_millis(6800) && took < Duration::from_secs(9),
        "hint: 1 s, 2 s and 4 s of waiting make 7 s in all before the \
         client gives up, not {took:?} (the third wait is 4 s)"
    );
}

#[test]
fn refused_is_an_answer_not_a_loss() {
    let dead = common::dead_udp_addr();
    let t = Instant::now();
    let out = client(&dead.to_string());
    assert!(
        out.stderr.contains("Connection refused")
            && t.elapsed() < Duration::from_secs(1),
        "hint: when the kernel says `connection refused`, nobody is \
         there: stop at once instead of trying again\n{}",
        out.describe()
    );
}

#[test]
fn in_the_lab_most_runs_get_an_answer_through_a_lossy_cable() {
    let lab = check_lab('b');
    // Declared after the lab, so stopped before it goes down.
    let _server =
        Server::start_cmd(lab.exec("carol", &[SERVER, "0.0.0.0:1200"]), false);
    lab.fault(&["carol", "loss", "30"]);
    // The page's 100 runs at once, counting the answers.
    let script = format!(
        "for i in $(seq 100); do {} carol:1200 & done 2>/dev/null | wc -l",
        quoted(CLIENT)
    );
    let t = Instant::now();
    let out = lab.sh("alice", &script);
    let took = t.elapsed();
    let answered: u32 = out
        .stdout
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("not a count: {}", out.describe()));
    // One try gets through with 0.7 × 0.7 = 0.49; 3 tries fail
    // together with 0.51³, so a run gets an answer with 0.87: 87 of
    // 100 on average, standard deviation 3.4. Under 70 is 5 of them.
    assert!(
        answered >= 70,
        "hint: through a cable that loses 30 % of the packets each way, \
         3 tries get an answer in about 87 runs of 100 (1 - 0.51^3), and \
         under 70 almost never; {answered} of 100 did (one try: about \
         49). Does the client send again after a silent wait?"
    );
    assert!(
        took < Duration::from_secs(15),
        "hint: a run that gets no answer should give up after 7 s; the \
         100 runs took {took:?}"
    );
    eprintln!("in the lab, 30 % loss each way: {answered} of 100 answered");
}

#[test]
fn the_real_server_still_answers_the_first_try() {
    let server = Server::start(SERVER, &["0"]);
    let out = client(&server.addr);
    assert_eq!(out.code, Some(0), "{}", out.describe());
    assert!(out.stdout.len() > 25, "{}", out.describe());
}
