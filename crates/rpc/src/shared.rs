//! What both ends of the RPC example agree on: Tsoukalos's `sharedRPC`
//! package (Go Systems Programming, "Remote procedure call (RPC)"): the
//! arguments type, the service's name and its methods' names.

// ANCHOR: shared
/// The arguments of every method: two magnitudes and their signs.
///
/// Go's `sharedRPC.MyInts` has fields `A1, A2 uint` and `S1, S2 bool`.
/// Rust spells fields in snake case, and Go's `uint` is 64 bits on
/// the machines the book uses, hence `u64`. A sign flag that is
/// `true` means "this number is negative".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MyInts {
    pub a1: u64,
    pub a2: u64,
    pub s1: bool,
    pub s2: bool,
}

/// The service: `rpc.Register(myInterface)` names it after the Go
/// type, `MyInterface`.
pub const SERVICE: &str = "MyInterface";

/// The methods the server registers. `net/rpc` names a method
/// "Service.Method"; the client must spell it the same way.
pub const ADD: &str = "MyInterface.Add";
pub const SUBTRACT: &str = "MyInterface.Subtract";

/// The book's port (`PORT := ":1234"` in RPCserver.go).
pub const DEFAULT_PORT: u16 = 1234;
// ANCHOR_END: shared

impl MyInts {
    /// The arguments RPCclient.go sends: -17 and +18.
    pub const BOOK: MyInts = MyInts {
        a1: 17,
        a2: 18,
        s1: true,
        s2: false,
    };

    // ANCHOR: signed
    /// The two numbers with their signs applied, as RPCserver.go's
    /// `s1*int(arguments.A1)` and `s2*int(arguments.A2)`.
    ///
    /// Go converts the `uint` to `int` first, which silently wraps
    /// for values above 2^63 - 1. `i128` holds every signed u64
    /// exactly, so here nothing wraps: the method checks that its
    /// result fits in an i64 instead.
    pub fn signed(&self) -> (i128, i128) {
        let sign = |negative: bool| if negative { -1 } else { 1 };
        (
            sign(self.s1) * i128::from(self.a1),
            sign(self.s2) * i128::from(self.a2),
        )
    }
    // ANCHOR_END: signed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signs_as_the_book_applies_them() {
        // -17 + 18 = 1 and -17 - 18 = -35, the book's two replies.
        assert_eq!(MyInts::BOOK.signed(), (-17, 18));
        let big = MyInts {
            a1: u64::MAX,
            a2: 0,
            s1: true,
            s2: true,
        };
        assert_eq!(big.signed(), (-18446744073709551615, 0));
    }

    #[test]
    fn every_method_is_of_the_service() {
        for m in [ADD, SUBTRACT] {
            assert_eq!(m.split_once('.').map(|(s, _)| s), Some(SERVICE));
        }
    }
}
