import AICertClient
import AICertCore
import AICertRunner
import AICertVerify
import Foundation
import Glibc
import TPM2
import TPMTestSupport

/// A runner served in this process over real loopback TLS (or plain HTTP when asked), on a
/// swtpm laid out like an Azure vTPM by the same code the local platform uses
/// (`VirtualTPMLayout`), with a fresh CA. Its ``client`` is pinned to the runner's TLS
/// certificate, known here without asking.
final class LiveRunner: Sendable {
    let swtpm: SoftwareTPM
    let ca: DevelopmentCA
    let directory: URL
    let token: String
    let host: String
    let port: Int
    /// The runner's TLS identity, `nil` over plain HTTP.
    let tls: RunnerTLS?
    /// The runner's workspace: `workspace` under ``directory``, or where the test put it.
    let workspace: URL
    let client: RunnerClient
    private let serving: Task<Void, any Error>

    var baseURL: URL { URL(string: "\(tls == nil ? "http" : "https")://\(host):\(port)")! }
    /// Where the token lives on disk, as `aicert-runner serve --token-file` would read it.
    var tokenFile: URL { directory.appendingPathComponent("token") }

    /// Starts a runner; with `swtpm` given, on that TPM as it is (no new AK), else on a new one
    /// whose PCRs 0–9 are extended by the events of `firmwareLog` (carried in certificates);
    /// with `workspace` given, the runner works there (e.g. on a small file system).
    static func start(
        on existing: (SoftwareTPM, DevelopmentCA)? = nil, firmwareLog: URL? = nil, workspace: URL? = nil,
        transport: RunnerTransport = .tls, host: String = "127.0.0.1", port: Int = 0
    ) async throws -> LiveRunner {
        let swtpm: SoftwareTPM
        let ca: DevelopmentCA
        if let existing {
            (swtpm, ca) = existing
        } else {
            swtpm = try SoftwareTPM()
            ca = try DevelopmentCA()
            try swtpm.withClient { client in
                _ = try VirtualTPMLayout.provision(client, ca: ca)
                if let firmwareLog {
                    for event in try FirmwareEventLog(bytes: [UInt8](Data(contentsOf: firmwareLog))).events
                    where event.isExtended {
                        if let digest = event.digest(for: .sha256) { try client.extendPCR(event.pcr, digest: digest) }
                    }
                }
            }
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-runner-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let token = UUID().uuidString + UUID().uuidString
        try Data(token.utf8).write(to: directory.appendingPathComponent("token"))
        chmod(directory.appendingPathComponent("token").path, 0o600)
        var configuration = try configuration(swtpm: swtpm, ca: ca, directory: directory, token: token)
        configuration.firmwareLog = firmwareLog?.path
        configuration.transport = transport
        configuration.host = host
        configuration.port = port
        if let workspace { configuration.workspace = workspace }
        let server = try await RunnerServer.open(configuration)
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let serving = Task {
            defer { continuation.finish() }
            try await server.run { port in continuation.yield(port) }
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else {
            try await serving.value
            throw SoftwareTPM.SetupError(description: "the runner stopped before it listened")
        }
        return try LiveRunner(
            swtpm: swtpm, ca: ca, directory: directory, token: token, host: host, port: port, tls: server.tls,
            workspace: configuration.workspace, serving: serving)
    }

    /// The configuration a runner on `swtpm` uses, with its workspace under `directory`.
    static func configuration(swtpm: SoftwareTPM, ca: DevelopmentCA, directory: URL, token: String) throws
        -> RunnerConfiguration
    {
        RunnerConfiguration(
            tcti: swtpm.tcti, workspace: directory.appendingPathComponent("workspace"), port: 0, token: token,
            intermediates: [try ca.intermediate.derBytes], firmwareLog: nil)
    }

    private init(
        swtpm: SoftwareTPM, ca: DevelopmentCA, directory: URL, token: String, host: String, port: Int,
        tls: RunnerTLS?, workspace: URL, serving: Task<Void, any Error>
    ) throws {
        self.swtpm = swtpm
        self.ca = ca
        self.directory = directory
        self.token = token
        self.host = host
        self.port = port
        self.tls = tls
        self.workspace = workspace
        self.serving = serving
        let unpinned = RunnerClient(
            baseURL: URL(string: "\(tls == nil ? "http" : "https")://\(host):\(port)")!, token: token)
        client = try tls.map { try unpinned.pinned(to: RunnerPin(certificate: $0.certificate)) } ?? unpinned
    }

    /// A client with another token, over the same pinned connections.
    func client(token: String) -> RunnerClient {
        client.authorized(by: token)
    }

    /// Runs `body` with a new runner, then removes it whether `body` threw or not.
    static func with<T>(
        firmwareLog: URL? = nil, workspace: URL? = nil, transport: RunnerTransport = .tls,
        host: String = "127.0.0.1", _ body: (LiveRunner) async throws -> T
    ) async throws -> T {
        let runner = try await start(firmwareLog: firmwareLog, workspace: workspace, transport: transport, host: host)
        do {
            let result = try await body(runner)
            await runner.remove()
            return result
        } catch {
            await runner.remove()
            throw error
        }
    }

    /// Stops the server (killing a running job) and releases the TPM; the swtpm keeps running.
    func stop() async {
        serving.cancel()
        _ = try? await serving.value
    }

    /// Stops everything and removes the files.
    func remove() async {
        await stop()
        await client.close()
        swtpm.stop()
        try? FileManager.default.removeItem(at: directory)
    }
}
