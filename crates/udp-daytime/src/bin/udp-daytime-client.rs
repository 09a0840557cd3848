//! udp-daytime-client: not written yet.

fn main() {
    eprintln!("udp-daytime-client: not written yet");
    std::process::exit(1);
}
