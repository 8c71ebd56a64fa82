import AICertClient
import AICertCore
import Foundation
import NIOHTTP1
import Testing

@Suite("The runner's API: tokens, conflicts, errors")
struct RunnerAPITests {
    @Test func everyEndpointButHealthAndIdentityRequiresTheToken() async throws {
        try await LiveRunner.with { runner in
            let base = runner.baseURL.absoluteString
            let health = try await RawHTTP.send(.GET, base + "/v1/health", token: nil)
            #expect(health.status == 200)
            // The identity is asked for before the TLS key is pinned, so without the token.
            let identity = try await RawHTTP.send(
                .GET, base + "/v1/identity?nonce=" + String(repeating: "ab", count: 32), token: nil)
            #expect(identity.status == 200)
            let endpoints: [(HTTPMethod, String)] = [
                (.POST, "/v1/identity"), (.POST, "/v1/build"),
                (.GET, "/v1/build"),
                (.PUT, "/v1/build/inputs/code"), (.POST, "/v1/build/start"), (.GET, "/v1/build/logs"),
                (.GET, "/v1/build/outputs"),
                (.GET, "/v1/build/outputs/model.bin"), (.POST, "/v1/build/attestation"), (.GET, "/v1/no-such-route"),
            ]
            for (method, path) in endpoints {
                for token in [nil, "wrong-token-of-some-length", runner.token + "x", ""] {
                    let answer = try await RawHTTP.send(method, base + path, token: token, body: Array("{}".utf8))
                    #expect(answer.status == 401, "\(method) \(path) with \(String(describing: token))")
                    #expect(answer.errorCode == "unauthorized")
                }
                let basic = try await RawHTTP.send(
                    method, base + path, token: nil, headers: [("Authorization", "Basic \(runner.token)")])
                #expect(basic.status == 401)
            }
            let unknown = try await RawHTTP.send(.GET, base + "/v1/no-such-route", token: runner.token)
            #expect(unknown.status == 404 && unknown.errorCode == "not_found")
            let wrongClient = runner.client(token: "not-the-token-at-all")
            let error = await #expect(throws: RunnerClientError.self) { try await wrongClient.status() }
            #expect(error?.status == 401 && error?.code == "unauthorized")
        }
    }

    @Test func aLogFollowValueOutsideTheDocumentIsRefused() async throws {
        try await LiveRunner.with { runner in
            let logs = runner.baseURL.absoluteString + "/v1/build/logs"
            for value in ["AAA", "yes", "2", ""] {
                let answer = try await RawHTTP.send(.GET, logs + "?follow=" + value, token: runner.token)
                #expect(answer.status == 400 && answer.errorCode == "invalid_request", "follow=\(value)")
            }
            let noBuild = try await RawHTTP.send(.GET, logs + "?follow=0", token: runner.token)
            #expect(noBuild.status == 404 && noBuild.errorCode == "not_found")
        }
    }

    @Test func aSecondBuildAndOutOfOrderCallsAreConflicts() async throws {
        try await LiveRunner.with { runner in
            let client = runner.client
            let noBuild = await #expect(throws: RunnerClientError.self) { try await client.status() }
            #expect(noBuild?.status == 404)
            let spec = RunnerAPI.BuildSpec(
                command: ["true"], inputs: [.upload("data", source: "data.txt")], timeoutSeconds: 10)
            _ = try await client.createBuild(spec)
            let second = await #expect(throws: RunnerClientError.self) { try await client.createBuild(spec) }
            #expect(second?.status == 409 && second?.code == "build_exists")

            let early = await #expect(throws: RunnerClientError.self) { try await client.start() }
            #expect(early?.status == 409 && early?.detail.contains("data") == true)
            let noCertificate = await #expect(throws: RunnerClientError.self) {
                try await client.attestation(nonce: Array(repeating: 0, count: 32))
            }
            #expect(noCertificate?.status == 409 && noCertificate?.code == "wrong_state")

            let file = runner.directory.appendingPathComponent("data.txt")
            try Data("data".utf8).write(to: file)
            _ = try await client.uploadInput("data", from: file)
            let again = await #expect(throws: RunnerClientError.self) {
                try await client.uploadInput("data", from: file)
            }
            #expect(again?.status == 409)
            let unknown = await #expect(throws: RunnerClientError.self) {
                try await client.uploadInput("other", from: file)
            }
            #expect(unknown?.status == 404)

            _ = try await client.start()
            let twice = await #expect(throws: RunnerClientError.self) { try await client.start() }
            #expect(twice?.status == 409)
            #expect(try await client.waitUntilEnded().state == .finished)
            let short = await #expect(throws: RunnerClientError.self) {
                try await client.attestation(nonce: [1, 2, 3])
            }
            #expect(short?.status == 400 && short?.code == "invalid_request")
            let invalid = await #expect(throws: RunnerClientError.self) { try await client.createBuild(spec) }
            #expect(invalid?.status == 409)
        }
    }

    @Test func invalidSpecsAreRefusedWithTheFieldNamed() async throws {
        try await LiveRunner.with { runner in
            let base = runner.baseURL.absoluteString
            let bodies = [
                #"not json"#,
                #"{"command": ["true"], "outputs": ["**"], "timeout_seconds": 10, "inputs": "#
                    + #"[{"name": "..", "kind": "upload", "source": "x"}]}"#,
                #"{"command": ["true"], "outputs": ["**"], "timeout_seconds": 10, "inputs": "#
                    + #"[{"name": "a/b", "kind": "upload", "source": "x"}]}"#,
                #"{"command": ["true"], "outputs": ["/etc/passwd"], "timeout_seconds": 10}"#,
            ]
            for body in bodies {
                let answer = try await RawHTTP.send(
                    .POST, base + "/v1/build", token: runner.token, body: Array(body.utf8))
                #expect(answer.status == 400 && answer.errorCode == "invalid_spec", "\(body)")
            }
            let huge = try await RawHTTP.send(
                .POST, base + "/v1/build", token: runner.token, body: [UInt8](repeating: 0x20, count: 2 << 20))
            #expect(huge.status == 413 && huge.errorCode == "too_large")
        }
    }
}
