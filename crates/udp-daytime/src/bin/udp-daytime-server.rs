//! udp-daytime-server: not written yet.

fn main() {
    eprintln!("udp-daytime-server: not written yet");
    std::process::exit(1);
}
