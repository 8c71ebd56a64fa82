/// The ustar header layout (POSIX.1-1988) that the client writes and the runner reads: one
/// home for the block size, the field offsets, the checksum and the padding.
public enum Ustar {
    /// Headers and data come in blocks of this many bytes.
    public static let blockSize = 512

    /// A header field and the bytes it spans in the block.
    public enum Field {
        case name, mode, uid, gid, size, mtime, checksum, typeflag, linkName, magic, prefix

        /// The field's bytes in a header block.
        public var range: Range<Int> {
            switch self {
            case .name: 0..<100
            case .mode: 100..<108
            case .uid: 108..<116
            case .gid: 116..<124
            case .size: 124..<136
            case .mtime: 136..<148
            case .checksum: 148..<156
            case .typeflag: 156..<157
            case .linkName: 157..<257
            case .magic: 257..<263
            case .prefix: 345..<500
            }
        }
    }

    /// The header checksum: the sum of the block's bytes with the checksum field read as spaces.
    public static func checksum(of block: some Collection<UInt8>) -> UInt64 {
        var sum: UInt64 = 0
        for (index, byte) in block.enumerated() {
            sum += Field.checksum.range.contains(index) ? 0x20 : UInt64(byte)
        }
        return sum
    }

    /// How many zero bytes follow `size` bytes of data to reach a block boundary.
    public static func padding(_ size: UInt64) -> Int {
        Int((UInt64(blockSize) - size % UInt64(blockSize)) % UInt64(blockSize))
    }
}
