import AICertCore
import Foundation
import TPMTestSupport
import Testing

@testable import AICertRunner

@Suite("Unpacking uploaded tar archives")
struct TarUnpackerTests {
    /// Unpacks `archive` fed in pieces of `chunk` bytes into a new directory, removed when the
    /// test process exits; returns the manifest.
    static func unpack(_ archive: [UInt8], chunk: Int = 4096, limits: RunnerLimits = RunnerLimits()) throws -> (
        Manifest, URL
    ) {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-tar-\(UUID().uuidString)")
        ProcessTemporaryFiles.removeAtExit(root)
        let unpacker = try TarUnpacker(path: root.path, limits: limits)
        var offset = 0
        while offset < archive.count {
            let end = min(offset + chunk, archive.count)
            try archive[offset..<end].withUnsafeBytes { try unpacker.consume($0) }
            offset = end
        }
        return (try unpacker.finish(), root)
    }

    @Test(arguments: [1, 7, 512, 100_000])
    func archivesOfGNUTarUnpackToTheManifestOfTheirDirectory(chunk: Int) throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-tar-src-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: source) }
        let long = String(repeating: "long-directory-name/", count: 8) + "file-with-a-name-past-one-hundred-bytes.txt"
        for (path, text) in ["a.txt": "alpha\n", "sub/b.bin": String(repeating: "b", count: 1500), long: "deep\n"] {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: url)
        }
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: source.appendingPathComponent("sub/link").path, withDestinationPath: "../a.txt")
        let expected = try Manifest.measure(source.path)
        // GNU: long names as 'L' entries; pax: as extended headers; ustar: split into prefix and name.
        for format in ["gnu", "pax", "ustar"] {
            let tar = source.deletingLastPathComponent().appendingPathComponent("\(UUID().uuidString).tar")
            defer { try? FileManager.default.removeItem(at: tar) }
            let result = try SoftwareTPM.run(
                "/usr/bin/tar", ["--format=\(format)", "-C", source.path, "-cf", tar.path, "."])
            try #require(result.status == 0, "\(result.output)")
            let (manifest, root) = try Self.unpack(Array(try Data(contentsOf: tar)), chunk: chunk)
            defer { try? FileManager.default.removeItem(at: root) }
            #expect(manifest == expected, "format \(format)")
            #expect(manifest.digest == expected.digest)
            #expect(try Manifest.measure(root.path) == expected)
        }
    }

    @Test(arguments: [
        ("../evil.txt", "'..' component"),
        ("/etc/evil.txt", "absolute path"),
        ("a/../../evil.txt", "'..' component"),
        ("a//b.txt", "empty component"),
    ])
    func pathsThatLeaveTheTreeAreRefused(path: String, reason: String) throws {
        var archive = TestArchive()
        archive.file(path, "x")
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(archive.finished) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("outside", "../../secret", "leads outside"),
        ("absolute", "/etc/passwd", "absolute"),
        ("sub/up", "../..", "leads outside"),
    ])
    func symbolicLinksThatLeaveTheTreeAreRefused(link: String, target: String, reason: String) throws {
        var archive = TestArchive()
        archive.add("sub", type: "5")
        archive.add(link, type: "2", link: target)
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(archive.finished) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func aChainOfLinksThatLeavesTheTreeIsRefused() throws {
        var archive = TestArchive()
        archive.add("sub/self", type: "2", link: "..")
        archive.add("escape", type: "2", link: "sub/self/..")
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(archive.finished) }
        #expect(error?.reason.contains("escape -> sub/self/..") == true, "\(String(describing: error))")
    }

    @Test func linksInsideTheTreeAreKeptAndNeverWrittenThrough() throws {
        var archive = TestArchive()
        archive.file("data/a.txt", "a")
        archive.add("alias", type: "2", link: "data")
        let (manifest, root) = try Self.unpack(archive.finished)
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(manifest.entries.map(\.path) == ["alias", "data/a.txt"])

        var through = TestArchive()
        through.add("alias", type: "2", link: "data")
        through.file("alias/b.txt", "written through a link")
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(through.finished) }
        #expect(error?.reason.contains("alias is not a directory") == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        ("1", "hard link"), ("3", "device or FIFO"), ("4", "device or FIFO"), ("6", "device or FIFO"),
        ("S", "unsupported"),
    ])
    func specialEntriesAreRefused(type: Character, reason: String) throws {
        var archive = TestArchive()
        archive.file("target.txt", "t")
        archive.add("special", type: type, link: "target.txt")
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(archive.finished) }
        #expect(error?.reason.contains(reason) == true, "\(String(describing: error))")
    }

    @Test func duplicatesTruncationAndCorruptionAreRefused() throws {
        var twice = TestArchive()
        twice.file("a.txt", "1")
        twice.file("a.txt", "2")
        #expect(throws: ArchiveError.self) { try Self.unpack(twice.finished) }

        var whole = TestArchive()
        whole.file("a.txt", String(repeating: "z", count: 2000))
        let complete = whole.finished
        for cut in [100, 512, 1000, complete.count - 1024, complete.count - 1] {
            #expect(throws: ArchiveError.self) { try Self.unpack(Array(complete.prefix(cut))) }
        }
        var corrupted = complete
        corrupted[10] ^= 1
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(corrupted) }
        #expect(error?.reason.contains("checksum") == true)
        #expect(throws: ArchiveError.self) { try Self.unpack(complete + [1] + [UInt8](repeating: 0, count: 511)) }
    }

    @Test func limitsOnEntriesAndBytesAreEnforced() throws {
        var many = TestArchive()
        for index in 0..<5 { many.file("f\(index)", "x") }
        let entries = #expect(throws: ArchiveError.self) {
            try Self.unpack(many.finished, limits: RunnerLimits(archiveEntries: 4))
        }
        #expect(entries?.reason.contains("more than 4 entries") == true)
        let bytes = #expect(throws: ArchiveError.self) {
            try Self.unpack(many.finished, limits: RunnerLimits(inputBytes: 3))
        }
        #expect(bytes?.reason.contains("more than 3 bytes") == true)
    }

    /// A pax record whose declared length is near Int.max is an error, not an overflow trap
    /// that would take the whole runner down.
    @Test func aPaxRecordLengthNearIntMaxIsRefused() throws {
        var archive = TestArchive()
        archive.add("pax", type: "x", data: Array("6 a=b\n9223372036854775807 c=d\n".utf8))
        archive.file("a.txt", "a")
        let error = #expect(throws: ArchiveError.self) { try Self.unpack(archive.finished) }
        #expect(error?.reason.contains("malformed pax") == true, "\(String(describing: error))")
    }

    /// Path limits apply before the file system is touched, and implied directories count
    /// against the entry limit: a small archive cannot make a deep or wide tree of directories.
    @Test func deepAndWideDirectoryTreesAreRefusedBeforeTheyAreMade() throws {
        let deep = String(repeating: "a/", count: 2100) + "f"
        var tooDeep = TestArchive()
        tooDeep.add("pax", type: "x", data: Self.paxRecord("path", deep))
        tooDeep.file("placeholder", "x")
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-tar-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let unpacker = try TarUnpacker(path: root.path, limits: RunnerLimits())
        let error = #expect(throws: ArchiveError.self) {
            try tooDeep.finished.withUnsafeBytes { try unpacker.consume($0) }
        }
        #expect(error?.reason.contains("more than 4096") == true, "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root.path).isEmpty, "no directory was made")

        var wide = TestArchive()
        for index in 0..<3 { wide.file("d\(index)/e/f/g", "x") }
        let directories = #expect(throws: ArchiveError.self) {
            try Self.unpack(wide.finished, limits: RunnerLimits(archiveEntries: 8))
        }
        #expect(directories?.reason.contains("more than 8 directories") == true, "\(String(describing: directories))")
    }

    /// `LENGTH key=value\n` with LENGTH counting itself.
    static func paxRecord(_ key: String, _ value: String) -> [UInt8] {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).count + body.utf8.count != length { length += 1 }
        return Array("\(length)\(body)".utf8)
    }
}
