import AICertClient
import AICertCore
import Foundation
import NIOHTTP1
import Testing

@Suite("No path from a request leaves the workspace")
struct PathTraversalTests {
    @Test func inputNamesInTheURLAreChecked() async throws {
        try await LiveRunner.with { runner in
            let base = runner.baseURL.absoluteString
            _ = try await runner.client.createBuild(
                RunnerAPI.BuildSpec(command: ["true"], inputs: [.upload("code", source: "x")], timeoutSeconds: 10))
            for name in ["..%2F..%2Fescape", "%2e%2e", "..", "code%00", "a%2Fb"] {
                let answer = try await RawHTTP.send(
                    .PUT, base + "/v1/build/inputs/\(name)", token: runner.token, body: Array("x".utf8))
                #expect((400..<500).contains(answer.status), "\(name): \(answer.status)")
            }
            #expect(!FileManager.default.fileExists(atPath: runner.directory.appendingPathComponent("escape").path))
            #expect(
                try FileManager.default.contentsOfDirectory(
                    atPath: runner.workspace.appendingPathComponent("inputs").path
                ).isEmpty)
        }
    }

    @Test func hostileArchivesAreRefusedAndTheInputCanBeSentAgain() async throws {
        try await LiveRunner.with { runner in
            let url = runner.baseURL.absoluteString + "/v1/build/inputs/code"
            _ = try await runner.client.createBuild(
                RunnerAPI.BuildSpec(command: ["true"], inputs: [.upload("code", source: "x")], timeoutSeconds: 10))
            var archives: [(String, TestArchive)] = []
            for path in ["../escape.txt", "/tmp/escape.txt", "a/../../escape.txt"] {
                var archive = TestArchive()
                archive.file(path, "x")
                archives.append((path, archive))
            }
            for (name, type, link) in [
                ("up", "2", "../../escape"), ("abs", "2", "/etc/passwd"), ("hard", "1", "a.txt"), ("dev", "3", ""),
            ] {
                var archive = TestArchive()
                archive.file("a.txt", "a")
                archive.add(name, type: Character(type), link: link)
                archives.append((name, archive))
            }
            var through = TestArchive()
            through.add("link", type: "2", link: ".")
            through.file("link/x.txt", "x")
            archives.append(("through a link", through))
            for (label, archive) in archives {
                let answer = try await RawHTTP.send(
                    .PUT, url, token: runner.token, body: archive.finished, contentType: "application/x-tar")
                #expect(
                    answer.status == 400 && answer.errorCode == "invalid_input",
                    "\(label): \(String(decoding: answer.body, as: UTF8.self))")
            }
            #expect(!FileManager.default.fileExists(atPath: runner.directory.appendingPathComponent("escape.txt").path))
            #expect(!FileManager.default.fileExists(atPath: "/tmp/escape.txt"))
            var good = TestArchive()
            good.file("a.txt", "a")
            let accepted = try await RawHTTP.send(
                .PUT, url, token: runner.token, body: good.finished, contentType: "application/x-tar")
            #expect(accepted.status == 201)
        }
    }

    @Test func outputPathsAreCheckedAndLinksAreNeverFollowed() async throws {
        try await LiveRunner.with { runner in
            let client = runner.client
            let script =
                "echo model > /aicert/outputs/model.bin; ln -s /etc/passwd /aicert/outputs/passwd; ln -s / "
                + "/aicert/outputs/root"
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(command: ["/bin/sh", "-c", script], timeoutSeconds: 10))
            _ = try await client.start()
            #expect(try await client.waitUntilEnded().state == .finished)
            let manifest = try await client.outputsManifest()
            #expect(manifest.entries.map(\.path) == ["model.bin", "passwd", "root"])
            #expect(manifest.entries[1].kind == .symlink(target: "/etc/passwd"))

            let base = runner.baseURL.absoluteString + "/v1/build/outputs/"
            for path in [
                "../job.log", "%2e%2e/job.log", "..%2Fjob.log", "passwd", "root/etc/passwd", "model.bin/..",
                "./model.bin", "%00",
            ] {
                let answer = try await RawHTTP.send(.GET, base + path, token: runner.token)
                #expect(
                    (400..<500).contains(answer.status),
                    "\(path): \(answer.status) \(String(decoding: answer.body, as: UTF8.self))")
                #expect(!String(decoding: answer.body, as: UTF8.self).contains("root:"))
            }
            let model = try await RawHTTP.send(.GET, base + "model.bin", token: runner.token)
            #expect(model.status == 200 && model.body == Data("model\n".utf8))
        }
    }
}
