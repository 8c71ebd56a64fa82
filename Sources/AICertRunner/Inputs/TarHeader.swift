import AICertCore

/// Why an uploaded archive was refused: the entry at fault (by number, from 0) and the reason.
struct ArchiveError: Error, Hashable, Sendable, CustomStringConvertible {
    let entry: Int?
    let reason: String

    init(entry: Int?, _ reason: String) {
        self.entry = entry
        self.reason = reason
    }

    var description: String { entry.map { "archive entry \($0): \(reason)" } ?? "archive: \(reason)" }
}

/// One 512-byte ustar header block (POSIX.1-1988, with the pax and GNU magic variants), read
/// strictly: the checksum must match, numbers must be octal (or GNU base-256 for sizes).
struct TarHeader: Hashable, Sendable {
    static let blockSize = Ustar.blockSize

    /// What the entry is, from the `typeflag` byte.
    enum Kind: Hashable, Sendable {
        case file, directory, symbolicLink, hardLink, device, fifo
        /// A pax extended header: its records apply to the next entry.
        case paxExtended
        /// A pax global header: its records apply to the whole archive (we use none of them).
        case paxGlobal
        /// GNU's long name and long link name: the data is the next entry's path or link target.
        case gnuLongName, gnuLongLink
        case unsupported(UInt8)
    }

    let kind: Kind
    /// The path from `prefix` and `name`, as raw bytes (not yet decoded).
    let path: [UInt8]
    let linkName: [UInt8]
    let size: UInt64

    /// Whether `block` is all zeros: half of the end-of-archive marker.
    static func isZero(_ block: some Collection<UInt8>) -> Bool {
        block.allSatisfy { $0 == 0 }
    }

    /// Parses a header block that is not all zeros.
    init(block: [UInt8], entry: Int) throws {
        precondition(block.count == Self.blockSize)
        let magic = Array(block[Ustar.Field.magic.range])
        let isUstar = magic == Array("ustar\0".utf8) || magic == Array("ustar ".utf8)
        guard isUstar else { throw ArchiveError(entry: entry, "not a ustar, pax or GNU tar header") }
        let recorded = try Self.octal(block[Ustar.Field.checksum.range], entry: entry, field: "chksum")
        guard recorded == Ustar.checksum(of: block) else {
            throw ArchiveError(
                entry: entry,
                "the header checksum does "
                    + "not match")
        }

        size = try Self.number(block[Ustar.Field.size.range], entry: entry, field: "size")
        linkName = Self.field(block[Ustar.Field.linkName.range])
        let name = Self.field(block[Ustar.Field.name.range])
        let prefix = magic == Array("ustar\0".utf8) ? Self.field(block[Ustar.Field.prefix.range]) : []
        path = prefix.isEmpty ? name : prefix + [UInt8(ascii: "/")] + name
        switch block[Ustar.Field.typeflag.range.lowerBound] {
        case UInt8(ascii: "0"), 0, UInt8(ascii: "7"):
            // Old archives mark directories by a trailing slash on a regular entry.
            kind = path.last == UInt8(ascii: "/") ? .directory : .file
        case UInt8(ascii: "1"): kind = .hardLink
        case UInt8(ascii: "2"): kind = .symbolicLink
        case UInt8(ascii: "3"), UInt8(ascii: "4"): kind = .device
        case UInt8(ascii: "5"): kind = .directory
        case UInt8(ascii: "6"): kind = .fifo
        case UInt8(ascii: "x"): kind = .paxExtended
        case UInt8(ascii: "g"): kind = .paxGlobal
        case UInt8(ascii: "L"): kind = .gnuLongName
        case UInt8(ascii: "K"): kind = .gnuLongLink
        case let other: kind = .unsupported(other)
        }
    }

    /// The bytes of a NUL-terminated (or full-width) field.
    private static func field(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
        Array(bytes.prefix { $0 != 0 })
    }

    /// A size field: octal, or GNU base-256 when the first byte has its high bit set.
    private static func number(_ bytes: ArraySlice<UInt8>, entry: Int, field: String) throws -> UInt64 {
        guard let first = bytes.first, first & 0x80 != 0 else { return try octal(bytes, entry: entry, field: field) }
        guard first == 0x80, bytes.dropFirst().prefix(bytes.count - 9).allSatisfy({ $0 == 0 }) else {
            throw ArchiveError(entry: entry, "the \(field) field is a negative or oversized base-256 number")
        }
        let value = bytes.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        guard value <= UInt64(Int64.max) else { throw ArchiveError(entry: entry, "the \(field) field is too large") }
        return value
    }

    /// An octal field: optional leading spaces, digits, then NULs or spaces to the end.
    private static func octal(_ bytes: ArraySlice<UInt8>, entry: Int, field: String) throws -> UInt64 {
        var digits = bytes.drop { $0 == UInt8(ascii: " ") }
        let terminator = digits.firstIndex { $0 == 0 || $0 == UInt8(ascii: " ") } ?? digits.endIndex
        guard digits[terminator...].allSatisfy({ $0 == 0 || $0 == UInt8(ascii: " ") }) else {
            throw ArchiveError(entry: entry, "the \(field) field is not an octal number")
        }
        digits = digits[..<terminator]
        guard !digits.isEmpty else { throw ArchiveError(entry: entry, "the \(field) field is empty") }
        var value: UInt64 = 0
        for digit in digits {
            guard (UInt8(ascii: "0")...UInt8(ascii: "7")).contains(digit), value < (1 << 60) else {
                throw ArchiveError(entry: entry, "the \(field) field is not an octal number")
            }
            value = value << 3 | UInt64(digit - UInt8(ascii: "0"))
        }
        return value
    }
}

/// The records of a pax extended header that we use: `path`, `linkpath` and `size`. Other keys
/// (times, owners, ACLs) are read for well-formedness and ignored.
struct PaxRecords: Hashable, Sendable {
    var path: [UInt8]?
    var linkPath: [UInt8]?
    var size: UInt64?

    /// Parses `LENGTH KEY=VALUE\n` records, each LENGTH counting the whole record.
    init(_ data: [UInt8], entry: Int) throws {
        var index = 0
        while index < data.count {
            guard let space = data[index...].firstIndex(of: UInt8(ascii: " ")), space > index, space - index <= 20,
                let length = Int(String(decoding: data[index..<space], as: UTF8.self)), length > space - index + 1,
                length <= data.count - index, data[index + length - 1] == UInt8(ascii: "\n")
            else {
                throw ArchiveError(entry: entry, "a malformed pax extended header record")
            }
            let record = data[(space + 1)..<(index + length - 1)]
            guard let equals = record.firstIndex(of: UInt8(ascii: "=")), equals > record.startIndex else {
                throw ArchiveError(entry: entry, "a pax record without a key")
            }
            let key = String(decoding: record[..<equals], as: UTF8.self)
            let value = Array(record[(equals + 1)...])
            switch key {
            case "path": path = value
            case "linkpath": linkPath = value
            case "size":
                guard let number = UInt64(String(decoding: value, as: UTF8.self)), number <= UInt64(Int64.max) else {
                    throw ArchiveError(entry: entry, "the pax size record is not a number")
                }
                size = number
            default: break
            }
            index += length
        }
    }
}
