/// The rule for input names: they become a path component on the runner and in the sandbox.
enum InputName {
    static let maximumLength = 64

    /// Why `name` is not a valid input name, or `nil`: 1 to 64 of `A-Z a-z 0-9 . _ -`, and
    /// neither `.` nor `..`.
    static func problem(with name: String) -> String? {
        guard (1...maximumLength).contains(name.utf8.count) else {
            return "an input name has 1 to \(maximumLength) characters"
        }
        guard name != "." && name != ".." else { return "'.' and '..' are not input names" }
        let allowed = name.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                true
            default: false
            }
        }
        return allowed ? nil : "an input name uses only A-Z a-z 0-9 . _ -"
    }
}
