//! tcp-client: not written yet.

fn main() {
    eprintln!("tcp-client: not written yet");
    std::process::exit(1);
}
