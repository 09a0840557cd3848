//! udp-echo-server: not written yet.

fn main() {
    eprintln!("udp-echo-server: not written yet");
    std::process::exit(1);
}
