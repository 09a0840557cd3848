//! rpc-server: not written yet.

fn main() {
    eprintln!("rpc-server: not written yet");
    std::process::exit(1);
}
