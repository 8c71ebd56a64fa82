import Crypto

/// A SHA-256 value: 32 bytes, written as 64 lowercase hexadecimal digits.
///
/// Stored inline (four words, no heap allocation), so a manifest of many files stays small.
public struct SHA256Hash: Hashable, Sendable, CustomStringConvertible {
    private let word0: UInt64
    private let word1: UInt64
    private let word2: UInt64
    private let word3: UInt64

    /// The value of 32 bytes; `nil` for any other length.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 32 else { return nil }
        var words = [UInt64](repeating: 0, count: 4)
        for (index, byte) in bytes.enumerated() {
            words[index / 8] = words[index / 8] << 8 | UInt64(byte)
        }
        word0 = words[0]
        word1 = words[1]
        word2 = words[2]
        word3 = words[3]
    }

    /// The value written as 64 hexadecimal digits (either case); `nil` for anything else.
    public init?(hex: some StringProtocol) {
        guard let bytes = Hex.bytes(hex, caseInsensitive: true) else { return nil }
        self.init(bytes: bytes)
    }

    /// The value of a finished swift-crypto digest.
    public init(_ digest: SHA256Digest) {
        // A SHA256Digest always holds 32 bytes.
        var words: [UInt64] = []
        digest.withUnsafeBytes { raw in
            for start in stride(from: 0, to: 32, by: 8) {
                words.append(raw[start..<start + 8].reduce(0) { $0 << 8 | UInt64($1) })
            }
        }
        word0 = words[0]
        word1 = words[1]
        word2 = words[2]
        word3 = words[3]
    }

    /// The SHA-256 of `bytes`, in one call.
    public static func of(_ bytes: some Sequence<UInt8>) -> SHA256Hash {
        var hasher = IncrementalSHA256()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    /// The 32 bytes, most significant first.
    public var bytes: [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(32)
        for word in [word0, word1, word2, word3] {
            for shift in stride(from: 56, through: 0, by: -8) {
                result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift)))
            }
        }
        return result
    }

    /// The 64 lowercase hexadecimal digits.
    public var hex: String {
        var text: [UInt8] = []
        text.reserveCapacity(64)
        appendHex(to: &text)
        return String(decoding: text, as: UTF8.self)
    }

    /// Appends the 64 lowercase hexadecimal digits as ASCII bytes.
    func appendHex(to output: inout [UInt8]) {
        for word in [word0, word1, word2, word3] {
            for shift in stride(from: 60, through: 0, by: -4) {
                let nibble = UInt8(truncatingIfNeeded: word >> UInt64(shift)) & 0x0F
                output.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
            }
        }
    }

    public var description: String { hex }
}

/// SHA-256 of a byte stream fed as it arrives (an upload, a pipe), with a running byte count.
///
/// Memory is constant whatever the length of the stream. A value type: copying a hasher part-way
/// forks the computation. One owner at a time: it is not `Sendable`.
public struct IncrementalSHA256 {
    private var hasher = SHA256()

    /// How many bytes have been fed so far.
    public private(set) var byteCount: UInt64 = 0

    /// A hasher that has seen no bytes.
    public init() {}

    /// Feeds the next bytes of the stream.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        hasher.update(bufferPointer: bytes)
        byteCount += UInt64(bytes.count)
    }

    /// Feeds the next bytes of the stream.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The SHA-256 of every byte fed so far; the hasher can still be fed afterwards.
    public func finalize() -> SHA256Hash {
        SHA256Hash(hasher.finalize())
    }
}
