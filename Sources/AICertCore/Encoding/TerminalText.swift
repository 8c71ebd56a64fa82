/// Text from a request, a certificate, a log or a file name made safe to print or log: strings an
/// attacker chose (input names, sources, event data) must not move the cursor, clear the screen,
/// reorder text with bidirectional overrides, or forge a line of a report or log.
public enum TerminalText {
    /// `text` with C0 and C1 control characters, DEL, the line and paragraph separators and
    /// Unicode format characters (bidi overrides and isolates, zero-width marks) written as
    /// `\u{…}`, cut to `limit` characters with an ellipsis.
    public static func escaped(_ text: String, limit: Int = .max) -> String {
        var shown = ""
        for (index, scalar) in text.unicodeScalars.enumerated() {
            if index == limit {
                shown += "…"
                break
            }
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar.value == 0x2028
                || scalar.value == 0x2029 || scalar.properties.generalCategory == .format
            {
                shown += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Lines, each escaped, joined with newlines: a hostile value cannot start a line of its own.
    public static func lines(_ lines: [String]) -> String {
        lines.map { escaped($0) }.joined(separator: "\n")
    }
}
