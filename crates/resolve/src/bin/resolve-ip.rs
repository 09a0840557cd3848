//! resolve-ip: not written yet.

fn main() {
    eprintln!("resolve-ip: not written yet");
    std::process::exit(1);
}
