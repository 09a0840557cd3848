//! ip-get-head-info: not written yet.

fn main() {
    eprintln!("ip-get-head-info: not written yet");
    std::process::exit(1);
}
