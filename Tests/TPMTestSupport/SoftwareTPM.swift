import AICertCore
import Foundation
import Glibc
import TPM2

/// A real TPM 2.0 for tests: `swtpm` with fresh state on free loopback ports.
///
/// The state is manufactured once per test process with `swtpm_setup` (so an RSA and an ECC EK
/// certificate exist in NV, issued by a throw-away local CA) and copied for every instance, so
/// each test gets a TPM no other test has touched. ``stop()`` (or deinit) ends the process and
/// removes the state.
public final class SoftwareTPM: @unchecked Sendable {
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
        public init(description: String) { self.description = description }
    }

    public let port: UInt16
    /// The address it listens on: loopback, unless a test puts it on another interface.
    public let host: String
    public let directory: URL
    private let process: Subprocess.Running

    /// `swtpm:host=127.0.0.1,port=…`, for our client and for tpm2-tools (`TPM2TOOLS_TCTI`).
    public var tcti: String { "swtpm:host=\(host),port=\(port)" }

    /// Starts a fresh swtpm and waits until it accepts connections.
    ///
    /// Instances share one manufactured state, and so share their seeds: primary keys made
    /// from the same template are the same key on every instance. `ownSeeds` manufactures a
    /// state for this instance alone, for tests that need a genuinely different TPM.
    public init(ownSeeds: Bool = false, host: String = "127.0.0.1") throws {
        self.host = host
        let template = ownSeeds ? try Self.manufacture() : try Self.manufacturedState.get()
        defer { if ownSeeds { try? FileManager.default.removeItem(at: template) } }
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("aicert-swtpm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: template.appendingPathComponent("state"), to: directory.appendingPathComponent("state"))
        self.directory = directory

        var lastError = "no attempt"
        // Another process may take the ports between our probe and swtpm's bind: retry.
        for _ in 0..<8 {
            guard let port = Loopback.freePortPair() else {
                throw SetupError(description: "no free pair of loopback ports")
            }
            let process = try Subprocess.start(
                try Self.tool("swtpm"),
                Swtpm.tcpArguments(state: directory.appendingPathComponent("state"), port: port, host: host)
                    + ["--log", "file=\(directory.path)/swtpm.log"])
            if Self.waitUntilListening(host: host, port: port, process: process) {
                self.port = port
                self.process = process
                return
            }
            kill(process.pid, SIGKILL)
            _ = process.wait()
            lastError = (try? String(contentsOf: directory.appendingPathComponent("swtpm.log"), encoding: .utf8)) ?? ""
        }
        try? FileManager.default.removeItem(at: directory)
        throw SetupError(description: "swtpm did not start: \(lastError)")
    }

    deinit { stop() }

    /// A new connection to this TPM, started up.
    public func client() throws -> TPMClient {
        let client = try TPMClient(tcti: tcti)
        try client.startup()
        return client
    }

    /// Runs `body` with a connection that is closed when it returns. swtpm serves one
    /// connection at a time, so tpm2-tools can only reach it once ours is closed.
    public func withClient<T>(_ body: (TPMClient) throws -> T) throws -> T {
        try body(client())
    }

    /// Ends swtpm and removes its state.
    public func stop() {
        if process.isRunning {
            // SIGKILL: the state is thrown away.
            kill(process.pid, SIGKILL)
        }
        _ = process.wait()
        try? FileManager.default.removeItem(at: directory)
    }

    /// The state template and CA, made once per test process.
    private static let manufacturedState: Result<URL, any Error> = Result { try manufacture() }

    /// A new TPM state made by `swtpm_setup`, with EK certificates from a throw-away CA.
    private static func manufacture() throws -> URL {
        let root = FileManager.default.temporaryDirectory
            .appendingPathComponent("aicert-swtpm-template-\(getpid())-\(UUID().uuidString)")
        ProcessTemporaryFiles.removeAtExit(root)
        let arguments = try Swtpm.Manufacture(in: root, model: "test").prepare(localCA: try tool("swtpm_localca"))
        let result = try run(tool("swtpm_setup"), arguments)
        guard result.status == 0 else {
            throw SetupError(description: "swtpm_setup failed (\(result.status)): \(result.output)")
        }
        return root
    }

    /// The path of a tool, or an error that says which Debian package provides it.
    public static func tool(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw SetupError(description: "\(name) is not installed (apt-get install swtpm swtpm-tools tpm2-tools)")
    }

    /// Runs a program to completion (killed after `timeoutSeconds`) and returns its status and
    /// combined output.
    @discardableResult
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Int = 120
    ) throws -> (status: Int32, output: String) {
        // A tool that hangs (e.g. waiting for a TPM connection) fails the test instead of CI.
        let result = try Subprocess.run(
            executable, arguments, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            timeoutSeconds: timeoutSeconds)
        return (result.status, result.output + result.errors)
    }

    /// Runs a tpm2-tools command against this TPM.
    @discardableResult
    public func tpm2(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try Self.run(Self.tool(name), arguments, environment: ["TPM2TOOLS_TCTI": tcti])
    }

    private static func waitUntilListening(host: String, port: UInt16, process: Subprocess.Running) -> Bool {
        for _ in 0..<200 {
            guard process.isRunning else { return false }
            if let transport = try? SocketTransport(host: host, port: port) {
                _ = transport
                return true
            }
            usleep(25_000)
        }
        return false
    }
}
