//! socket-server: not written yet.

fn main() {
    eprintln!("socket-server: not written yet");
    std::process::exit(1);
}
