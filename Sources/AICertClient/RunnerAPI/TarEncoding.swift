import AICertCore

/// Encodes tar headers as the runner reads them: ustar, with a pax extended header in front of
/// an entry whose path or link target exceeds 100 bytes or whose size exceeds 8 GiB − 1.
/// Owners, times and modes are fixed (0, 0, 0644/0755): the manifest does not record them.
enum TarEncoding {
    static let blockSize = Ustar.blockSize

    enum EntryType: UInt8 {
        case file = 0x30  // "0"
        case symbolicLink = 0x32  // "2"
        case directory = 0x35  // "5"
    }

    /// The header block(s) of one entry.
    static func header(path: String, type: EntryType, size: UInt64 = 0, linkTarget: String = "") -> [UInt8] {
        let name = Array(path.utf8) + (type == .directory ? [UInt8(ascii: "/")] : [])
        let link = Array(linkTarget.utf8)
        let maximumOctalSize: UInt64 = (1 << 33) - 1
        var records: [(String, [UInt8])] = []
        if name.count > 100 { records.append(("path", name)) }
        if link.count > 100 { records.append(("linkpath", link)) }
        if size > maximumOctalSize { records.append(("size", Array(String(size).utf8))) }
        var blocks: [UInt8] = []
        if !records.isEmpty {
            let data = records.flatMap { paxRecord($0.0, $0.1) }
            blocks += ustar(name: Array("PaxHeader".utf8), type: 0x78, size: UInt64(data.count), link: [])
            blocks += padded(data)
        }
        blocks += ustar(
            name: name.count > 100 ? Array("aicert-long-name".utf8) : name, type: type.rawValue,
            size: size > maximumOctalSize ? 0 : size, link: link.count > 100 ? [] : link)
        return blocks
    }

    /// The two zero blocks that end an archive.
    static let end = [UInt8](repeating: 0, count: 2 * blockSize)

    /// `bytes` followed by zeros up to a block boundary.
    static func padded(_ bytes: [UInt8]) -> [UInt8] {
        bytes + [UInt8](repeating: 0, count: padding(UInt64(bytes.count)))
    }

    static func padding(_ size: UInt64) -> Int {
        Ustar.padding(size)
    }

    private static func ustar(name: [UInt8], type: UInt8, size: UInt64, link: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: [UInt8], at field: Ustar.Field) {
            for (index, byte) in bytes.enumerated() { block[field.range.lowerBound + index] = byte }
        }
        func octal(_ value: UInt64, width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: max(width - 1 - digits.count, 0)) + digits).utf8) + [0]
        }
        put(name, at: .name)
        put(octal(type == EntryType.directory.rawValue ? 0o755 : 0o644, width: 8), at: .mode)
        put(octal(0, width: 8), at: .uid)
        put(octal(0, width: 8), at: .gid)
        put(octal(size, width: 12), at: .size)
        put(octal(0, width: 12), at: .mtime)
        put([type], at: .typeflag)
        put(link, at: .linkName)
        put(Array("ustar\u{0}00".utf8), at: .magic)
        put(octal(Ustar.checksum(of: block), width: 7) + [UInt8(ascii: " ")], at: .checksum)
        return block
    }

    /// `LENGTH key=value\n`, LENGTH counting the whole record, its own digits included.
    private static func paxRecord(_ key: String, _ value: [UInt8]) -> [UInt8] {
        let rest = 1 + key.utf8.count + 1 + value.count + 1
        var length = rest + 1
        while String(length).utf8.count + rest != length { length = String(length).utf8.count + rest }
        return Array("\(length) \(key)=".utf8) + value + [UInt8(ascii: "\n")]
    }
}
