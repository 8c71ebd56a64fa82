import Foundation

/// The git commit a local directory is a clean copy of, so that the certificate can say which
/// commit an uploaded directory was.
///
/// Git runs with `--no-optional-locks`, so looking never writes to the repository (not even
/// the index's stat cache), and with a fixed, minimal environment.
enum GitWorktree {
    /// A commit and the directory's path inside it (empty for the top of the worktree).
    struct Revision: Hashable, Sendable {
        let commit: String
        let path: String

        /// `git commit <id>`, with `, <path>/` for a subdirectory: how an upload's source notes it.
        var note: String { path.isEmpty ? "git commit \(commit)" : "git commit \(commit), \(path)" }
    }

    /// HEAD's commit when nothing in `directory` differs from it: nothing modified, staged,
    /// untracked or even ignored (an ignored file would be uploaded too); otherwise `nil`.
    static func cleanRevision(of directory: URL) -> Revision? {
        guard
            let git = ["/usr/bin/git", "/usr/local/bin/git", "/bin/git"].first(
                where: FileManager.default.isExecutableFile),
            let status = run(
                git, ["status", "--porcelain", "--ignored", "--untracked-files=all", "--", "."], in: directory),
            status.isEmpty,
            let commit = run(git, ["rev-parse", "--verify", "HEAD^{commit}"], in: directory),
            [40, 64].contains(commit.utf8.count),
            let prefix = run(git, ["rev-parse", "--show-prefix"], in: directory)
        else { return nil }
        return Revision(commit: commit, path: prefix)
    }

    /// Git's trimmed standard output, or `nil` when it fails (not a worktree, no commit yet).
    private static func run(_ git: String, _ arguments: [String], in directory: URL) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: git)
        process.arguments = ["--no-optional-locks", "-C", directory.path] + arguments
        var environment = ["PATH": "/usr/bin:/bin", "LANG": "C"]
        environment["HOME"] = ProcessInfo.processInfo.environment["HOME"]
        process.environment = environment
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            return nil
        }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
