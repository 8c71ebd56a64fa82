import AICertCore
import Foundation

/// Waits for a freshly started `aicert-runner serve` to listen and to answer `GET /v1/health`.
enum RunnerStartup {
    /// How long a runner may take to open its TPM, check the sandbox and listen.
    static let timeout = Duration.seconds(60)

    /// The port from the runner's `aicert-runner listening on HOST:PORT` line.
    static func listeningPort(of runner: PlatformProcess) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let log = (try? String(contentsOf: runner.log, encoding: .utf8)) ?? ""
            if let line = log.split(separator: "\n").first(where: { $0.hasPrefix("aicert-runner listening on ") }),
                let colon = line.lastIndex(of: ":"), let port = Int(line[line.index(after: colon)...]), port > 0
            {
                return port
            }
            guard runner.isRunning else {
                throw LocalPlatformError(
                    "aicert-runner",
                    "stopped before it listened (\(runner.termination.map { "\($0)" } ?? "")): \(runner.logTail())")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw LocalPlatformError("aicert-runner", "did not listen within \(timeout): \(runner.logTail())")
    }

    /// Polls the health endpoint until it answers `ok`, while `runner` (the runner, or the
    /// machine it runs in) is alive, for at most `timeout`.
    static func waitUntilHealthy(_ client: RunnerClient, runner: PlatformProcess, timeout: Duration = .seconds(10))
        async throws
    {
        var lastError = ""
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard runner.isRunning else {
                throw LocalPlatformError(runner.name, "stopped: \(runner.logTail())")
            }
            do {
                if try await client.health().status == "ok" { return }
            } catch {
                lastError = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw LocalPlatformError("aicert-runner", "does not answer GET /v1/health: \(lastError)")
    }
}
