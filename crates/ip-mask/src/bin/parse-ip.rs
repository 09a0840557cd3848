//! parse-ip: not written yet.

fn main() {
    eprintln!("parse-ip: not written yet");
    std::process::exit(1);
}
