import AICertClient
import AICertCore
import AICertRunner
import AICertVerify
import Foundation
import Glibc
import TPMTestSupport
import Testing

/// Attested TLS, attacked with real processes: the built `aicert` against a runner that serves
/// TLS with a key its quotes bind, through a TLS-terminating proxy (socat), a server replaying
/// another runner's identity, a runner restarted with a new key, and a runner process in a
/// network namespace of its own reached at a non-loopback address.
@Suite("Attested TLS: the client talks only to the measured runner", .serialized, .timeLimit(.minutes(3)))
struct AttestedTLSTests {
    /// A line of training data no one but the runner may see.
    static let secret = "secret-row-\(UUID().uuidString)"

    /// A remote-platform project whose input holds ``secret``.
    static func project(for runner: LiveRunner) throws -> URL {
        let project = try RemotePlatformTests.project(for: runner)
        try Data("x,y\n\(secret),2\n".utf8).write(to: project.appendingPathComponent("data/points.csv"))
        return project
    }

    func aicert(_ arguments: [String], in project: URL, prefix: [String] = []) async throws -> Subprocess.Result {
        let binary = try BuiltBinary.path("aicert")
        let (executable, leading) = prefix.isEmpty ? (binary, []) : (prefix[0], Array(prefix.dropFirst()) + [binary])
        return try await Subprocess.run(executable, leading + arguments, directory: project, timeoutSeconds: 120)
    }

    func run(_ project: URL, url: String, runner: LiveRunner, prefix: [String] = []) async throws -> Subprocess.Result {
        try await aicert(
            [
                "run", "--runner-url", url, "--token-file", runner.tokenFile.path, "--trust-root", "runner-root.pem",
                "--output-dir", "out",
            ], in: project, prefix: prefix)
    }

    /// A self-signed P-256 certificate and key made by OpenSSL, for a server that is not the runner.
    static func otherServerCertificate(in directory: URL) throws -> (certificate: String, key: String) {
        let certificate = directory.appendingPathComponent("other-cert.pem").path
        let key = directory.appendingPathComponent("other-key.pem").path
        let made = try Subprocess.run(
            try SoftwareTPM.tool("openssl"),
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj",
                "/CN=not-the-runner", "-days", "1", "-keyout", key, "-out", certificate,
            ], timeoutSeconds: 30)
        #expect(made.status == 0, "\(made.errors)")
        return (certificate, key)
    }

    /// Starts socat listening for TLS on a free loopback port with `certificate`, running
    /// `then` (a socat address) for each connection; waits until it accepts.
    static func socat(
        listeningWith certificate: (certificate: String, key: String), then address: String, log: URL
    ) throws -> (process: Subprocess.Running, port: UInt16) {
        let port = try #require(Loopback.freePort())
        let process = try Subprocess.start(
            "/usr/bin/env",
            [
                "sh", "-c",
                "exec timeout 120 socat -v OPENSSL-LISTEN:\(port),bind=127.0.0.1,reuseaddr,fork,"
                    + "cert=\(certificate.certificate),key=\(certificate.key),verify=0 '\(address)' 2> '\(log.path)'",
            ])
        for _ in 0..<100 where !Loopback.accepts(port) { usleep(50_000) }
        #expect(Loopback.accepts(port), "socat did not listen")
        return (process, port)
    }

    static func stop(_ process: Subprocess.Running) {
        kill(process.pid, SIGTERM)
        _ = process.wait()
    }

    @Test func aProxyThatEndsTLSInFrontOfTheRunnerIsRefusedBeforeAnyInputByteOrTheToken() async throws {
        try await LiveRunner.with { runner in
            let project = try Self.project(for: runner)
            let log = runner.directory.appendingPathComponent("proxy.log")
            let proxy = try Self.socat(
                listeningWith: try Self.otherServerCertificate(in: runner.directory),
                then: "OPENSSL:127.0.0.1:\(runner.port),verify=0", log: log)
            let run = try await run(project, url: "https://127.0.0.1:\(proxy.port)", runner: runner)
            Self.stop(proxy.process)
            #expect(run.status == 3, "\(run.output)\n\(run.errors)")
            #expect(run.errors.contains("channel-binding"), "\(run.errors)")
            #expect(run.errors.contains("nothing was sent to it"), "\(run.errors)")
            let seen = try String(contentsOf: log, encoding: .utf8)
            #expect(seen.contains("GET /v1/identity"), "the proxy relayed the identity request")
            #expect(!seen.contains(Self.secret), "the proxy saw an input byte")
            #expect(!seen.contains(runner.token), "the proxy saw the token")
            #expect(!seen.contains("PUT "), "the proxy saw an upload")
            // Nothing reached the runner but the identity request: it has no build.
            await #expect(throws: RunnerClientError.self) { try await runner.client.status() }
        }
    }

    @Test func anIdentityReplayedFromAnotherRunnerIsRefused() async throws {
        try await LiveRunner.with { other in
            // The other runner's genuine identity, for a nonce of the attacker's choosing.
            let (identity, _) = try await other.client.identity(nonce: Array(repeating: 0x42, count: 32))
            let body = try JSONEncoder().encode(identity)
            let answer = other.directory.appendingPathComponent("answer.http")
            try Data(
                ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n"
                    + "Connection: close\r\n\r\n").utf8
                    + body
            ).write(to: answer)
            let log = other.directory.appendingPathComponent("replayer.log")
            let replayer = try Self.socat(
                listeningWith: try Self.otherServerCertificate(in: other.directory),
                then: "SYSTEM:cat \(answer.path)", log: log)
            let project = try Self.project(for: other)
            let run = try await run(project, url: "https://127.0.0.1:\(replayer.port)", runner: other)
            Self.stop(replayer.process)
            #expect(run.status == 3, "\(run.output)\n\(run.errors)")
            #expect(run.errors.contains("channel-binding"), "\(run.errors)")
            #expect(!(try String(contentsOf: log, encoding: .utf8)).contains(Self.secret))
        }
    }

    @Test func aRunnerRestartedWithANewKeyMidSessionIsRefused() async throws {
        let first = try await LiveRunner.start()
        let nonce = Array(repeating: UInt8(0x17), count: 32)
        let (identity, pin) = try await first.client.identity(nonce: nonce)
        let key = try #require(pin?.keyDigest)
        _ = try await IdentityVerifier.verify(
            identity, nonce: nonce, channelKeyDigest: key, trustStore: TrustStore(roots: [first.ca.root]),
            platform: .local)
        let session = first.client
        await first.stop()
        // The same TPM (PCRs still zero) and port, a new process's key.
        let second = try await LiveRunner.start(on: (first.swtpm, first.ca), port: first.port)
        #expect(second.tls?.keyDigest != key)
        let error = await #expect(throws: RunnerClientError.self) {
            _ = try await session.createBuild(
                RunnerAPI.BuildSpec(command: ["true"], inputs: [], outputs: [], timeoutSeconds: 60))
        }
        #expect(error?.code == "tls_key_changed", "\(String(describing: error))")
        await #expect(throws: RunnerClientError.self) { try await second.client.status() }
        await second.remove()
        await first.remove()
    }

    @Test func aRunnerInItsOwnNetworkNamespaceRunsTheJobAndItsCertificateNamesTheChannel() async throws {
        let namespace = try NetworkNamespace()
        defer { namespace.remove() }
        // swtpm on this side of the veth pair, the runner process inside the namespace.
        let swtpm = try SoftwareTPM(host: namespace.hostAddress)
        defer { swtpm.stop() }
        let ca = try DevelopmentCA()
        try swtpm.withClient { _ = try VirtualTPMLayout.provision($0, ca: ca) }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-netns-\(UUID())")
        defer { try? FileManager.default.removeItem(at: directory) }
        let project = directory.appendingPathComponent("project")
        try FileManager.default.createDirectory(
            at: project.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data(RemotePlatformTests.config.utf8).write(to: project.appendingPathComponent("aicert.yaml"))
        try Data("x,y\n\(Self.secret),2\n".utf8).write(to: project.appendingPathComponent("data/points.csv"))
        try Data(try ca.root.pemString.utf8).write(to: project.appendingPathComponent("runner-root.pem"))
        let intermediates = directory.appendingPathComponent("intermediates.pem")
        try Data(try ca.intermediate.pemString.utf8).write(to: intermediates)
        let token = directory.appendingPathComponent("token")
        try Data((UUID().uuidString + UUID().uuidString).utf8).write(to: token)
        chmod(token.path, 0o600)

        let runner = try Subprocess.start(
            "/usr/sbin/ip",
            [
                "netns", "exec", namespace.name, try BuiltBinary.path("aicert-runner"), "serve", "--tcti", swtpm.tcti,
                "--workspace", directory.appendingPathComponent("workspace").path, "--listen",
                "\(namespace.insideAddress):8443", "--token-file", token.path, "--platform", "remote",
                "--ak-intermediates", intermediates.path, "--firmware-log", "none",
            ])
        defer {
            kill(runner.pid, SIGTERM)
            _ = runner.wait()
        }
        let url = try #require(URL(string: "https://\(namespace.insideAddress):8443"))
        var healthy = false
        for _ in 0..<300 where runner.isRunning && !healthy {
            healthy = (try? await RunnerClient(baseURL: url, token: "").health().status) == "ok"
            if !healthy { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(healthy, "the runner in the namespace did not answer")

        let run = try await aicert(
            [
                "run", "--runner-url", url.absoluteString, "--token-file", token.path, "--trust-root",
                "runner-root.pem", "--output-dir", "out",
            ], in: project)
        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        #expect(run.errors.contains("quote binds TLS key"), "\(run.errors)")
        let certificate = try AICertificate(
            json: try Data(contentsOf: project.appendingPathComponent("out/certificate.json")))
        let (_, pin) = try await RunnerClient(baseURL: url, token: "").identity(nonce: Array(repeating: 9, count: 32))
        #expect(ChannelBinding.keyDigest(in: certificate.eventLog) == pin?.keyDigest)
        #expect(pin != nil)
    }
}

/// A network namespace joined to this one by a veth pair: this side is ``hostAddress``, the
/// namespace's side ``insideAddress``, on a /30 of its own. Needs root and iproute2.
struct NetworkNamespace {
    let name: String
    let hostAddress: String
    let insideAddress: String

    init() throws {
        let tag = String(UUID().uuidString.prefix(6)).lowercased()
        name = "aicert-\(tag)"
        let subnet = Int.random(in: 0..<64) * 4
        let third = Int.random(in: 0...255)
        hostAddress = "10.213.\(third).\(subnet + 1)"
        let inside = "10.213.\(third).\(subnet + 2)"
        insideAddress = inside
        let commands: [[String]] = [
            ["netns", "add", name],
            ["link", "add", "ach\(tag)", "type", "veth", "peer", "name", "acn\(tag)"],
            ["link", "set", "acn\(tag)", "netns", name],
            ["addr", "add", "\(hostAddress)/30", "dev", "ach\(tag)"],
            ["link", "set", "ach\(tag)", "up"],
            ["-n", name, "addr", "add", "\(inside)/30", "dev", "acn\(tag)"],
            ["-n", name, "link", "set", "acn\(tag)", "up"],
            ["-n", name, "link", "set", "lo", "up"],
        ]
        for arguments in commands {
            let result = try Subprocess.run("/usr/sbin/ip", arguments, timeoutSeconds: 10)
            guard result.status == 0 else {
                remove()
                throw SoftwareTPM.SetupError(description: "ip \(arguments.joined(separator: " ")): \(result.errors)")
            }
        }
    }

    /// Deletes the namespace, and with it the veth pair.
    func remove() {
        _ = try? Subprocess.run("/usr/sbin/ip", ["netns", "del", name], timeoutSeconds: 10)
        _ = try? Subprocess.run("/usr/sbin/ip", ["link", "del", "ach\(name.suffix(6))"], timeoutSeconds: 10)
    }
}
