import Foundation
import Glibc
import Synchronization

/// A helper program of the local platform (swtpm, aicert-runner, swtpm_setup), started with
/// `posix_spawn` in a process group of its own, with default signal handling (our SIGINT and
/// SIGTERM handlers ignore those signals, and ignored signals would be inherited), standard
/// input from `/dev/null`, and standard output and error appended to a log file.
final class PlatformProcess: Sendable {
    let name: String
    let pid: pid_t
    let log: URL
    /// The wait status once reaped.
    private let reaped = Mutex<Int32?>(nil)

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), looked up at run time because
    /// Swift's Glibc module does not export it; without it, inherited descriptors stay open.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Starts `executable` (an absolute path) with `arguments` and exactly `environment`.
    init(_ name: String, executable: String, arguments: [String], environment: [String: String], log: URL) throws {
        self.name = name
        self.log = log
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, log.path, O_WRONLY | O_CREAT | O_APPEND, 0o600)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        if let addCloseFrom = Self.addCloseFrom { _ = addCloseFrom(&actions, 3) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, envp)
        guard result == 0 else {
            throw LocalPlatformError(name, "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        self.pid = pid
    }

    /// Whether the process is still running; reaps it if it has ended.
    var isRunning: Bool {
        reaped.withLock { status in
            guard status == nil else { return false }
            var wait: Int32 = 0
            let result = waitpid(pid, &wait, WNOHANG)
            if result == pid || (result < 0 && errno == ECHILD) {
                status = wait
                return false
            }
            return true
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
