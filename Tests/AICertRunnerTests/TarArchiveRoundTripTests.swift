import AICertCore
import Foundation
import NIOCore
import TPMTestSupport
import Testing

@testable import AICertClient
@testable import AICertRunner

@Suite("The client's tar stream, unpacked by the runner")
struct TarArchiveRoundTripTests {
    @Test func aDirectoryArrivesWithTheManifestItHasLocally() async throws {
        let source = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-roundtrip-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: source) }
        let long = String(repeating: "nested-directory/", count: 10) + String(repeating: "n", count: 120) + ".txt"
        for (path, size) in [("small.txt", 5), ("naïve.txt", 1), ("blocks/exact.bin", 1024), (long, 700)] {
            let url = source.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data((0..<size).map { UInt8($0 % 251) }).write(to: url)
        }
        try FileManager.default.createDirectory(
            at: source.appendingPathComponent("empty/inner"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            atPath: source.appendingPathComponent("blocks/to-small").path, withDestinationPath: "../small.txt")
        try FileManager.default.createSymbolicLink(
            atPath: source.appendingPathComponent("far").path, withDestinationPath: long)

        let archive = try TarArchive(directory: source)
        var bytes: [UInt8] = []
        for try await chunk in archive { bytes += chunk.readableBytesView }
        #expect(Int64(bytes.count) == archive.length)

        let tar = source.deletingLastPathComponent().appendingPathComponent("\(UUID().uuidString).tar")
        defer { try? FileManager.default.removeItem(at: tar) }
        try Data(bytes).write(to: tar)
        let listing = try SoftwareTPM.run("/usr/bin/tar", ["-tf", tar.path])
        #expect(listing.status == 0 && listing.output.contains(long), "GNU tar reads it: \(listing.output)")

        let (manifest, root) = try TarUnpackerTests.unpack(bytes, chunk: 333)
        defer { try? FileManager.default.removeItem(at: root) }
        let expected = try await Manifest.measure(source.path)
        #expect(manifest == expected)
    }
}
