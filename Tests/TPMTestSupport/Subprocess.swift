import AICertCore
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
    /// ours) in `directory`, reading `input` (or nothing), as ``Spawn`` starts every child: no
    /// signal blocked (the test thread may have some blocked) and no descriptor of ours.
    public static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, directory: URL? = nil,
        input: [UInt8]? = nil
    ) throws -> Running {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-subprocess-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        let inputFile = scratch.appendingPathComponent("stdin").path
        try Data(input ?? []).write(to: URL(fileURLWithPath: inputFile))

        // glibc's posix_spawn_file_actions_addchdir_np is not in Swift's Glibc module; env -C is.
        let command =
            directory.map { ["/usr/bin/env", "-C", $0.path, executable] + arguments } ?? [executable] + arguments
        func output(_ name: String) -> Spawn.Source {
            .file(scratch.appendingPathComponent(name).path, flags: O_WRONLY | O_CREAT | O_TRUNC, mode: 0o600)
        }
        // Left in our process group: tests signal the program itself, never a group.
        let spawn = Spawn(
            command[0], arguments: Array(command.dropFirst()),
            environment: environment ?? ProcessInfo.processInfo.environment,
            descriptors: [0: .file(inputFile, flags: O_RDONLY), 1: output("stdout"), 2: output("stderr")],
            newProcessGroup: false)
        do {
            return Running(pid: try spawn.start(), scratch: scratch)
        } catch {
            try? FileManager.default.removeItem(at: scratch)
            throw SoftwareTPM.SetupError(description: error.description)
        }
    }

    /// The exit status, or 128 + the signal, of a `waitpid` status word.
    fileprivate static func decode(_ wait: Int32) -> Int32 {
        let signal = wait & 0x7f
        return signal == 0 ? (wait >> 8) & 0xff : 128 + signal
    }
}
