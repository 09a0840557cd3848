//! lookup-port: not written yet.

fn main() {
    eprintln!("lookup-port: not written yet");
    std::process::exit(1);
}
