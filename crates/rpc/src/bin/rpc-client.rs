//! rpc-client: not written yet.

fn main() {
    eprintln!("rpc-client: not written yet");
    std::process::exit(1);
}
