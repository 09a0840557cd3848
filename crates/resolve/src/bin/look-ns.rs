//! look-ns: not written yet.

fn main() {
    eprintln!("look-ns: not written yet");
    std::process::exit(1);
}
