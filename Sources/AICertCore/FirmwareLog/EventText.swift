/// A string from an event, and the encoding it was found in.
///
/// Events do not say how their strings are encoded: GRUB logs UTF-8, systemd-boot UTF-16LE.
public struct EventText: Hashable, Sendable {
    public enum Encoding: String, Hashable, Sendable {
        case utf8 = "UTF-8"
        case utf16LittleEndian = "UTF-16LE"
    }

    /// The text without its terminating NULs.
    public let value: String
    public let encoding: Encoding

    /// Reads event data as text, or `nil` when it is not printable text.
    ///
    /// A NUL byte before the terminating NULs cannot occur in UTF-8 text, so such data is read
    /// as UTF-16LE; anything else as UTF-8. Either must decode strictly and hold no control
    /// characters other than tab, line feed and carriage return.
    init?(decoding bytes: [UInt8]) {
        var end = bytes.count
        while end > 0 && bytes[end - 1] == 0 { end -= 1 }
        if bytes[..<end].contains(0) {
            // A UTF-16 string's last unit may end in one of the NULs just trimmed.
            let unitsEnd = end + end % 2
            guard unitsEnd <= bytes.count, let text = EventText.strictUTF16(bytes[..<unitsEnd]) else { return nil }
            self.init(value: text, encoding: .utf16LittleEndian)
        } else {
            guard let text = String(validating: bytes[..<end], as: UTF8.self),
                text.unicodeScalars.allSatisfy(EventText.isPrintable)
            else { return nil }
            self.init(value: text, encoding: .utf8)
        }
    }

    /// `text` as UTF-16LE with a terminating NUL: how an EFI application's load options (e.g.
    /// the kernel command line the Linux EFI stub measures into PCR 9) are written.
    public static func nulTerminatedUTF16LittleEndian(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for unit in text.utf16 + [0] {
            bytes += [UInt8(truncatingIfNeeded: unit), UInt8(truncatingIfNeeded: unit >> 8)]
        }
        return bytes
    }

    private init(value: String, encoding: Encoding) {
        self.value = value
        self.encoding = encoding
    }

    /// UTF-16LE of an even number of bytes, without its terminating NULs; `nil` unless it decodes
    /// strictly to printable text.
    static func strictUTF16(_ bytes: ArraySlice<UInt8>) -> String? {
        guard bytes.count % 2 == 0 else { return nil }
        var units = littleEndianUnits(bytes)
        while units.last == 0 { units.removeLast() }
        var iterator = units.makeIterator()
        var decoder = UTF16()
        var scalars = String.UnicodeScalarView()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                guard isPrintable(scalar) else { return nil }
                scalars.append(scalar)
            case .emptyInput: return String(scalars)
            case .error: return nil
            }
        }
    }

    /// UTF-16LE decoded with replacement characters for what does not decode: for names that
    /// are shown and compared, never for judging whether data is text.
    static func lenientUTF16(_ bytes: [UInt8]) -> String {
        String(decoding: littleEndianUnits(bytes[...]), as: UTF16.self)
    }

    /// The UTF-16 code units of `bytes`, two bytes each, least significant first; an odd last
    /// byte is ignored.
    private static func littleEndianUnits(_ bytes: ArraySlice<UInt8>) -> [UInt16] {
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index + 1 < bytes.endIndex {
            units.append(UInt16(bytes[index]) | UInt16(bytes[index + 1]) << 8)
            index += 2
        }
        return units
    }

    private static func isPrintable(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x09, 0x0A, 0x0D: true
        case 0x00..<0x20, 0x7F..<0xA0: false
        default: true
        }
    }
}
