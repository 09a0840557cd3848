//! socket-client: not written yet.

fn main() {
    eprintln!("socket-client: not written yet");
    std::process::exit(1);
}
