import AICertCore

/// The one way exports are written: RFC 8785 canonical JSON (members sorted, no whitespace,
/// `/` not escaped, UTF-8) followed by one newline.
public enum ExportEncoding {
    /// `value` as export bytes.
    public static func bytes(_ value: JSONValue) -> [UInt8] {
        value.canonicalBytes + [UInt8(ascii: "\n")]
    }
}
