/// A bounds-checked, big-endian cursor over TPM wire bytes.
///
/// Every read checks the remaining length first; a short read throws and leaves the cursor
/// where it was. Nothing is ever indexed past the end, and no read allocates more than the
/// bytes actually present.
///
/// Structures read themselves with ``TPMParseable/init(from:)``; ``TPMParseable/init(tpmEncoded:)``
/// reads a whole buffer and refuses trailing bytes. Every error names the field, e.g.
/// `TPMS_ATTEST.extraData: size 80 exceeds the maximum 66`.
public struct TPMReader: Sendable {
    private let bytes: [UInt8]
    private var position: Int
    private let end: Int

    /// A cursor at the start of `bytes`.
    public init(_ bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
        self.position = 0
        self.end = self.bytes.count
    }

    /// How many bytes are left to read.
    public var remaining: Int { end - position }
    /// Whether every byte has been read.
    public var isAtEnd: Bool { position == end }

    /// Reads a big-endian integer, or throws naming `field` when the bytes run out.
    public mutating func read<T: FixedWidthInteger & UnsignedInteger>(_: T.Type, _ field: String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else { throw TPM2Error.truncated(field) }
        var value: T = 0
        for index in position..<(position + size) {
            value = (value << 8) | T(bytes[index])
        }
        position += size
        return value
    }

    /// Reads exactly `count` bytes.
    public mutating func readBytes(_ count: Int, _ field: String) throws -> [UInt8] {
        guard count >= 0 else { throw TPM2Error.invalid(field, "negative length \(count)") }
        guard remaining >= count else { throw TPM2Error.truncated(field) }
        let slice = Array(bytes[position..<(position + count)])
        position += count
        return slice
    }

    /// Reads a TPM2B: a UINT16 size then that many bytes, refusing sizes over `max`.
    ///
    /// - Parameters:
    ///   - max: The largest size the structure allows, from ``TPMLimits``.
    ///   - field: The structure and field, for the error message.
    public mutating func readSized(max: Int, _ field: String) throws -> [UInt8] {
        let start = position
        let size = Int(try read(UInt16.self, "\(field).size"))
        guard size <= max else {
            position = start
            throw TPM2Error.tooLarge(field, size: size, max: max)
        }
        do {
            return try readBytes(size, field)
        } catch {
            position = start
            throw error
        }
    }

    /// Reads a TPM2B and parses its contents as `T`, which must consume them whole.
    public mutating func readSized<T: TPMParseable>(_: T.Type, max: Int, _ field: String) throws -> T {
        let inner = try readSized(max: max, field)
        return try T(tpmEncoded: inner)
    }

    /// Reads a list count, refusing counts over `max` before anything is allocated.
    public mutating func readCount(max: Int, _ field: String) throws -> Int {
        let count = Int(try read(UInt32.self, "\(field).count"))
        guard count <= max else { throw TPM2Error.tooLarge("\(field).count", size: count, max: max) }
        return count
    }

    /// Reads a TPML: the count, refused over `max` before anything is allocated, then that many
    /// values of `T`.
    public mutating func readList<T: TPMParseable>(of _: T.Type, max: Int, _ field: String) throws -> [T] {
        let count = try readCount(max: max, field)
        var values: [T] = []
        for _ in 0..<count { values.append(try T(from: &self)) }
        return values
    }

    /// Throws unless every byte was consumed.
    public func expectEnd(_ structure: String) throws {
        guard isAtEnd else {
            throw TPM2Error(.trailingBytes, "\(structure): \(remaining) unexpected byte(s) after the structure")
        }
    }
}

/// A value that can be read from TPM wire bytes.
public protocol TPMParseable: Sendable {
    /// Reads one value from the cursor, advancing it past the value.
    init(from reader: inout TPMReader) throws
}

extension TPMParseable {
    /// Parses a whole buffer as one value; trailing bytes are an error.
    public init(tpmEncoded bytes: some Sequence<UInt8>) throws {
        var reader = TPMReader(bytes)
        self = try Self(from: &reader)
        try reader.expectEnd(String(describing: Self.self))
    }
}
