//! daytime-server: not written yet.

fn main() {
    eprintln!("daytime-server: not written yet");
    std::process::exit(1);
}
