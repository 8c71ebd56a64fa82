/// A bounds-checked, little-endian cursor over firmware event log bytes.
///
/// Every read checks the remaining length first; a short read throws a ``FirmwareLogError`` that
/// names the record and field, and leaves the cursor where it was. No read allocates more than
/// the bytes actually present.
struct LittleEndianReader {
    private let bytes: ArraySlice<UInt8>
    private var position: Int
    /// The record that errors are reported against.
    var record: Int?

    init(_ bytes: [UInt8], record: Int?) {
        self.bytes = bytes[...]
        self.position = 0
        self.record = record
    }

    /// How many bytes are left to read.
    var remaining: Int { bytes.endIndex - position }
    var isAtEnd: Bool { position == bytes.endIndex }

    /// Moves past `count` bytes without copying them.
    mutating func skip(_ count: Int, _ field: String) throws {
        guard count >= 0 else { throw error(.invalidValue, field, "negative length \(count)") }
        guard remaining >= count else { throw truncated(field, needed: count) }
        position += count
    }

    /// Reads a little-endian integer of each width (plain overloads, not one generic: a
    /// mutation test parses logs ten thousand times in debug builds).
    mutating func read(_: UInt8.Type, _ field: String) throws -> UInt8 { UInt8(try readInteger(1, field)) }
    mutating func read(_: UInt16.Type, _ field: String) throws -> UInt16 { UInt16(try readInteger(2, field)) }
    mutating func read(_: UInt32.Type, _ field: String) throws -> UInt32 { UInt32(try readInteger(4, field)) }
    mutating func read(_: UInt64.Type, _ field: String) throws -> UInt64 { try readInteger(8, field) }

    private mutating func readInteger(_ size: Int, _ field: String) throws -> UInt64 {
        guard remaining >= size else { throw truncated(field, needed: size) }
        var value: UInt64 = 0
        var index = position + size
        while index > position {
            index -= 1
            value = value << 8 | UInt64(bytes[index])
        }
        position += size
        return value
    }

    /// Reads exactly `count` bytes.
    mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
        guard count >= 0 else { throw error(.invalidValue, field, "negative length \(count)") }
        guard remaining >= count else { throw truncated(field, needed: count) }
        let slice = Array(bytes[position..<(position + count)])
        position += count
        return slice
    }

    /// Reads a length of type `T` and converts it to `Int`, refusing lengths over `limit` (and
    /// over the bytes left, when `limit` is `nil`) before anything is allocated.
    mutating func readLength<T: FixedWidthInteger & UnsignedInteger>(
        _: T.Type, limit: Int? = nil, _ field: String
    ) throws -> Int {
        let start = position
        let raw = try readInteger(MemoryLayout<T>.size, field)
        let maximum = limit ?? remaining
        guard let length = Int(exactly: raw), length <= maximum else {
            position = start
            let what = limit == nil ? "more than the \(maximum) byte(s) left" : "over the limit of \(maximum)"
            throw error(limit == nil ? .truncated : .limitExceeded, field, "\(raw) is \(what)")
        }
        return length
    }

    /// Throws unless every byte was consumed.
    func expectEnd(_ structure: String) throws {
        guard isAtEnd else {
            throw error(.trailingBytes, structure, "\(remaining) unexpected byte(s) after the structure")
        }
    }

    /// An error about `field` of the current record.
    func error(_ code: FirmwareLogError.Code, _ field: String, _ why: String) -> FirmwareLogError {
        FirmwareLogError(code, record: record, field: field, why)
    }

    private func truncated(_ field: String, needed: Int) -> FirmwareLogError {
        error(.truncated, field, "needs \(needed) byte(s) but only \(remaining) remain")
    }
}
