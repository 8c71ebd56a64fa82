import AICertCore
import Foundation

/// The runner's directory for its one build:
///
/// ```
/// inputs/NAME     each input once complete (file or directory), bound read-only into the sandbox
/// outputs/        bound writable at /aicert/outputs
/// staging/        uploads and downloads in progress; never seen by the job
/// sandbox/        the sandbox's /etc/passwd and /etc/group, and bubblewrap's argument file
/// job.log         the job's standard output and error
/// ```
struct Workspace: Sendable {
    let root: URL

    var inputs: URL { root.appendingPathComponent("inputs", isDirectory: true) }
    var outputs: URL { root.appendingPathComponent("outputs", isDirectory: true) }
    var staging: URL { root.appendingPathComponent("staging", isDirectory: true) }
    var sandbox: URL { root.appendingPathComponent("sandbox", isDirectory: true) }
    var log: URL { root.appendingPathComponent("job.log") }

    func input(_ name: String) -> URL { inputs.appendingPathComponent(name) }
    func staged(_ name: String) -> URL { staging.appendingPathComponent(name) }

    /// Creates the layout in `root`, which must be empty or absent, so that nothing left from
    /// another run can reach the job unmeasured.
    init(creatingAt root: URL) throws {
        self.root = root.standardizedFileURL
        let files = FileManager.default
        if files.fileExists(atPath: self.root.path) {
            let contents: [String]
            do {
                contents = try files.contentsOfDirectory(atPath: self.root.path)
            } catch {
                throw RunnerFailure(.internalError, "the workspace \(self.root.path) is not a readable directory")
            }
            guard contents.isEmpty else {
                throw RunnerFailure(
                    .internalError, "the workspace \(self.root.path) is not empty; give a new or empty directory")
            }
        }
        // 0700: the job's uid in its user namespace maps to ours, so it can use what is bound
        // in; nobody else on the machine can look.
        for directory in [self.root, inputs, outputs, staging, sandbox] {
            try files.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }
}
