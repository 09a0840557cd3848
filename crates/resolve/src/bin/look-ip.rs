//! look-ip: not written yet.

fn main() {
    eprintln!("look-ip: not written yet");
    std::process::exit(1);
}
