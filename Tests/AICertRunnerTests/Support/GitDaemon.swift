import AICertCore
import Foundation
import Glibc
import TPMTestSupport

@testable import AICertRunner

/// A git repository with one commit, served by `git daemon` on a free loopback port.
final class GitDaemon: Sendable {
    let directory: URL
    let port: UInt16
    let commit: String
    private let daemon: ChildProcess

    /// The URL of the repository: `git://127.0.0.1:PORT/repo`.
    var url: String { "git://127.0.0.1:\(port)/repo" }

    /// Makes `repo` with `files` (path → contents) committed, then serves it.
    init(files: [String: String]) async throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-git-\(UUID().uuidString)")
        let repository = directory.appendingPathComponent("repo")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        for (path, contents) in files {
            let file = repository.appendingPathComponent(path)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(contents.utf8).write(to: file)
        }
        let environment = [
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": directory.path,
        ]
        for arguments in [["init", "--quiet", "-b", "main"], ["add", "."], ["commit", "--quiet", "-m", "data"]] {
            let result = try SoftwareTPM.run(
                "/usr/bin/git", ["-C", repository.path] + arguments, environment: environment)
            guard result.status == 0 else {
                throw SoftwareTPM.SetupError(description: "git \(arguments[0]): \(result.output)")
            }
        }
        commit = try SoftwareTPM.run(
            "/usr/bin/git", ["-C", repository.path, "rev-parse", "HEAD"], environment: environment
        )
        .output.trimmingCharacters(in: .whitespacesAndNewlines)

        let libexec = try SoftwareTPM.run("/usr/bin/git", ["--exec-path"]).output.trimmingCharacters(
            in: .whitespacesAndNewlines)
        var lastError = ""
        for _ in 0..<5 {
            guard let port = Loopback.freePort() else { continue }
            // git-daemon itself, not `git daemon`, so that the process stopped is the daemon.
            let daemon = try ChildProcess.spawn(
                libexec + "/git-daemon",
                [
                    "--export-all", "--base-path=\(directory.path)", "--listen=127.0.0.1", "--port=\(port)",
                    "--reuseaddr",
                    "--informative-errors", directory.path,
                ],
                environment: ["PATH": "/usr/bin:/bin", "HOME": directory.path], descriptors: [:])
            var listening = false
            for _ in 0..<200 where !listening {
                listening = Loopback.accepts(port)
                if !listening { usleep(20_000) }
            }
            if listening {
                self.port = port
                self.daemon = daemon
                return
            }
            daemon.killGroup()
            _ = await daemon.wait()
            lastError = "git daemon did not listen on \(port)"
        }
        throw SoftwareTPM.SetupError(description: lastError)
    }

    /// Stops the daemon (and any connection it is serving) and removes the repository.
    func stop() async {
        daemon.killGroup()
        _ = await daemon.wait()
        try? FileManager.default.removeItem(at: directory)
    }
}
