import AICertCore

/// The client's nonce for a quote: 16 to 64 bytes written as hexadecimal.
enum Nonce {
    static func parse(_ text: String?) throws -> [UInt8] {
        guard let text else { throw APIError(.invalidRequest, "a nonce is required: 32 to 128 hexadecimal digits") }
        let sizes = Attestor.nonceSizes
        guard text.utf8.count % 2 == 0, (sizes.lowerBound * 2...sizes.upperBound * 2).contains(text.utf8.count) else {
            throw APIError(.invalidRequest, "the nonce is \(sizes.lowerBound) to \(sizes.upperBound) bytes, as 32 to 128 hexadecimal digits")
        }
        var bytes: [UInt8] = []
        var high: UInt8?
        for unit in text.utf8 {
            guard let nibble = Self.nibble(unit) else { throw APIError(.invalidRequest, "the nonce is not hexadecimal") }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        return bytes
    }

    private static func nibble(_ unit: UInt8) -> UInt8? {
        switch unit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): unit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): unit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): unit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
