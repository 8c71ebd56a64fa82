import AICertCore
import Foundation
import TPMTestSupport
import Testing

@testable import AICertClient
@testable import AICertRunner

/// A full disk under the runner's workspace or the client's output directory, made for real on
/// a small tmpfs: the failure names the disk, the runner stays healthy, and nothing already
/// written changes.
@Suite("A full disk", .serialized, .timeLimit(.minutes(3)))
struct FullDiskTests {
    /// A directory of `count` files of `size` bytes each, under `parent`.
    static func tree(_ name: String, in parent: URL, count: Int, size: Int) throws -> URL {
        let directory = parent.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for index in 0..<count {
            try Data((0..<size).map { UInt8(truncatingIfNeeded: $0 &+ index) })
                .write(to: directory.appendingPathComponent("part-\(index).bin"))
        }
        return directory
    }

    @Test func anUploadLargerThanTheDiskFailsNamingItAndKeepsWhatWasReceived() async throws {
        let disk = try SmallFileSystem(bytes: 1 << 20)
        defer { disk.unmount() }
        let workspace = disk.mountPoint.appendingPathComponent("workspace")
        try await LiveRunner.with(workspace: workspace) { runner in
            let local = runner.directory.appendingPathComponent("local")
            let code = try Self.tree("code", in: local, count: 3, size: 1000)
            let big = try Self.tree("data", in: local, count: 4, size: 400_000)
            let small = try Self.tree("small-data", in: local, count: 1, size: 1000)
            let client = runner.client
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["/bin/true"],
                    inputs: [.upload("code", source: "./code"), .upload("data", source: "./d")],
                    outputs: ["**"], timeoutSeconds: 10))
            let received = try await client.uploadInput("code", from: code)
            let free = disk.freeBytes

            let error = await #expect(throws: RunnerClientError.self) {
                try await client.uploadInput("data", from: big)
            }
            #expect(error?.status == 413 && error?.code == "too_large", "\(String(describing: error))")
            #expect(
                error?.detail.contains("no space left on the device holding \(workspace.path)/staging") == true,
                "\(String(describing: error))")

            #expect(try await client.health().status == "ok")
            let status = try await client.status()
            #expect(status.state == .created && status.inputs.map(\.state) == [.ready, .pending])
            let kept = try await Manifest.measure(workspace.appendingPathComponent("inputs/code").path)
            #expect(kept.digest.hex == received.manifestDigest, "the input received before is as it was measured")
            #expect(try FileManager.default.contentsOfDirectory(atPath: runner.workspace.path + "/staging").isEmpty)
            #expect(disk.freeBytes == free, "the abandoned upload's bytes are freed")

            let retried = try await client.uploadInput("data", from: small)
            #expect(retried.manifestDigest == (try await Manifest.measure(small.path)).digest.hex)
        }
    }

    @Test func aJobThatFillsTheDiskFailsTheBuildNamingIt() async throws {
        let disk = try SmallFileSystem(bytes: 1 << 20)
        defer { disk.unmount() }
        let workspace = disk.mountPoint.appendingPathComponent("workspace")
        try await LiveRunner.with(workspace: workspace) { runner in
            let client = runner.client
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    // The log line is written before the disk fills (after, there is no room for it).
                    command: [
                        "/bin/sh", "-c", "echo writing; sleep 1; head -c 4000000 /dev/zero > /aicert/outputs/model.bin",
                    ],
                    outputs: ["**"], timeoutSeconds: 30))
            _ = try await client.start()
            let status = try await client.waitUntilEnded()
            #expect(status.state == .failed)
            #expect(status.error?.error == "outputs_failed", "\(String(describing: status.error))")
            #expect(
                status.error?.detail.contains("no space left on the device holding \(workspace.path)/outputs") == true,
                "\(String(describing: status.error))")
            #expect(try await client.health().status == "ok")
            await #expect(throws: RunnerClientError.self) { try await client.outputsManifest() }
            let log = try await client.logs(follow: false).reduce([], +)
            #expect(String(decoding: log, as: UTF8.self).hasPrefix("writing\n"), "the job's log is kept")
        }
    }

    @Test func aGitInputLargerThanTheDiskFailsTheBuildNamingIt() async throws {
        // Random hexadecimal text: git's compression halves it, which still leaves 1.5 MB.
        var random = SplitMix64(seed: 22)
        let text = (0..<(3 << 20) / 16).map { _ in String(random.next(), radix: 16) }.joined()
        let repository = try await GitDaemon(files: ["weights.txt": text])
        let disk = try SmallFileSystem(bytes: 1 << 20)
        defer { disk.unmount() }
        do {
            try await Self.failingClone(of: repository, workspace: disk.mountPoint.appendingPathComponent("workspace"))
            await repository.stop()
        } catch {
            await repository.stop()
            throw error
        }
    }

    private static func failingClone(of repository: GitDaemon, workspace: URL) async throws {
        try await LiveRunner.with(workspace: workspace) { runner in
            let client = runner.client
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["/bin/true"], inputs: [.git("weights", url: repository.url, commit: repository.commit)],
                    outputs: ["**"], timeoutSeconds: 10))
            _ = try await client.start()
            let status = try await client.waitUntilEnded()
            #expect(status.state == .failed && status.error?.error == "input_failed")
            #expect(
                status.error?.detail.contains("no space left on the device holding \(workspace.path)/staging") == true,
                "\(String(describing: status.error))")
            #expect(try await client.health().status == "ok")
            let identity = try await client.identity(nonce: Array(repeating: 5, count: 32)).identity
            #expect(identity.pcrs["sha256"]?["14"] == String(repeating: "0", count: 64), "nothing was measured")
        }
    }

    @Test func outputsLargerThanTheDiskAreRefusedBeforeAByteIsWritten() async throws {
        let disk = try SmallFileSystem(bytes: 256 << 10)
        defer { disk.unmount() }
        let directory = OutputDirectory(path: disk.mountPoint.appendingPathComponent("out").path)
        try directory.prepare()
        let manifest = try Manifest(entries: [
            ManifestEntry(path: "model.bin", kind: .file(FileDigest(size: 1 << 20, sha256: SHA256Hash.of([]))))
        ])
        // Nothing listens there: the download must fail before it asks.
        let client = RunnerClient(baseURL: URL(string: "http://127.0.0.1:9")!, token: "unused")
        let staging = directory.stagingForOutputs()
        defer { try? FileManager.default.removeItem(at: staging) }
        let error = await #expect(throws: RunFailure.self) {
            try await OutputDownload.download(manifest, with: client, into: staging, display: ProgressDisplay())
        }
        #expect(error?.kind == .platform && error?.kind.exitStatus == 3)
        #expect(
            error?.reason.contains("no space left on the device holding \(directory.url.path)") == true,
            "\(String(describing: error))")
        #expect(try FileManager.default.contentsOfDirectory(atPath: staging.path).isEmpty)
    }
}
