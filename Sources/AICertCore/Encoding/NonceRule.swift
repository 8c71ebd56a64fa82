/// The one rule for a quote's nonce, on both sides of the runner API: 16 to 64 bytes, written as
/// hexadecimal (clients write lowercase; the API takes either case). Clients send 32 fresh random bytes.
public enum NonceRule {
    /// The sizes a runner accepts, in bytes.
    public static let sizes = 16...64
    /// What clients send, in bytes.
    public static let freshSize = 32

    /// 32 bytes from the system's CSPRNG.
    public static func fresh() -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<freshSize).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    /// The nonce `text` writes, or why it is not one.
    public static func parse(_ text: String) -> Result<[UInt8], Invalid> {
        guard let bytes = Hex.bytes(text, caseInsensitive: true) else { return .failure(.notHex) }
        guard sizes.contains(bytes.count) else { return .failure(.size(bytes.count)) }
        return .success(bytes)
    }

    /// Why a nonce is refused.
    public enum Invalid: Error, Hashable, Sendable, CustomStringConvertible {
        case notHex
        case size(Int)

        public var description: String {
            switch self {
            case .notHex: "the nonce is not hexadecimal of whole bytes"
            case .size(let count):
                "the nonce is \(count) bytes; it is \(sizes.lowerBound) to \(sizes.upperBound) bytes, "
                    + "as \(sizes.lowerBound * 2) to \(sizes.upperBound * 2) hexadecimal digits"
            }
        }
    }
}
