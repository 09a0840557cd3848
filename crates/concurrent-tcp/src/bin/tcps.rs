//! tcps: not written yet.

fn main() {
    eprintln!("tcps: not written yet");
    std::process::exit(1);
}
