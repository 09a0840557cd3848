//! smoke-test-server: not written yet.

fn main() {
    eprintln!("smoke-test-server: not written yet");
    std::process::exit(1);
}
