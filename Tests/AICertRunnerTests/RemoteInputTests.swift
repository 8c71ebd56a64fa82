import AICertClient
import AICertCore
import Foundation
import NIOHTTP1
import Testing

@Suite("Inputs the runner fetches itself")
struct RemoteInputTests {
    @Test func aURLInputWithTheWrongDigestFailsBeforeAnythingRunsOrIsMeasured() async throws {
        try await LoopbackFileServer.with(["weights.bin": Array("the real bytes".utf8)]) { origin in
            try await Self.failingBuild(from: origin)
        }
    }

    private static func failingBuild(from origin: LoopbackFileServer) async throws {
        try await LiveRunner.with { runner in
            let client = runner.client
            let wrong = SHA256Hash.of(Array("other bytes".utf8)).hex
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["/bin/sh", "-c", "echo RAN; touch /aicert/outputs/ran"],
                    inputs: [.url("weights", url: origin.url("weights.bin"), sha256: wrong)], timeoutSeconds: 10))
            _ = try await client.start()
            let status = try await client.waitUntilEnded()
            #expect(status.state == .failed)
            #expect(status.error?.error == "input_failed")
            #expect(status.error?.detail.contains("requires \(wrong)") == true, "\(String(describing: status.error))")
            #expect(status.startedAt == nil && status.exitStatus == nil)
            let log = try await client.logs(follow: false).reduce([], +)
            #expect(log.isEmpty)
            #expect(
                !FileManager.default.fileExists(atPath: runner.workspace.appendingPathComponent("outputs/ran").path))
            let identity = try await client.identity(nonce: Array(repeating: 3, count: 32)).identity
            #expect(identity.pcrs["sha256"]?["14"] == String(repeating: "0", count: 64))
            #expect(identity.pcrs["sha256"]?["15"] == String(repeating: "0", count: 64))

            let missing = try await RawHTTP.send(
                .GET, runner.baseURL.absoluteString + "/v1/build/outputs", token: runner.token)
            #expect(missing.status == 409)
        }
    }
}
