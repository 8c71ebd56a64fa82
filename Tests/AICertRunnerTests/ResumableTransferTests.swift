import AICertClient
import AICertCore
import Foundation
import NIOHTTP1
import Synchronization
import Testing

/// An upload whose connection breaks resumes at the bytes the runner kept, measured once: the
/// runner's manifest is the one an unbroken upload gives; a download resumes with a range at
/// the bytes written. Real TLS through a TCP proxy that drops the connection once, mid-stream.
@Suite("Resumable uploads and downloads", .timeLimit(.minutes(3)))
struct ResumableTransferTests {
    static let spec = RunnerAPI.BuildSpec(
        command: ["true"],
        inputs: [
            .init(name: "file", kind: .upload, source: "file.bin"), .init(name: "tree", kind: .upload, source: "tree"),
        ],
        outputs: ["**"], timeoutSeconds: 60)

    /// A 6 MiB file and a tree of files of several sizes, in `directory`.
    static func inputs(in directory: URL) throws -> (file: URL, tree: URL) {
        var generator = SystemRandomNumberGenerator()
        let file = directory.appendingPathComponent("file.bin")
        try Data((0..<(6 << 20)).map { _ in UInt8.random(in: 0...255, using: &generator) }).write(to: file)
        let tree = directory.appendingPathComponent("tree")
        try FileManager.default.createDirectory(
            at: tree.appendingPathComponent("sub"), withIntermediateDirectories: true)
        for (index, size) in [0, 1, 511, 512, 513, 3 << 20, 2 << 20].enumerated() {
            let name = index % 2 == 0 ? "f\(index).bin" : "sub/f\(index).bin"
            try Data((0..<size).map { byte in UInt8(truncatingIfNeeded: byte &* 31 &+ index) })
                .write(to: tree.appendingPathComponent(name))
        }
        return (file, tree)
    }

    @Test(arguments: [("file", 3 << 20), ("tree", 2 << 20), ("tree", 3 << 20 + 1000)])
    func anUploadCutMidStreamResumesAndMeasuresAsAnUnbrokenOne(input: String, cutAfter: Int) async throws {
        try await LiveRunner.with { runner in
            let (file, tree) = try Self.inputs(in: runner.directory)
            let source = input == "file" ? file : tree
            let local = try await Manifest.measure(source.path)
            let expected =
                input == "file"
                ? try Manifest(entries: local.entries.map { ManifestEntry(path: input, kind: $0.kind) }) : local
            _ = try await runner.client.createBuild(Self.spec)

            let proxy = try CuttingProxy(target: UInt16(runner.port), cutAfter: cutAfter)
            defer { proxy.stop() }
            let unpinned = RunnerClient(baseURL: URL(string: "https://127.0.0.1:\(proxy.port)")!, token: runner.token)
            let client = try unpinned.pinned(to: try #require(runner.client.pin))
            let retries = RetryLog()
            let result = try await client.uploadInput(
                input, from: source, retries: RunnerClient.Retries(attempts: 3, firstDelay: .milliseconds(50))
            ) { retries.append($0) }
            await client.close()

            #expect(proxy.cutCount == 1, "the proxy cut the upload once")
            #expect(result.manifestDigest == expected.digest.hex)
            let lines = retries.lines
            #expect(lines.contains { $0.contains("broke off") }, "\(lines)")
            let resumed = try #require(lines.first { $0.hasPrefix("resuming the upload of \(input) at byte ") })
            let offset = try #require(Int(resumed.split(separator: " ").last ?? ""))
            #expect(offset > 0, "it resumed where the runner stopped, not from the start")
            let status = try await runner.client.status()
            #expect(status.inputs.first { $0.name == input }?.state == .ready)
        }
    }

    @Test func aDownloadCutMidStreamResumesWithARangeAndHasTheMeasuredDigest() async throws {
        try await LiveRunner.with { runner in
            _ = try await runner.client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["/bin/sh", "-c", "head -c 6291456 /dev/urandom > /aicert/outputs/model.bin"], inputs: [],
                    outputs: ["model.bin"], timeoutSeconds: 60))
            _ = try await runner.client.start()
            let status = try await runner.client.waitUntilEnded()
            #expect(status.state == .finished, "\(status)")
            let manifest = try await runner.client.outputsManifest()
            guard case .file(let measured)? = manifest.entries.first?.kind else {
                Issue.record("no output file: \(manifest)")
                return
            }
            let proxy = try CuttingProxy(target: UInt16(runner.port), cutAfter: 3 << 20, direction: .toClient)
            defer { proxy.stop() }
            let client = try RunnerClient(baseURL: URL(string: "https://127.0.0.1:\(proxy.port)")!, token: runner.token)
                .pinned(to: try #require(runner.client.pin))
            let retries = RetryLog()
            let destination = runner.directory.appendingPathComponent("model.bin")
            let received = try await client.downloadOutput(
                "model.bin", to: destination, maximumSize: measured.size,
                retries: RunnerClient.Retries(attempts: 3, firstDelay: .milliseconds(50))
            ) { retries.append($0) }
            await client.close()
            #expect(proxy.cutCount == 1, "the proxy cut the download once")
            #expect(received == measured)
            #expect(try FileDigest(hashingFileAt: destination.path) == measured, "the file on disk is the measured one")
            #expect(retries.lines.contains { $0.contains("broke off after") }, "\(retries.lines)")
        }
    }

    @Test func aRangeOtherThanFromAByteOfTheFileIsRefused() async throws {
        try await LiveRunner.with { runner in
            _ = try await runner.client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["/bin/sh", "-c", "printf 12345 > /aicert/outputs/a.txt"], inputs: [],
                    outputs: ["a.txt"], timeoutSeconds: 60))
            _ = try await runner.client.start()
            _ = try await runner.client.waitUntilEnded()
            let url = runner.baseURL.absoluteString + "/v1/build/outputs/a.txt"
            let tail = try await RawHTTP.send(.GET, url, token: runner.token, headers: [("Range", "bytes=2-")])
            #expect(tail.status == 206 && String(decoding: tail.body, as: UTF8.self) == "345")
            for range in ["bytes=5-", "bytes=0-1", "bytes=-2", "items=1-", "bytes=1-,3-"] {
                let refused = try await RawHTTP.send(.GET, url, token: runner.token, headers: [("Range", range)])
                #expect(refused.status == 400 && refused.errorCode == "invalid_request", "\(range)")
            }
        }
    }

    @Test func aResumeAtAnotherOffsetThanTheRunnerKeptIsRefusedNamingIt() async throws {
        try await LiveRunner.with { runner in
            let (file, _) = try Self.inputs(in: runner.directory)
            _ = try await runner.client.createBuild(Self.spec)
            let proxy = try CuttingProxy(target: UInt16(runner.port), cutAfter: 1 << 20)
            defer { proxy.stop() }
            let client = try RunnerClient(baseURL: URL(string: "https://127.0.0.1:\(proxy.port)")!, token: runner.token)
                .pinned(to: try #require(runner.client.pin))
            await #expect(throws: RunnerClientError.self) { try await client.uploadInput("file", from: file) }
            await client.close()
            var input = try #require(try await runner.client.status().inputs.first { $0.name == "file" })
            for _ in 0..<100 where input.state == .uploading {
                try await Task.sleep(for: .milliseconds(50))
                input = try #require(try await runner.client.status().inputs.first { $0.name == "file" })
            }
            #expect(input.state == .interrupted)
            let kept = try #require(input.received)
            let error = await #expect(throws: RunnerClientError.self) {
                try await runner.client.uploadInput("file", from: file, offset: kept + 1)
            }
            #expect(error?.code == "wrong_state" && error?.detail.contains("?offset=\(kept)") == true)
            // Starting again from 0 discards what was kept, and measures the whole file.
            let result = try await runner.client.uploadInput("file", from: file, offset: 0)
            let local = try await Manifest.measure(file.path)
            #expect(result.files == 1 && result.bytes == 6 << 20)
            #expect(
                result.manifestDigest
                    == (try Manifest(entries: local.entries.map { ManifestEntry(path: "file", kind: $0.kind) }))
                    .digest.hex)
        }
    }
}

/// The retry lines a transfer reported, in order.
private final class RetryLog: Sendable {
    private let recorded = Synchronization.Mutex<[String]>([])

    func append(_ line: String) { recorded.withLock { $0.append(line) } }
    var lines: [String] { recorded.withLock { $0 } }
}
