//! lookup-host: not written yet.

fn main() {
    eprintln!("lookup-host: not written yet");
    std::process::exit(1);
}
