import AICertCore
import Foundation
import Glibc
import Synchronization

/// A helper program of the local and qemu platforms (swtpm, aicert-runner, swtpm_setup, QEMU),
/// started by ``Spawn`` in a process group of its own, with default signal handling (our SIGINT
/// and SIGTERM handlers ignore those signals, and ignored signals would be inherited), standard
/// input from `/dev/null`, and standard output and error appended to a log file.
final class PlatformProcess: Sendable {
    let name: String
    let pid: pid_t
    let log: URL
    /// The wait status once reaped.
    private let reaped = Mutex<Int32?>(nil)
    /// Called once, after the process is reaped (its pid may then be reused).
    private let whenReaped = Mutex<(@Sendable (pid_t) -> Void)?>(nil)

    /// Starts `executable` (an absolute path) with `arguments` and exactly `environment`.
    init(_ name: String, executable: String, arguments: [String], environment: [String: String], log: URL) throws {
        self.name = name
        self.log = log
        let spawn = Spawn(
            executable, arguments: arguments, environment: environment,
            descriptors: [
                0: .file("/dev/null", flags: O_RDONLY),
                1: .file(log.path, flags: O_WRONLY | O_CREAT | O_APPEND, mode: 0o600),
                2: .copy(of: 1),
            ])
        do throws(SpawnError) {
            pid = try spawn.start()
        } catch {
            throw LocalPlatformError(name, "\(error)")
        }
    }

    /// Whether the process is still running; reaps it if it has ended.
    var isRunning: Bool {
        let (running, justReaped) = reaped.withLock { status -> (Bool, Bool) in
            guard status == nil else { return (false, false) }
            var wait: Int32 = 0
            let result = waitpid(pid, &wait, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) {
                status = wait
                return (false, true)
            }
            return (true, false)
        }
        if justReaped, let handler = takeReapedHandler() { handler(pid) }
        return running
    }

    /// Calls `handler` with the pid once the process is reaped, at once if it already was.
    func onReaped(_ handler: @escaping @Sendable (pid_t) -> Void) {
        whenReaped.withLock { $0 = handler }
        if !isRunning, let handler = takeReapedHandler() { handler(pid) }
    }

    private func takeReapedHandler() -> (@Sendable (pid_t) -> Void)? {
        whenReaped.withLock { handler in
            defer { handler = nil }
            return handler
        }
    }

    /// How a process ended.
    enum Termination: Hashable, Sendable, CustomStringConvertible {
        case exited(Int32)
        case signaled(Int32)

        var description: String {
            switch self {
            case .exited(let status): "exit status \(status)"
            case .signaled(let signal): "killed by signal \(signal)"
            }
        }
    }

    /// How it ended, once it has.
    var termination: Termination? {
        guard !isRunning, let status = reaped.withLock({ $0 }) else { return nil }
        let signal = status & 0x7F
        return signal == 0 ? .exited((status >> 8) & 0xFF) : .signaled(signal)
    }

    /// Waits for the process to end, at most `timeout`; whether it ended.
    func waitForExit(timeout: Duration) -> Bool {
        let deadline = ContinuousClock.now + timeout
        while isRunning {
            guard ContinuousClock.now < deadline else { return false }
            usleep(20_000)
        }
        return true
    }

    /// Ends the process group: SIGTERM, then SIGKILL after `grace`. Does nothing once the
    /// process has ended (and been reaped), so it is safe to call more than once.
    func stop(grace: Duration = .seconds(3)) {
        guard isRunning else { return }
        kill(-pid, SIGTERM)
        if !waitForExit(timeout: grace) {
            kill(-pid, SIGKILL)
            _ = waitForExit(timeout: .seconds(10))
        }
        // Members of the group that outlive their leader go too.
        kill(-pid, SIGKILL)
    }

    /// The last `limit` bytes of the log, for error messages.
    func logTail(limit: Int = 2000) -> String {
        guard let data = try? Data(contentsOf: log) else { return "" }
        return String(decoding: data.suffix(limit), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
