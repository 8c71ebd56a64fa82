import AICertCore
import Foundation
import Glibc
import Synchronization

/// A child process started by ``Spawn``, in a process group of its own, with default signal
/// handling, and with no open descriptors but the ones it is given: the runner's TPM
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

    /// Starts `executable` (an absolute path) with `arguments` (without argv[0]) and exactly the
    /// environment `environment`. `descriptors` maps the child's descriptor numbers (0, 1, 2, …)
    /// to descriptors of ours; every other descriptor is closed in the child.
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], descriptors: [Int32: Int32]
    ) throws -> ChildProcess {
        try spawn(executable, arguments, environment: environment, sources: descriptors.mapValues { .descriptor($0) })
    }

    /// As ``spawn(_:_:environment:descriptors:)``, with descriptors that may also be files the
    /// child opens.
    static func spawn(
        _ executable: String, _ arguments: [String], environment: [String: String], sources: [Int32: Spawn.Source]
    ) throws -> ChildProcess {
        do throws(SpawnError) {
            let spawn = Spawn(executable, arguments: arguments, environment: environment, descriptors: sources)
            return ChildProcess(pid: try spawn.start())
        } catch {
            if case .setupFailed = error { throw RunnerFailure(.internalError, "\(error)") }
            throw RunnerFailure(.sandboxFailure, "\(error)")
        }
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
                continuation.resume(
                    returning: Termination(status: signal == 0 ? Int((status >> 8) & 0xFF) : 128 + Int(signal)))
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
