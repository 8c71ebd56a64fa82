import Foundation

/// Structural rules on a JSON document that parsers disagree about, checked before decoding so
/// that both verifiers read one document the same way: no object with a member named twice
/// (parsers keep the first or the last), and no nesting deeper than ``maximumDepth``.
public enum JSONStructure {
    public static let maximumDepth = 64

    /// Why a document breaks the rules, or `nil`. Malformed JSON is left to the decoder.
    static func problem(in bytes: [UInt8]) -> String? {
        var scanner = Scanner(bytes: bytes)
        return scanner.run()
    }

    /// Throws when the document breaks the rules; every parser of a document others sent calls it first.
    static func check(_ data: Data) throws {
        if let problem = problem(in: Array(data)) { throw CertificateFormatError(field: "", problem) }
    }

    private struct Scanner {
        let bytes: [UInt8]
        var index = 0
        /// The member names seen in each open object; `nil` for an open array.
        var open: [Set<String>?] = []
        /// Whether the next string in the innermost object is a member name.
        var expectingName = false

        init(bytes: [UInt8]) { self.bytes = bytes }

        mutating func run() -> String? {
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    open.append(byte == UInt8(ascii: "{") ? [] : nil)
                    guard open.count <= JSONStructure.maximumDepth else {
                        return "the document nests deeper than \(JSONStructure.maximumDepth) levels"
                    }
                    expectingName = byte == UInt8(ascii: "{")
                    index += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if !open.isEmpty { open.removeLast() }
                    expectingName = false
                    index += 1
                case UInt8(ascii: ","):
                    expectingName = open.last.map { $0 != nil } ?? false
                    index += 1
                case UInt8(ascii: "\""):
                    guard let text = readString() else { return nil }
                    if expectingName, let names = open.last, var seen = names {
                        guard !seen.contains(text) else { return "the member '\(text)' is given twice in one object" }
                        seen.insert(text)
                        open[open.count - 1] = seen
                        expectingName = false
                    }
                default:
                    index += 1
                }
            }
            return nil
        }

        /// Reads a string starting at its opening quote and decodes its escapes, so that `"a"`
        /// and `"\u0061"` are one name; `nil` when it is unterminated or malformed.
        mutating func readString() -> String? {
            index += 1
            var units: [UInt16] = []
            var raw: [UInt8] = []
            func flush() {
                units += String(decoding: raw, as: UTF8.self).utf16
                raw.removeAll()
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    index += 1
                    flush()
                    return String(decoding: units, as: UTF16.self)
                }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { return nil }
                    flush()
                    let escaped = bytes[index + 1]
                    index += 2
                    switch escaped {
                    case UInt8(ascii: "u"):
                        guard index + 4 <= bytes.count,
                            let unit = UInt16(String(decoding: bytes[index..<(index + 4)], as: UTF8.self), radix: 16)
                        else { return nil }
                        units.append(unit)
                        index += 4
                    case UInt8(ascii: "n"): units.append(0x0A)
                    case UInt8(ascii: "t"): units.append(0x09)
                    case UInt8(ascii: "r"): units.append(0x0D)
                    case UInt8(ascii: "b"): units.append(0x08)
                    case UInt8(ascii: "f"): units.append(0x0C)
                    default: units.append(UInt16(escaped))
                    }
                    continue
                }
                raw.append(byte)
                index += 1
            }
            return nil
        }
    }
}
