/// A big-endian writer of TPM wire bytes.
///
/// Structures write themselves with ``TPMSerializable/encode(into:)``; ``TPMSerializable/tpmEncoded``
/// is the whole encoding at once.
public struct TPMWriter: Sendable {
    /// The bytes written so far.
    public private(set) var bytes: [UInt8] = []

    /// An empty writer.
    public init() {}

    /// Appends an unsigned integer, big-endian, in its full width.
    public mutating func write<T: FixedWidthInteger & UnsignedInteger>(_ value: T) {
        for shift in stride(from: (MemoryLayout<T>.size - 1) * 8, through: 0, by: -8) {
            bytes.append(UInt8(truncatingIfNeeded: value >> shift))
        }
    }

    /// Appends bytes as they are, without a size.
    public mutating func write(bytes other: some Collection<UInt8>) {
        bytes.append(contentsOf: other)
    }

    /// Writes a TPM2B: the UINT16 size, then the bytes. Callers keep sizes within the structure's
    /// maximum; a buffer over 65,535 bytes cannot be represented and is a programming error.
    public mutating func writeSized(_ other: some Collection<UInt8>) {
        precondition(other.count <= Int(UInt16.max), "TPM2B larger than 65535 bytes")
        write(UInt16(other.count))
        bytes.append(contentsOf: other)
    }

    /// Writes a value as a TPM2B of its own encoding.
    public mutating func writeSized(_ value: some TPMSerializable) {
        writeSized(value.tpmEncoded)
    }

    /// Appends a value's own encoding, without a size.
    public mutating func write(_ value: some TPMSerializable) {
        value.encode(into: &self)
    }

    /// Writes a TPML: the UINT32 count, then each value's own encoding.
    public mutating func writeList(_ values: [some TPMSerializable]) {
        write(UInt32(values.count))
        for value in values { write(value) }
    }
}

/// A value that can be written as TPM wire bytes.
public protocol TPMSerializable: Sendable {
    /// Appends the wire encoding of the value to `writer`.
    func encode(into writer: inout TPMWriter)
}

extension TPMSerializable {
    /// The value's wire encoding.
    public var tpmEncoded: [UInt8] {
        var writer = TPMWriter()
        encode(into: &writer)
        return writer.bytes
    }
}

/// A value that round-trips through TPM wire bytes.
public typealias TPMCodable = TPMParseable & TPMSerializable
