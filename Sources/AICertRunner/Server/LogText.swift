/// Text from a request, made safe to put in a log line or an error detail: control characters
/// and format characters are written as `\u{…}` escapes, so a hostile name cannot forge lines,
/// terminal sequences or (with bidirectional overrides) the order of the text around it.
enum LogText {
    /// `text` with every control character (C0, DEL, C1), line or paragraph separator and format
    /// character (bidi overrides and isolates, zero-width marks) escaped, at most `limit` characters.
    static func escaped(_ text: String, limit: Int = 2048) -> String {
        var result = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit {
                result += "…"
                break
            }
            switch scalar.value {
            case 0..<0x20, 0x7F..<0xA0, 0x2028, 0x2029:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default:
                if scalar.properties.generalCategory == .format {
                    result += "\\u{" + String(scalar.value, radix: 16) + "}"
                } else {
                    result.unicodeScalars.append(scalar)
                }
            }
        }
        return result
    }
}
