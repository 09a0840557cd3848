//! ping: not written yet.

fn main() {
    eprintln!("ping: not written yet");
    std::process::exit(1);
}
