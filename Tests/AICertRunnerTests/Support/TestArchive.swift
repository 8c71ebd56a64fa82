/// Tar archives written entry by entry, hostile ones included, for the upload tests.
struct TestArchive {
    private(set) var bytes: [UInt8] = []

    /// Adds an entry with any type flag, path and link name; `data` follows the header.
    mutating func add(_ path: String, type: Character = "0", data: [UInt8] = [], link: String = "") {
        bytes += Self.header(
            path: Array(path.utf8), type: UInt8(ascii: type.unicodeScalars.first!), size: data.count,
            link: Array(link.utf8))
        bytes += data + [UInt8](repeating: 0, count: (512 - data.count % 512) % 512)
    }

    mutating func file(_ path: String, _ text: String) { add(path, data: Array(text.utf8)) }

    /// The archive with its end marker.
    var finished: [UInt8] { bytes + [UInt8](repeating: 0, count: 1024) }

    static func header(path: [UInt8], type: UInt8, size: Int, link: [UInt8]) -> [UInt8] {
        var block = [UInt8](repeating: 0, count: 512)
        func put(_ field: [UInt8], _ offset: Int) {
            for (index, byte) in field.enumerated() { block[offset + index] = byte }
        }
        func octal(_ value: Int, _ width: Int) -> [UInt8] {
            let digits = String(value, radix: 8)
            return Array((String(repeating: "0", count: width - 1 - digits.count) + digits).utf8) + [0]
        }
        put(Array(path.prefix(100)), 0)
        put(octal(0o644, 8), 100)
        put(octal(0, 8), 108)
        put(octal(0, 8), 116)
        put(octal(size, 12), 124)
        put(octal(0, 12), 136)
        put([UInt8](repeating: 0x20, count: 8), 148)
        block[156] = type
        put(Array(link.prefix(100)), 157)
        put(Array("ustar\u{0}00".utf8), 257)
        put(octal(block.reduce(0) { $0 + Int($1) }, 7) + [0x20], 148)
        return block
    }
}
