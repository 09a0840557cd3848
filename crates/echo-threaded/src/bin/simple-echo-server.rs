//! simple-echo-server: not written yet.

fn main() {
    eprintln!("simple-echo-server: not written yet");
    std::process::exit(1);
}
