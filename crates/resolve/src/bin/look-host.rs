//! look-host: not written yet.

fn main() {
    eprintln!("look-host: not written yet");
    std::process::exit(1);
}
