import AICertClient
import AICertCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing

/// Many clients at once against one live runner, over real loopback connections: the one build
/// a runner takes goes to exactly one of them, and a storm of requests leaves health and
/// identity answering. No timing is asserted, only what every request got.
@Suite("The runner under concurrent clients")
struct RunnerConcurrencyTests {
    /// Requests with a connection pool as wide as the number of clients, so that they are sent
    /// at once rather than queued behind AsyncHTTPClient's default 8 connections per host.
    private static func withClient<T>(connections: Int, _ body: (HTTPClient) async throws -> T) async throws -> T {
        // These tests probe the API, not the channel: any certificate will do.
        var configuration = HTTPClient.Configuration(certificateVerification: .none)
        // Many TLS handshakes at once on a busy machine: a connection may take a while.
        configuration.timeout = HTTPClient.Configuration.Timeout(connect: .seconds(60), read: .seconds(120))
        configuration.connectionPool = .init(
            idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    private struct Answer: Sendable {
        let status: Int
        let errorCode: String?
    }

    private static func send(
        _ client: HTTPClient, _ method: HTTPMethod, _ url: String, token: String?, body: [UInt8]? = nil
    ) async throws -> Answer {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        let response = try await client.execute(request, timeout: .seconds(120))
        let collected = try await response.body.collect(upTo: 1 << 20)
        let json = try? JSONSerialization.jsonObject(with: Data(collected.readableBytesView)) as? [String: Any]
        return Answer(status: Int(response.status.code), errorCode: json?["error"] as? String)
    }

    @Test func exactlyOneOfManySimultaneousBuildsIsCreated() async throws {
        try await LiveRunner.with { runner in
            let clients = 32
            let url = runner.baseURL.absoluteString + "/v1/build"
            let token = runner.token
            let answers = try await Self.withClient(connections: clients) { client in
                try await withThrowingTaskGroup(of: Answer.self) { group in
                    for index in 0..<clients {
                        // Each client asks for a build of its own, so the winner is visible.
                        let spec = #"{"command": ["echo", "\#(index)"], "outputs": ["out"], "timeout_seconds": 10}"#
                        group.addTask { try await Self.send(client, .POST, url, token: token, body: Array(spec.utf8)) }
                    }
                    return try await group.reduce(into: [Answer]()) { $0.append($1) }
                }
            }
            #expect(answers.count == clients)
            #expect(answers.filter { $0.status == 201 }.count == 1)
            let refused = answers.filter { $0.status == 409 && $0.errorCode == "build_exists" }
            #expect(refused.count == clients - 1)
            let status = try await runner.client.status()
            #expect(status.state == .created)
            #expect(status.command.count == 2 && status.command[0] == "echo")
        }
    }

    @Test func healthAndIdentityAnswerDuringARequestStorm() async throws {
        try await LiveRunner.with { runner in
            let base = runner.baseURL.absoluteString
            let token = runner.token
            let stormTasks = 32
            let requestsPerTask = 64
            let probes = 4
            let healthPerProbe = 100
            let identityPerProbe = 8
            // What the storm sends, round robin: cheap answers, refusals and parse failures.
            let storm: [(HTTPMethod, String, String?, [UInt8]?)] = [
                (.GET, "/v1/build", token, nil),
                (.GET, "/v1/build", "not-the-token-at-all", nil),
                (.POST, "/v1/build", token, Array(#"{"command": 1}"#.utf8)),
                (.POST, "/v1/build", token, Array("{not json".utf8)),
                (.GET, "/v1/no-such-route", token, nil),
                (.GET, "/v1/build/logs", token, nil),
                (.GET, "/v1/health", nil, nil),
            ]
            let nonce = String(repeating: "5a", count: 32)
            let (stormAnswers, health, identity) = try await Self.withClient(connections: stormTasks + probes) {
                client in
                try await withThrowingTaskGroup(of: (storm: [Int], health: [Int], identity: [Int]).self) { group in
                    for task in 0..<stormTasks {
                        group.addTask {
                            var statuses: [Int] = []
                            for index in 0..<requestsPerTask {
                                let (method, path, token, body) = storm[(task + index) % storm.count]
                                statuses.append(
                                    try await Self.send(client, method, base + path, token: token, body: body).status)
                            }
                            return (statuses, [], [])
                        }
                    }
                    for _ in 0..<probes {
                        group.addTask {
                            var health: [Int] = []
                            var identity: [Int] = []
                            for index in 0..<healthPerProbe {
                                health.append(try await Self.send(client, .GET, base + "/v1/health", token: nil).status)
                                if index % (healthPerProbe / identityPerProbe) == 0 {
                                    let url = base + "/v1/identity?nonce=" + nonce
                                    identity.append(try await Self.send(client, .GET, url, token: token).status)
                                }
                            }
                            return ([], health, identity)
                        }
                    }
                    return try await group.reduce(into: ([Int](), [Int](), [Int]())) {
                        $0.0 += $1.storm
                        $0.1 += $1.health
                        $0.2 += $1.identity
                    }
                }
            }
            #expect(stormAnswers.count == stormTasks * requestsPerTask)
            #expect(stormAnswers.allSatisfy { $0 < 500 }, "a storm request got a server error")
            #expect(Set(stormAnswers) == [200, 400, 401, 404])
            #expect(health.count == probes * healthPerProbe)
            #expect(health.allSatisfy { $0 == 200 })
            #expect(identity.count >= probes * identityPerProbe)
            #expect(identity.allSatisfy { $0 == 200 })
        }
    }
}
