import Foundation
import Glibc
import Synchronization

/// Programs started with `posix_spawn` and waited for with `waitpid` on their own pid.
///
/// Foundation's `Process.waitUntilExit` can spin forever on Linux when many tests start
/// processes at once (the child is left a zombie, never reaped); waiting on the pid itself
/// cannot miss the exit. Output goes to files, so a detached grandchild that keeps a pipe
/// open cannot stall the test either.
public enum Subprocess {
    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), not in Swift's Glibc module:
    /// without it a child inherits the descriptors other tests have open (a TPM connection
    /// held by a long-lived child blocks that swtpm for everyone).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// What a finished program printed and how it ended.
    public struct Result: Sendable {
        /// Exit status, or 128 + the signal that killed it.
        public let status: Int32
        public let output: String
        public let errors: String
    }

    /// A started program; `wait()` reaps it and removes its output files.
    public final class Running: Sendable {
        public let pid: pid_t
        private let scratch: URL
        private let status = Mutex<Int32?>(nil)

        fileprivate init(pid: pid_t, scratch: URL) {
            self.pid = pid
            self.scratch = scratch
        }

        /// Whether it has not exited yet (reaps it if it has).
        public var isRunning: Bool {
            status.withLock { status in
                guard status == nil else { return false }
                var wait: Int32 = 0
                guard waitpid(pid, &wait, WNOHANG) == pid else { return true }
                status = Subprocess.decode(wait)
                return false
            }
        }

        /// Blocks until it exits and returns its status and output.
        public func wait() -> Result {
            let code = status.withLock { status in
                if let status { return status }
                var wait: Int32 = 0
                while waitpid(pid, &wait, 0) == -1 && errno == EINTR {}
                status = Subprocess.decode(wait)
                return status!
            }
            defer { try? FileManager.default.removeItem(at: scratch) }
            func read(_ name: String) -> String {
                String(
                    decoding: FileManager.default.contents(atPath: scratch.appendingPathComponent(name).path) ?? Data(),
                    as: UTF8.self)
            }
            return Result(status: code, output: read("stdout"), errors: read("stderr"))
        }
    }

    /// Runs `executable` to completion (see `start`); killed after `timeoutSeconds`, which the
    /// caller sees as status 128 + SIGKILL.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: [UInt8]? = nil, timeoutSeconds: Int = 120
    ) throws -> Result {
        let running = try start(executable, arguments, environment: environment, directory: directory, input: input)
        let pid = running.pid
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(timeoutSeconds), execute: watchdog)
        let result = running.wait()
        watchdog.cancel()
        return result
    }

    /// `run` for async tests: the blocking wait happens on a thread of its own, never on the
    /// concurrency pool that an in-process server of the same test needs to answer the program.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: [UInt8]? = nil, timeoutSeconds: Int = 120
    ) async throws -> Result {
        try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(
                    with: Swift.Result {
                        try run(
                            executable, arguments, environment: environment, directory: directory, input: input,
                            timeoutSeconds: timeoutSeconds)
                    })
            }.start()
        }
    }

    /// Starts `executable` with `arguments`, `environment` (the whole environment, `nil` for
    /// ours) in `directory`, reading `input` (or nothing), with no signal blocked.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: [UInt8]? = nil
    ) throws -> Running {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let inputFile = scratch.appendingPathComponent("stdin").path
        try Data(input ?? []).write(to: URL(fileURLWithPath: inputFile))

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, inputFile, O_RDONLY, 0)
        posix_spawn_file_actions_addopen(
            &actions, 1, scratch.appendingPathComponent("stdout").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(
            &actions, 2, scratch.appendingPathComponent("stderr").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        guard let addCloseFrom, addCloseFrom(&actions, 3) == 0 else {
            try? FileManager.default.removeItem(at: scratch)
            throw SoftwareTPM.SetupError(
                description: "posix_spawn_file_actions_addclosefrom_np is missing (glibc < 2.34)")
        }

        // The test thread may have signals blocked; the child starts with none blocked.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGPIPE, SIGCHLD] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let environmentLines = (environment ?? ProcessInfo.processInfo.environment).map { "\($0.key)=\($0.value)" }
        // glibc's posix_spawn_file_actions_addchdir_np is not in Swift's Glibc module; env -C is.
        let command =
            directory.map { ["/usr/bin/env", "-C", $0.path, executable] + arguments } ?? [executable] + arguments
        let argv = command.map { strdup($0) } + [nil]
        let envp = environmentLines.map { strdup($0) } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, command[0], &actions, &attributes, argv, envp)
        guard spawned == 0 else {
            try? FileManager.default.removeItem(at: scratch)
            throw SoftwareTPM.SetupError(
                description: "cannot start \(executable): \(String(cString: strerror(spawned)))")
        }
        return Running(pid: pid, scratch: scratch)
    }

    /// The exit status, or 128 + the signal, of a `waitpid` status word.
    fileprivate static func decode(_ wait: Int32) -> Int32 {
        let signal = wait & 0x7f
        return signal == 0 ? (wait >> 8) & 0xff : 128 + signal
    }
}
