/// Text from a request, made safe to put in a log line or an error detail: control characters
/// are written as `\u{…}` escapes, so a hostile name cannot forge lines or terminal sequences.
enum LogText {
    /// `text` with every control character (C0, DEL, C1) escaped and at most `limit` characters.
    static func escaped(_ text: String, limit: Int = 2048) -> String {
        var result = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit {
                result += "…"
                break
            }
            switch scalar.value {
            case 0..<0x20, 0x7F..<0xA0:
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default:
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
