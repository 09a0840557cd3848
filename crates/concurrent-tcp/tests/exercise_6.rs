//! Check of exercise 6 (being written).
#[test]
fn not_yet() {
    panic!("hint: this check is not written yet");
}
