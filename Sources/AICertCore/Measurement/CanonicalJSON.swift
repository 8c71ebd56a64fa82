/// The pieces of RFC 8785 (JSON Canonicalization Scheme) that manifests need: strings, unsigned
/// integers below 2^53, and the punctuation between them. Callers write object keys in sorted
/// order themselves; no whitespace is ever written.
enum CanonicalJSON {
    /// Appends `text` as a JSON string: `"` and `\` escaped with a backslash, U+0000…U+001F
    /// escaped (`\b \t \n \f \r` where JSON has a short form, otherwise `\u00xx` in lowercase
    /// hex), every other character as its UTF-8 bytes.
    static func appendString(_ text: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        for unit in text.utf8 {
            switch unit {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                output.append(UInt8(ascii: "\\"))
                output.append(unit)
            case 0x08: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0C: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x00..<0x20:
                let digits = Array("0123456789abcdef".utf8)
                output.append(contentsOf: Array("\\u00".utf8))
                output.append(digits[Int(unit >> 4)])
                output.append(digits[Int(unit & 0x0F)])
            default:
                output.append(unit)
            }
        }
        output.append(UInt8(ascii: "\""))
    }

    /// Appends `value` in decimal, as RFC 8785 writes integers below 2^53.
    static func appendInteger(_ value: UInt64, to output: inout [UInt8]) {
        output.append(contentsOf: Array(String(value).utf8))
    }

    /// Appends ASCII punctuation or a key already in canonical form, e.g. `{"path":`.
    static func appendRaw(_ text: StaticString, to output: inout [UInt8]) {
        text.withUTF8Buffer { output.append(contentsOf: $0) }
    }
}
