//! placeholder
#[test]
fn todo() {
    panic!("hint: not written yet");
}
