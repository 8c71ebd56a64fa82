import AICertCore
import Foundation
import Synchronization
import Testing

/// Known answers for SHA-256 of files and streams (FIPS 180-2 examples, and `sha256sum` as an oracle).
struct FileDigestTests {
    static let emptyDigest = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    static let abcDigest = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    static let twoBlockMessage = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"
    static let twoBlockDigest = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
    static let millionADigest = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"

    @Test func emptyFileHashesToTheDigestOfNoBytes() throws {
        let tree = try TemporaryTree()
        try tree.write("empty", [])
        let digest = try FileDigest(hashingFileAt: tree.path("empty"))
        #expect(digest.size == 0)
        #expect(digest.sha256.hex == Self.emptyDigest)
    }

    @Test func nistVectorsMatchForFiles() throws {
        let tree = try TemporaryTree()
        try tree.write("abc", text: "abc")
        try tree.write("two-block", text: Self.twoBlockMessage)
        try tree.write("million-a", [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000))
        #expect(try FileDigest(hashingFileAt: tree.path("abc")).sha256.hex == Self.abcDigest)
        #expect(try FileDigest(hashingFileAt: tree.path("two-block")).sha256.hex == Self.twoBlockDigest)
        // A small read size makes the million bytes cross many buffer boundaries.
        for readSize in [4096, MeasurementOptions.defaultReadSize] {
            let digest = try FileDigest(hashingFileAt: tree.path("million-a"), readSize: readSize)
            #expect(digest.sha256.hex == Self.millionADigest)
            #expect(digest.size == 1_000_000)
        }
    }

    @Test(arguments: [4096, MeasurementOptions.defaultReadSize])
    func filesAroundReadBufferBoundariesMatchSha256sum(readSize: Int) throws {
        let tree = try TemporaryTree()
        // Eight buffers and more are read ahead on a second thread: a second code path.
        var sizes: [Int] = [20 * readSize + 7]
        for chunks in [1, 2, 8, 9] {
            sizes += [chunks * readSize - 1, chunks * readSize, chunks * readSize + 1]
        }
        // Random contents, so that a chunk hashed twice or out of order changes the digest.
        let random = try #require(FileHandle(forReadingAtPath: "/dev/urandom")?.readData(ofLength: sizes.max() ?? 0))
        for size in sizes {
            try tree.write("file-\(size)", Array(random.prefix(size)))
            let digest = try FileDigest(hashingFileAt: tree.path("file-\(size)"), readSize: readSize)
            let expected = String(try runTool("/usr/bin/sha256sum", [tree.path("file-\(size)")]).prefix(64))
            #expect(digest.size == UInt64(size))
            #expect(digest.sha256.hex == expected, "size \(size), read size \(readSize)")
        }
    }

    @Test func incrementalHasherGivesTheSameDigestWhateverTheChunking() {
        let million = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        for chunk in [1, 7, 64, 65, 4096, 1_000_000] {
            var hasher = IncrementalSHA256()
            var start = 0
            while start < million.count {
                let end = min(start + chunk, million.count)
                hasher.update(Array(million[start..<end]))
                start = end
            }
            #expect(hasher.byteCount == 1_000_000)
            #expect(hasher.finalize().hex == Self.millionADigest, "chunk \(chunk)")
        }
        #expect(IncrementalSHA256().finalize().hex == Self.emptyDigest)
        #expect(SHA256Hash.of(Array("abc".utf8)).hex == Self.abcDigest)
    }

    @Test func hexRoundTripsAndRejectsMalformedText() throws {
        let value = try #require(SHA256Hash(hex: Self.abcDigest.uppercased()))
        #expect(value.hex == Self.abcDigest)
        #expect(value.bytes.count == 32)
        #expect(SHA256Hash(bytes: value.bytes) == value)
        #expect(SHA256Hash(hex: String(Self.abcDigest.dropLast())) == nil)
        #expect(SHA256Hash(hex: Self.abcDigest + "00") == nil)
        #expect(SHA256Hash(hex: "g" + Self.abcDigest.dropFirst()) == nil)
        #expect(SHA256Hash(bytes: [UInt8](repeating: 0, count: 31)) == nil)
    }

    @Test func progressReachesTheFileSize() throws {
        let tree = try TemporaryTree()
        try tree.write("data", [UInt8](repeating: 7, count: 3 * 4096 + 5))
        let reports = ReportLog()
        _ = try FileDigest(hashingFileAt: tree.path("data"), readSize: 4096) { reports.append($0) }
        let done = reports.all.map(\.bytesDone)
        #expect(done == done.sorted())
        #expect(
            reports.all.last
                == MeasurementProgress(
                    bytesDone: 3 * 4096 + 5, bytesTotal: 3 * 4096 + 5, filesDone: 1, filesTotal: 1))

        try tree.write("large", [UInt8](repeating: 9, count: 40 * 4096 + 3))
        let large = ReportLog()
        _ = try FileDigest(hashingFileAt: tree.path("large"), readSize: 4096) { large.append($0) }
        #expect(large.all.map(\.bytesDone) == large.all.map(\.bytesDone).sorted())
        #expect(large.all.count > 40)
        #expect(large.all.last?.bytesDone == 40 * 4096 + 3)
    }

    @Test func aSymbolicLinkIsNotFollowedWhenHashingOneFile() throws {
        let tree = try TemporaryTree()
        try tree.write("target", text: "abc")
        try tree.makeLink("link", to: "target")
        expectFailure(.unsupportedFileType, naming: tree.path("link")) {
            _ = try FileDigest(hashingFileAt: tree.path("link"))
        }
    }
}

/// Collects progress reports from a `@Sendable` hook.
final class ReportLog: Sendable {
    private let reports = Mutex<[MeasurementProgress]>([])

    func append(_ report: MeasurementProgress) { reports.withLock { $0.append(report) } }

    var all: [MeasurementProgress] { reports.withLock { $0 } }
}
