/// Text from a certificate or log made safe to print: strings an attacker chose (input names,
/// sources, event data) must not move the cursor, clear the screen, reorder text with
/// bidirectional overrides, or forge a line of our report.
enum TerminalText {
    /// `text` with C0 and C1 control characters, DEL and Unicode format characters (bidi
    /// overrides, zero-width marks) written as `\u{…}`.
    static func escaped(_ text: String) -> String {
        var shown = ""
        for scalar in text.unicodeScalars {
            if scalar.value < 0x20 || (0x7F..<0xA0).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029
                || scalar.properties.generalCategory == .format
            {
                shown += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                shown.unicodeScalars.append(scalar)
            }
        }
        return shown
    }

    /// Lines, each escaped, joined with newlines: a hostile value cannot start a line of its own.
    static func lines(_ lines: [String]) -> String {
        lines.map(escaped).joined(separator: "\n")
    }
}
