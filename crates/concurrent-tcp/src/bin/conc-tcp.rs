//! conc-tcp: not written yet.

fn main() {
    eprintln!("conc-tcp: not written yet");
    std::process::exit(1);
}
