//! greeting-server: not written yet.

fn main() {
    eprintln!("greeting-server: not written yet");
    std::process::exit(1);
}
