import AICertCore
import Foundation
import NIOCore
import TPMTestSupport
import Testing

@testable import AICertClient
@testable import AICertRunner

/// Seeded mutations of real archives (`Tests/Fuzz/Corpus/tar/`: the client's own tar stream,
/// GNU tar's gnu, pax and ustar formats, edge cases) unpacked by the runner: every refusal is an
/// ``ArchiveError`` or a ``RunnerFailure``, nothing traps, and an accepted archive leaves exactly
/// the tree its manifest describes, inside the destination, with every link resolving inside it.
@Suite("Uploaded archives, fuzzed", .timeLimit(.minutes(3)))
struct TarUnpackerFuzzTests {
    static let executions = 20_000
    static let target = "tar"
    /// Small limits, so that a mutated size or count is refused early instead of waited for.
    static let limits = RunnerLimits(inputBytes: 1 << 20, archiveEntries: 64)
    /// Tokens of the ustar layout that byte changes rarely make.
    static let dictionary: [[UInt8]] = {
        let texts: [String] = [
            "ustar\0", "ustar ", "00", "../", "/", "./", "path=", "linkpath=", "size=", " ", "\n", "0000644\0",
            "././@LongLink", "0", "1", "2", "3", "5", "6", "7", "x", "g", "L", "K", "S",
        ]
        let zeros: [[UInt8]] = [[0], [UInt8](repeating: 0, count: 512)]
        return texts.map { Array($0.utf8) } + zeros
    }()

    /// Where the trees are unpacked: in memory (`/dev/shm`) where there is such a file system,
    /// since 20,000 trees made and removed on a disk take several times as long; else the
    /// temporary directory.
    static var scratch: URL {
        var isDirectory: ObjCBool = false
        let memory =
            FileManager.default.fileExists(atPath: "/dev/shm", isDirectory: &isDirectory) && isDirectory.boolValue
        return memory ? URL(fileURLWithPath: "/dev/shm") : FileManager.default.temporaryDirectory
    }

    @Test func mutatedArchivesAreRefusedWithTypedErrorsOrUnpackInsideTheirDirectory() throws {
        let parent = Self.scratch.appendingPathComponent("aicert-tar-fuzz-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: parent, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(at: parent) }
        let root = parent.appendingPathComponent("tree")
        let loop = MutationLoop(
            corpus: try FuzzCorpus(Self.target), executions: Self.executions, seed: 0x7A2_0022,
            dictionary: Self.dictionary, maximumLength: 64 << 10)
        let figures = loop.run { archive in
            defer { try? FileManager.default.removeItem(at: root) }
            return Self.unpacks(archive, into: root)
        }
        #expect(figures.seedsWithWrongVerdict.isEmpty, "seeds accepted or refused against their names")
        #expect(figures.accepted > figures.seedsAccepted, "no mutant was accepted")
        #expect(try FileManager.default.contentsOfDirectory(atPath: parent.path).isEmpty)
    }

    /// Whether the runner accepts `archive`, unpacked into `root` in pieces of a size taken from
    /// the archive's length; records an issue for an untyped error or a broken invariant.
    static func unpacks(_ archive: [UInt8], into root: URL) -> Bool {
        let manifest: Manifest
        do {
            let unpacker = try TarUnpacker(path: root.path, limits: limits)
            let chunk = archive.count % 700 + 1
            var offset = 0
            while offset < archive.count {
                let end = min(offset + chunk, archive.count)
                try archive[offset..<end].withUnsafeBytes { try unpacker.consume($0) }
                offset = end
            }
            manifest = try unpacker.finish()
        } catch is ArchiveError, is RunnerFailure {
            return false
        } catch {
            Issue.record("\(error) is not a typed refusal, for \(MutationLoop.hex(archive))")
            return false
        }
        checkContained(manifest, root: root, archive: archive)
        return true
    }

    /// The tree on disk is the manifest, nothing was made beside the root, and every link that
    /// resolves stays under the root.
    static func checkContained(_ manifest: Manifest, root: URL, archive: [UInt8]) {
        #expect(
            (try? Manifest.measure(root.path)) == manifest, "the tree is not its manifest: \(MutationLoop.hex(archive))"
        )
        let beside = (try? FileManager.default.contentsOfDirectory(atPath: root.deletingLastPathComponent().path)) ?? []
        #expect(beside == [root.lastPathComponent], "made beside the root: \(beside), for \(MutationLoop.hex(archive))")
        guard let resolvedRoot = realpath(root.path, nil) else { return }
        let base = String(cString: resolvedRoot)
        free(resolvedRoot)
        for entry in manifest.entries {
            guard case .symlink = entry.kind, let resolved = realpath(root.appendingPathComponent(entry.path).path, nil)
            else { continue }
            let target = String(cString: resolved)
            free(resolved)
            #expect(
                target == base || target.hasPrefix(base + "/"),
                "\(entry.path) resolves to \(target): \(MutationLoop.hex(archive))")
        }
    }

    /// Writes the corpus, when asked to with `AICERT_WRITE_FUZZ_CORPUS` (`scripts/make-fuzz-corpus`).
    @Test(.enabled(if: FuzzCorpus.isWriting))
    func realArchivesMakeTheCorpus() async throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-tar-seed-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: source) }
        // Past 100 bytes, yet splittable into ustar's prefix and name: a GNU long name, a pax path.
        let long = "directory-" + String(repeating: "d", count: 30) + "/" + String(repeating: "n", count: 90) + ".txt"
        for (path, size) in [("a.txt", 6), ("sub/b.bin", 600), ("sub/empty.txt", 0), (long, 3)] {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((0..<size).map { UInt8(ascii: "a") + UInt8($0 % 26) }).write(to: url)
        }
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: source.appendingPathComponent("sub/link").path, withDestinationPath: "../a.txt")

        var client: [UInt8] = []
        for try await chunk in try TarArchive(directory: source) { client += chunk.readableBytesView }
        try FuzzCorpus.write(client, as: "client-tree.tar", target: Self.target)
        for format in ["gnu", "pax", "ustar"] {
            let tar = source.deletingLastPathComponent().appendingPathComponent("\(UUID().uuidString).tar")
            defer { try? FileManager.default.removeItem(at: tar) }
            let arguments = [
                "--format=\(format)", "--blocking-factor=1", "--mtime=@0", "--owner=0", "--group=0", "--numeric-owner",
            ]
            let result = try SoftwareTPM.run(
                "/usr/bin/tar", arguments + ["--sort=name", "-C", source.path, "-cf", tar.path, "."])
            try #require(result.status == 0, "\(result.output)")
            try FuzzCorpus.write(Array(try Data(contentsOf: tar)), as: "gnu-tar-\(format).tar", target: Self.target)
        }
        let end = [UInt8](repeating: 0, count: 2 * Ustar.blockSize)
        try FuzzCorpus.write(end, as: "empty.tar", target: Self.target)
        let file = TarEncoding.header(path: "only.txt", type: .file, size: 3) + TarEncoding.padded(Array("abc".utf8))
        try FuzzCorpus.write(file + end, as: "one-file.tar", target: Self.target)
        let escape =
            TarEncoding.header(path: "up", type: .symbolicLink, linkTarget: "..")
            + TarEncoding.header(path: "up/x.txt", type: .file, size: 1) + TarEncoding.padded([1])
        try FuzzCorpus.write(escape + end, as: "reject-write-through-link.tar", target: Self.target)
        let dotdot = TarEncoding.header(path: "a/../../x.txt", type: .file, size: 1) + TarEncoding.padded([1])
        try FuzzCorpus.write(dotdot + end, as: "reject-dotdot.tar", target: Self.target)
    }
}
