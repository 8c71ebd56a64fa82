import AICertCore
import Foundation
import Glibc

/// How a job ended.
struct JobOutcome: Hashable, Sendable {
    /// The exit code, or 128 + the signal that ended it (137 when the time limit killed it).
    let exitStatus: Int
    let durationMilliseconds: Int
    let timedOut: Bool
}

/// Runs the build's command in the sandbox: output into the job log, a time limit that kills
/// the whole sandbox (its process group, and with it bubblewrap's PID namespace).
enum SandboxedJob {
    /// Runs the job and returns once it has ended.
    ///
    /// bubblewrap reads its options from a file (descriptor 3) rather than its command line, so
    /// that the workspace's paths are not readable in the sandbox's `/proc/1/cmdline`.
    static func run(
        _ command: [String], options: [String], bubblewrap: Bubblewrap, workspace: Workspace, log: JobLog,
        timeout: Duration
    ) async throws -> JobOutcome {
        let optionsFile = workspace.sandbox.appendingPathComponent("bwrap-options")
        try Data(options.map { $0 + "\0" }.joined().utf8).write(to: optionsFile, options: [.withoutOverwriting])
        let optionsDescriptor = open(optionsFile.path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard optionsDescriptor >= 0 else {
            throw RunnerFailure(.sandboxFailure, "cannot open the sandbox options: \(String(cString: strerror(errno)))")
        }
        defer { close(optionsDescriptor) }
        let null = open("/dev/null", O_RDONLY | O_CLOEXEC)
        guard null >= 0 else {
            throw RunnerFailure(.sandboxFailure, "cannot open /dev/null: \(String(cString: strerror(errno)))")
        }
        defer { close(null) }
        let pipe = try PipeEnds.make()

        let clock = ContinuousClock()
        let start = clock.now
        let child: ChildProcess
        do {
            defer { close(pipe.write) }
            child = try ChildProcess.spawn(
                bubblewrap.executable, ["--args", "3", "--"] + command, environment: ["PATH": "/usr/bin:/bin"],
                descriptors: [0: null, 1: pipe.write, 2: pipe.write, 3: optionsDescriptor])
        } catch {
            close(pipe.read)
            throw error
        }
        let reader = PipeEnds.drain(pipe.read) { chunk in log.append(chunk) }
        let timer = Task {
            try await Task.sleep(for: timeout)
            child.killGroup()
        }
        let termination = await withTaskCancellationHandler {
            await child.wait()
        } onCancel: {
            child.killGroup()
        }
        let duration = clock.now - start
        timer.cancel()
        let timedOut = (try? await timer.value) != nil
        // Every process of the sandbox is gone with its PID namespace, so the pipe closes.
        await reader.value
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        return JobOutcome(exitStatus: termination.status, durationMilliseconds: Int(milliseconds), timedOut: timedOut)
    }
}
