//! threaded-echo-server: not written yet.

fn main() {
    eprintln!("threaded-echo-server: not written yet");
    std::process::exit(1);
}
