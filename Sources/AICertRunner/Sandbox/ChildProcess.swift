import Foundation
import Glibc
import Synchronization

/// A child process started with `posix_spawn`, in a process group of its own, with default
/// signal handling, and with no open descriptors but the ones it is given: the runner's TPM
/// connection and listening socket are never inherited, whatever flags they were opened with.
struct ChildProcess: Sendable {
    let pid: pid_t
    /// Set, under its lock, in the same step as the child is reaped: a kill checks it under the
    /// lock, so it can never reach another process that was given the pid afterwards.
    private let reaped = SharedFlag()

    /// A flag shared by the copies of one ``ChildProcess``.
    private final class SharedFlag: Sendable {
        let value = Mutex(false)
    }

    private init(pid: pid_t) {
        self.pid = pid
    }

    /// How a child ended, as a shell reports it: the exit code, or 128 + the signal number.
    struct Termination: Hashable, Sendable {
        let status: Int
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), which Swift's Glibc module
    /// does not export; without it no child is started, rather than one that inherits descriptors.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Starts `executable` (an absolute path) with `arguments` (without argv[0]) and exactly the
    /// environment `environment`. `descriptors` maps the child's descriptor numbers (0, 1, 2, …)
    /// to descriptors of ours; every other descriptor is closed in the child.
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], descriptors: [Int32: Int32]
    ) throws -> ChildProcess {
        guard let addCloseFrom else {
            throw APIError(.sandboxFailure, "this C library cannot close inherited descriptors in a child (glibc 2.34 or later is needed)")
        }
        // Lift our descriptors above every target number first, so that no dup2 overwrites a
        // source that a later one still needs.
        let highest = (descriptors.keys.max() ?? 2) + 1
        var lifted: [(target: Int32, source: Int32)] = []
        defer { for pair in lifted { close(pair.source) } }
        for (target, source) in descriptors.sorted(by: { $0.key < $1.key }) {
            let copy = fcntl(source, F_DUPFD_CLOEXEC, highest)
            guard copy >= 0 else { throw APIError(.internalError, "dup failed: \(String(cString: strerror(errno)))") }
            lifted.append((target, copy))
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for pair in lifted { posix_spawn_file_actions_adddup2(&actions, pair.source, pair.target) }
        guard addCloseFrom(&actions, highest) == 0 else {
            throw APIError(.internalError, "posix_spawn_file_actions_addclosefrom_np failed")
        }

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

        let argv = [executable] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argv in
            withCStrings(envp) { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        }
        guard result == 0 else {
            throw APIError(.sandboxFailure, "cannot start \(executable): \(String(cString: strerror(result)))")
        }
        return ChildProcess(pid: pid)
    }

    /// Waits for the child to end, on a thread of its own so that no task blocks.
    func wait() async -> Termination {
        await withCheckedContinuation { continuation in
            let pid = self.pid
            let reaped = self.reaped
            let thread = Thread {
                // Wait for the exit without reaping, so that the pid stays ours until the flag is set.
                var info = siginfo_t()
                while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) < 0 && errno == EINTR {}
                var status: Int32 = 0
                reaped.value.withLock { isReaped in
                    while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                    isReaped = true
                }
                let signal = status & 0x7F
                continuation.resume(returning: Termination(status: signal == 0 ? Int((status >> 8) & 0xFF) : 128 + Int(signal)))
            }
            thread.name = "aicert-wait"
            thread.start()
        }
    }

    /// Kills the child's whole process group, and the child itself should it have left it;
    /// nothing once the child has been reaped.
    func killGroup() {
        reaped.value.withLock { isReaped in
            guard !isReaped else { return }
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
        }
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result) -> Result {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
