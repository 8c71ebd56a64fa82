import AICertCore
import Foundation
import Testing

/// Manifests of trees: the documented encoding, agreement with `sha256sum`, determinism, sensitivity.
struct ManifestTests {
    /// The worked example of `docs/certificate-format.md`; its digest was computed there with
    /// Python's `json` and `hashlib`, independently of this code.
    static let exampleJSON = [
        #"{"entries":[{"path":"data/abc.bin","#,
        #""sha256":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","size":3,"type":"file"},"#,
        #"{"path":"empty","type":"dir"},"#,
        #"{"path":"hello.txt","#,
        #""sha256":"5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03","size":6,"type":"file"},"#,
        #"{"path":"latest","target":"hello.txt","type":"symlink"},"#,
        #"{"path":"naïve.txt","#,
        #""sha256":"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881","size":1,"type":"file"}],"#,
        #""version":1}"#,
    ].joined()
    static let exampleDigest = "5fdda4a3e2dbca04b4f81f39cf10c2b0c0a754805c3a2fe9ec762c51596fa118"

    static func makeExample(in tree: TemporaryTree) throws {
        try tree.write("example/hello.txt", text: "hello\n")
        try tree.write("example/data/abc.bin", text: "abc")
        try tree.write("example/naïve.txt", text: "x")
        try tree.makeDirectory("example/empty")
        try tree.makeLink("example/latest", to: "hello.txt")
    }

    @Test func workedExampleOfTheSpecificationHasTheDocumentedEncodingAndDigest() throws {
        let tree = try TemporaryTree()
        try Self.makeExample(in: tree)
        let manifest = try Manifest.measure(tree.path("example"))
        #expect(String(decoding: manifest.canonicalJSON(), as: UTF8.self) == Self.exampleJSON)
        #expect(manifest.digest.hex == Self.exampleDigest)
        #expect(manifest.digest.hex == (try sha256sumOf(Array(Self.exampleJSON.utf8))))
        #expect(manifest.totalFileBytes == 10)
    }

    @Test func directoryManifestAgreesWithSha256sum() throws {
        let tree = try TemporaryTree()
        var paths: [String] = []
        for index in 0..<40 {
            let path = "d\(index % 3)/sub\(index % 5)/file-\(index).bin"
            try tree.write("root/" + path, (0..<(index * 977)).map { UInt8(truncatingIfNeeded: $0 ^ index) })
            paths.append(path)
        }
        try tree.write("root/top level.txt", text: "spaces are fine")
        paths.append("top level.txt")
        let manifest = try Manifest.measure(tree.path("root"), options: MeasurementOptions(readSize: 4096))

        // The oracle: sha256sum over every file, and the encoding built by hand from its output.
        let listing = try runTool("/usr/bin/sha256sum", paths, in: tree.root.appendingPathComponent("root"))
        var expected: [(path: String, sha256: String, size: Int)] = []
        for line in listing.split(separator: "\n") {
            let path = String(line.dropFirst(66))
            let size = try FileManager.default.attributesOfItem(atPath: tree.path("root/" + path))[.size] as? Int
            expected.append((path, String(line.prefix(64)), try #require(size)))
        }
        expected.sort { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        let objects = expected.map {
            #"{"path":"\#($0.path)","sha256":"\#($0.sha256)","size":\#($0.size),"type":"file"}"#
        }
        let json = #"{"entries":["# + objects.joined(separator: ",") + #"],"version":1}"#

        #expect(manifest.entries.map(\.path) == expected.map(\.path))
        #expect(String(decoding: manifest.canonicalJSON(), as: UTF8.self) == json)
        #expect(manifest.digest.hex == (try sha256sumOf(Array(json.utf8))))
    }

    @Test func sameTreeGivesSameDigestWhateverCreationOrderAndConcurrency() throws {
        let files = (0..<60).map { index in
            (
                path: "dir\(index % 4)/n\(index % 7)/f\(index)",
                bytes: [UInt8](repeating: UInt8(index), count: index * 301)
            )
        }
        let forwards = try TemporaryTree()
        for file in files { try forwards.write(file.path, file.bytes) }
        try forwards.makeDirectory("dir9/empty")
        let backwards = try TemporaryTree()
        try backwards.makeDirectory("dir9/empty")
        for file in files.reversed() { try backwards.write(file.path, file.bytes) }

        let reference = try Manifest.measure(forwards.root.path, options: MeasurementOptions(concurrency: 1))
        for concurrency in [1, 2, 3, 8, 64] {
            for tree in [forwards, backwards] {
                let options = MeasurementOptions(readSize: 4096, concurrency: concurrency)
                let manifest = try Manifest.measure(tree.root.path, options: options)
                #expect(manifest == reference, "concurrency \(concurrency)")
            }
        }
        #expect(reference.entries.count == 61)
    }

    @Test func renameOneByteChangeOrAddedEmptyFileOrDirectoryChangesTheDigest() throws {
        let tree = try TemporaryTree()
        try Self.makeExample(in: tree)
        let original = try Manifest.measure(tree.path("example")).digest
        var digests: Set<SHA256Hash> = [original]

        try FileManager.default.moveItem(atPath: tree.path("example/hello.txt"), toPath: tree.path("example/hellO.txt"))
        digests.insert(try Manifest.measure(tree.path("example")).digest)
        try FileManager.default.moveItem(atPath: tree.path("example/hellO.txt"), toPath: tree.path("example/hello.txt"))
        #expect(try Manifest.measure(tree.path("example")).digest == original)

        try tree.write("example/hello.txt", text: "hellp\n")
        digests.insert(try Manifest.measure(tree.path("example")).digest)
        try tree.write("example/hello.txt", text: "hello\n")

        try tree.write("example/data/new-empty-file", [])
        digests.insert(try Manifest.measure(tree.path("example")).digest)
        try FileManager.default.removeItem(atPath: tree.path("example/data/new-empty-file"))

        try tree.makeDirectory("example/data/new-empty-dir")
        digests.insert(try Manifest.measure(tree.path("example")).digest)

        #expect(digests.count == 5)
    }

    @Test func singleFileIsOneEntryNamedAfterItsLastComponent() throws {
        let tree = try TemporaryTree()
        try Self.makeExample(in: tree)
        let manifest = try Manifest.measure(tree.path("example/data/abc.bin"))
        #expect(
            manifest.entries == [
                ManifestEntry(
                    path: "abc.bin",
                    kind: .file(FileDigest(size: 3, sha256: try #require(SHA256Hash(hex: FileDigestTests.abcDigest)))))
            ])
        // The root may be reached through a link; the entry is named as the caller named it.
        try tree.makeLink("renamed.bin", to: tree.path("example/data/abc.bin"))
        #expect(try Manifest.measure(tree.path("renamed.bin")).entries.map(\.path) == ["renamed.bin"])
    }

    @Test func emptyRootDirectoryHasNoEntries() throws {
        let tree = try TemporaryTree()
        try tree.makeDirectory("nothing")
        let manifest = try Manifest.measure(tree.path("nothing"))
        #expect(manifest.entries.isEmpty)
        #expect(String(decoding: manifest.canonicalJSON(), as: UTF8.self) == #"{"entries":[],"version":1}"#)
    }

    @Test func pathsSortByUTF8BytesNotByCharacters() throws {
        let tree = try TemporaryTree()
        for name in ["a-b", "a/b", "a.b", "B", "é", "z", "ab"] { try tree.write("root/" + name, text: name) }
        let manifest = try Manifest.measure(tree.path("root"))
        #expect(manifest.entries.map(\.path) == ["B", "a-b", "a.b", "a/b", "ab", "z", "é"])
    }

    @Test func asyncMeasurementMatchesTheBlockingOneAndReportsProgress() async throws {
        let tree = try TemporaryTree()
        try Self.makeExample(in: tree)
        try tree.write("example/big", [UInt8](repeating: 1, count: 300_000))
        let reports = ReportLog()
        let manifest = try await Manifest.measure(tree.path("example")) { reports.append($0) }
        #expect(manifest == (try Self.measureBlocking(tree.path("example"))))
        #expect(
            reports.all.last
                == MeasurementProgress(
                    bytesDone: 300_010, bytesTotal: 300_010, filesDone: 4, filesTotal: 4))
    }

    /// The blocking overload, which async code would not otherwise pick.
    static func measureBlocking(_ path: String) throws -> Manifest { try Manifest.measure(path) }

    @Test func recordedEntriesRebuildTheSameManifest() throws {
        let tree = try TemporaryTree()
        try Self.makeExample(in: tree)
        let measured = try Manifest.measure(tree.path("example"))
        #expect(try Manifest(entries: measured.entries.reversed()) == measured)
    }

    @Test func recordedEntriesThatBreakTheRulesAreRejected() throws {
        let file = ManifestEntry.Kind.file(FileDigest(size: 0, sha256: SHA256Hash.of([])))
        let cases: [(entries: [ManifestEntry], path: String)] = [
            ([ManifestEntry(path: "a", kind: file), ManifestEntry(path: "a", kind: .emptyDirectory)], "a"),
            ([ManifestEntry(path: "a", kind: file), ManifestEntry(path: "a/b", kind: file)], "a"),
            ([ManifestEntry(path: "d", kind: .emptyDirectory), ManifestEntry(path: "d/x", kind: file)], "d"),
            ([ManifestEntry(path: "/abs", kind: file)], "/abs"),
            ([ManifestEntry(path: "a//b", kind: file)], "a//b"),
            ([ManifestEntry(path: "a/../b", kind: file)], "a/../b"),
            ([ManifestEntry(path: "cafe\u{301}", kind: file)], "cafe\u{301}"),
            ([ManifestEntry(path: "line\nbreak", kind: file)], "line\nbreak"),
            ([ManifestEntry(path: "l", kind: .symlink(target: ""))], "l"),
        ]
        for (entries, path) in cases {
            let error = #expect(throws: MeasurementError.self) { try Manifest(entries: entries) }
            #expect(error?.code == .invalidManifest, "\(entries)")
            #expect(error?.path.utf8.elementsEqual(path.utf8) == true, "\(entries)")
        }
    }

    @Test func linkTargetsAreEscapedAsRFC8785Requires() throws {
        let entry = ManifestEntry(path: "l", kind: .symlink(target: #"q"b\s/€"#))
        let manifest = try Manifest(entries: [entry])
        let expected = #"{"entries":[{"path":"l","target":"q\"b\\s/€","type":"symlink"}],"version":1}"#
        #expect(String(decoding: manifest.canonicalJSON(), as: UTF8.self) == expected)
    }
}
