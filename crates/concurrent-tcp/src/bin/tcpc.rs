//! tcpc: not written yet.

fn main() {
    eprintln!("tcpc: not written yet");
    std::process::exit(1);
}
