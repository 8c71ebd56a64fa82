import AICertCore
import Foundation
import Glibc

/// Clones a `git` input with the `git` command (an argument array, never a shell), checks out
/// the spec's full commit id, and measures the worktree without its `.git` directory.
///
/// git runs with no system or user configuration, no hooks, no templates, no prompts, and only
/// the http, https and git protocols (never `file` or `ext`), outside the sandbox but with no
/// descriptor of the runner's.
struct GitFetcher: InputFetcher {
    /// The longest a clone may take.
    static let timeout = Duration.seconds(1800)

    /// The full commit id the spec pins.
    let commit: String

    func fetch(_ input: InputSpec, to path: String, context: FetchContext) async throws -> FetchedInput {
        let name = input.name
        let home = context.scratch + "/.git-home"
        let candidates: [String] = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"]
        guard let git = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw RunnerFailure(.inputFailed, "input '\(name)': git is not installed on the runner")
        }
        try FileManager.default.createDirectory(
            atPath: home, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let environment = [
            "PATH": "/usr/bin:/bin", "HOME": home, "LC_ALL": "C", "GIT_CONFIG_NOSYSTEM": "1",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_TERMINAL_PROMPT": "0", "GIT_ALLOW_PROTOCOL": "http:https:git",
        ]
        let safety = [
            "-c", "protocol.file.allow=never", "-c", "core.hooksPath=/dev/null", "-c", "core.fsmonitor=false",
        ]
        let staging = context.scratch
        try await Self.run(
            git, safety + ["clone", "--quiet", "--no-checkout", "--template=", "--", input.source, path], environment,
            name, "clone", staging: staging)
        try await Self.run(
            git,
            ["-C", path] + safety + [
                "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit, "--",
            ],
            environment, name, "checkout of \(commit)", staging: staging)
        let head = try await Self.run(
            git, ["-C", path] + safety + ["rev-parse", "--verify", "HEAD^{commit}"], environment, name, "rev-parse",
            staging: staging)
        guard head.trimmingCharacters(in: .whitespacesAndNewlines) == commit else {
            throw RunnerFailure(.inputFailed, "input '\(name)': the checkout is at \(head), not \(commit)")
        }
        try FileManager.default.removeItem(atPath: path + "/.git")
        let manifest: Manifest
        do {
            manifest = try await Manifest.measure(path)
        } catch let error as MeasurementError {
            throw RunnerFailure(.inputFailed, "input '\(name)': the worktree cannot be measured: \(error.reason)")
        }
        guard manifest.totalFileBytes <= UInt64(context.limit) else {
            throw RunnerFailure(
                .tooLarge, "input '\(name)': the worktree holds more than the limit of \(context.limit) bytes")
        }
        return FetchedInput(manifest: manifest, commit: commit)
    }

    /// Runs one git command; a failure names the input and the step, and a full disk under
    /// `staging` says so.
    @discardableResult
    private static func run(
        _ git: String, _ arguments: [String], _ environment: [String: String], _ name: String, _ step: String,
        staging: String
    ) async throws -> String {
        let output = try await ChildProcess.run(git, arguments, environment: environment, timeout: timeout)
        guard output.termination.status == 0 else {
            let why = output.timedOut ? "took longer than \(timeout)" : "failed (status \(output.termination.status))"
            let text = output.text.trimmingCharacters(in: .whitespacesAndNewlines)
            // git removes a clone that failed, so the disk is no longer full when it exits; its
            // message (LC_ALL=C) carries strerror's words for the write that failed.
            if [ENOSPC, EDQUOT].contains(where: { text.contains(String(cString: strerror($0))) }) {
                throw RunnerFailure.diskFull(.inputFailed, "input '\(name)': git \(step) \(why)", in: staging)
            }
            throw RunnerFailure(.inputFailed, "input '\(name)': git \(step) \(why): \(text)")
        }
        return output.text
    }
}
