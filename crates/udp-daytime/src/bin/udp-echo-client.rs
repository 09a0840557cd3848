//! udp-echo-client: not written yet.

fn main() {
    eprintln!("udp-echo-client: not written yet");
    std::process::exit(1);
}
