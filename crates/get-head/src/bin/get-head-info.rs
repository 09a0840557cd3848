//! get-head-info: not written yet.

fn main() {
    eprintln!("get-head-info: not written yet");
    std::process::exit(1);
}
