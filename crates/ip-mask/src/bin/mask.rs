//! mask: not written yet.

fn main() {
    eprintln!("mask: not written yet");
    std::process::exit(1);
}
