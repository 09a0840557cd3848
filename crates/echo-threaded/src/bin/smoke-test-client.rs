//! smoke-test-client: not written yet.

fn main() {
    eprintln!("smoke-test-client: not written yet");
    std::process::exit(1);
}
