//! daytime-client: not written yet.

fn main() {
    eprintln!("daytime-client: not written yet");
    std::process::exit(1);
}
