import AICertCore
import AICertVerify
import Foundation
import TPM2

/// The `local` platform: a fresh software TPM and runner on this machine for each build,
/// laid out like an Azure vTPM so that the runner's code path is the one it has in the cloud.
///
/// Kept under `AICERT_HOME` (default `~/.aicert`) and made once: the development CA (`ca/`,
/// keys mode 0600) and a manufactured swtpm state with its EK certificates (`swtpm/`). Per
/// build, in a temporary directory: a copy of that state served by `swtpm` on free loopback
/// ports, the attestation key created and persisted at `0x81000003` with its certificate from
/// the development CA in NV `0x01C101D0`, and `aicert-runner serve` on a free loopback port
/// with a random token. Certificates from it verify only with the development root passed as
/// a trust root, and verifiers report "development platform".
public struct LocalPlatform: Platform {
    /// `AICERT_HOME`: where the development CA and the manufactured TPM state are kept.
    public let home: URL

    public init(home: URL) {
        self.home = home
    }

    public var kind: PlatformKind { .local }
    public var isDevelopment: Bool { true }

    /// `AICERT_HOME`, or `~/.aicert`.
    public static func defaultHome(environment: [String: String] = ProcessInfo.processInfo.environment) -> URL {
        if let home = environment["AICERT_HOME"], !home.isEmpty { return URL(fileURLWithPath: home) }
        return FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".aicert")
    }

    /// Starts swtpm and a runner for one build and waits until the runner answers. Until the
    /// returned platform is stopped, SIGINT, SIGTERM and SIGHUP stop both and exit the process.
    public func start(progress: @escaping @Sendable (String) -> Void) async throws -> RunningPlatform {
        progress("starting the local platform (swtpm and aicert-runner)")
        let teardown = try PlatformTeardown()
        do {
            return try await Self.start(home: home, teardown: teardown, progress: progress)
        } catch {
            teardown.release()
            throw error
        }
    }

    private static func start(home: URL, teardown: PlatformTeardown, progress: @escaping @Sendable (String) -> Void)
        async throws
        -> RunningPlatform
    {
        let files = FileManager.default
        do {
            try files.createDirectory(
                at: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw LocalPlatformError("AICERT_HOME", "cannot create \(home.path): \(error.localizedDescription)")
        }
        let caDirectory = home.appendingPathComponent("ca")
        if !files.fileExists(atPath: caDirectory.appendingPathComponent("root.pem").path) {
            progress("creating the development CA in \(caDirectory.path); this happens once")
        }
        let ca = try DevelopmentCA.loadOrCreate(in: caDirectory)
        let template = try SwtpmStateTemplate.ensure(in: home, teardown: teardown, progress: progress)

        let run = files.temporaryDirectory.appendingPathComponent("aicert-local-\(UUID().uuidString)")
        try files.createDirectory(at: run, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        teardown.adopt(directory: run)
        try files.copyItem(at: template, to: run.appendingPathComponent("state"))

        let tpmPort = try await startSwtpm(in: run, teardown: teardown)
        let tcti = "swtpm:host=127.0.0.1,port=\(tpmPort)"
        progress("software TPM on 127.0.0.1:\(tpmPort); provisioning the attestation key at 0x81000003")
        try provision(tcti: tcti, ca: ca)

        let token = Nonce.fresh().hex
        let tokenFile = run.appendingPathComponent("token")
        let intermediates = run.appendingPathComponent("ak-intermediates.pem")
        guard
            files.createFile(
                atPath: tokenFile.path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600]),
            files.createFile(atPath: intermediates.path, contents: Data(try ca.intermediate.pemString.utf8))
        else {
            throw LocalPlatformError("aicert-runner", "cannot write its token and AK intermediates in \(run.path)")
        }
        let runner = try PlatformProcess(
            "aicert-runner", executable: try HostTool.runner(),
            arguments: [
                "serve", "--tcti", tcti, "--workspace", run.appendingPathComponent("workspace").path,
                "--listen", "127.0.0.1:0", "--token-file", tokenFile.path, "--platform", "local",
                "--ak-intermediates", intermediates.path,
                // The host's firmware measured the host's TPM, not this swtpm: carry no log.
                "--firmware-log", "none",
            ],
            environment: HostTool.environment, log: run.appendingPathComponent("runner.log"))
        teardown.adopt(runner)
        let runnerPort = try await RunnerStartup.listeningPort(of: runner)
        guard let url = URL(string: "https://127.0.0.1:\(runnerPort)") else {
            throw LocalPlatformError("aicert-runner", "reported port \(runnerPort), which makes no URL")
        }
        try await RunnerStartup.waitUntilHealthy(RunnerClient(baseURL: url, token: token), runner: runner)
        progress("aicert-runner ready at \(url.absoluteString)")
        return RunningPlatform(
            kind: .local, runnerURL: url, token: token, trustRoots: [ca.root], developmentRoot: ca.root,
            teardown: teardown)
    }

    /// Starts swtpm on a free port pair, retrying when another process takes the ports first.
    private static func startSwtpm(in run: URL, teardown: PlatformTeardown) async throws -> UInt16 {
        let executable = try HostTool.path("swtpm")
        var lastFailure = ""
        for attempt in 0..<8 {
            let port = try Loopback.swtpmPorts()
            let swtpm = try PlatformProcess(
                "swtpm", executable: executable,
                arguments: Swtpm.tcpArguments(state: run.appendingPathComponent("state"), port: port),
                environment: HostTool.environment, log: run.appendingPathComponent("swtpm-\(attempt).log"))
            teardown.adopt(swtpm)
            for _ in 0..<250 where swtpm.isRunning {
                if Loopback.accepts(port) { return port }
                try await Task.sleep(for: .milliseconds(20))
            }
            swtpm.stop(grace: .zero)
            lastFailure = swtpm.logTail()
        }
        throw LocalPlatformError("swtpm", "did not start: \(lastFailure)")
    }

    /// Lays the TPM out like an Azure vTPM, then closes the connection: swtpm serves one at a
    /// time, and the runner needs it next.
    private static func provision(tcti: String, ca: DevelopmentCA) throws {
        do {
            let tpm = try TPMClient(tcti: tcti)
            try tpm.startup()
            _ = try VirtualTPMLayout.provision(tpm, ca: ca)
        } catch let error as TPM2Error {
            throw LocalPlatformError("attestation key", "cannot be provisioned in swtpm: \(error.reason)")
        }
    }
}
