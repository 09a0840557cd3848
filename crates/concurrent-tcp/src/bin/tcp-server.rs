//! tcp-server: not written yet.

fn main() {
    eprintln!("tcp-server: not written yet");
    std::process::exit(1);
}
