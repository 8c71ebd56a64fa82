import Foundation

/// The rules every name and relative path in a manifest keeps.
///
/// A name (one path component) must be valid UTF-8, already in Unicode Normalization Form C,
/// free of control characters (U+0000…U+001F and U+007F), at most
/// ``ManifestLimits/maximumNameBytes`` long, and neither `.` nor `..`. A path is one or more such
/// names joined by `/`, at most ``ManifestLimits/maximumPathBytes`` long.
///
/// Names that break a rule are rejected, not repaired: normalising would record a path that does
/// not open the file it describes, and could merge two distinct files into one entry.
public enum PathRules {
    /// Decodes a name read from the file system; `nil` if it is not valid UTF-8.
    static func decodeName(_ bytes: UnsafeBufferPointer<UInt8>) -> String? {
        String(validating: bytes, as: UTF8.self)
    }

    /// Why `name` breaks the name rules, or `nil` if it keeps them.
    public static func problem(withName name: String) -> String? {
        let utf8 = name.utf8
        if utf8.isEmpty { return "is an empty name" }
        if name == "." || name == ".." { return "is a '.' or '..' component" }
        if utf8.count > ManifestLimits.maximumNameBytes {
            return "has a name of \(utf8.count) bytes, more than \(ManifestLimits.maximumNameBytes)"
        }
        var isASCII = true
        for unit in utf8 {
            if unit < 0x20 || unit == 0x7F { return "has a control character in its name" }
            if unit == UInt8(ascii: "/") { return "has a '/' in a name" }
            if unit >= 0x80 { isASCII = false }
        }
        if !isASCII && !name.precomposedStringWithCanonicalMapping.utf8.elementsEqual(utf8) {
            return "has a name that is not in Unicode NFC (normalise it, e.g. with `convmv --nfc`)"
        }
        return nil
    }

    /// Why `path` breaks the path rules, or `nil` if it keeps them.
    public static func problem(withPath path: String) -> String? {
        if path.utf8.count > ManifestLimits.maximumPathBytes {
            return "is a path of \(path.utf8.count) bytes, more than \(ManifestLimits.maximumPathBytes)"
        }
        for component in path.split(separator: "/", omittingEmptySubsequences: false) {
            if let problem = problem(withName: String(component)) { return problem }
        }
        return nil
    }

    /// Why a symbolic link's target cannot be recorded, or `nil` if it can: it must be valid
    /// UTF-8 (checked when decoding), non-empty, free of control characters and at most
    /// ``ManifestLimits/maximumLinkTargetBytes`` long. It is recorded verbatim, not normalised.
    public static func problem(withLinkTarget target: String) -> String? {
        if target.utf8.isEmpty { return "is a symbolic link with an empty target" }
        if target.utf8.count > ManifestLimits.maximumLinkTargetBytes {
            return "is a symbolic link whose target is longer than \(ManifestLimits.maximumLinkTargetBytes) bytes"
        }
        if target.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            return "is a symbolic link whose target has a control character"
        }
        return nil
    }

    /// Whether `lhs` sorts before `rhs` in manifest order: by the bytes of their UTF-8 encoding.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}
