import AICertCore
import Foundation

/// What `aicert run` sends for a config: the build spec, and the local files and directories
/// to upload for it.
struct BuildPlan: Sendable {
    /// A local input to upload.
    struct Upload: Hashable, Sendable {
        let name: String
        let url: URL
        let isDirectory: Bool
    }

    let spec: RunnerAPI.BuildSpec
    let uploads: [Upload]

    /// The plan for `config`. A directory that is a clean copy of a git commit is recorded as
    /// such in its source (`./code (git commit 3f2a…)`); the path stays as the config writes
    /// it, so the certificate does not publish where the builder keeps their files.
    init(_ config: ProjectConfig) {
        var inputs: [RunnerAPI.BuildSpec.Input] = []
        var uploads: [Upload] = []
        for input in config.build.inputs {
            switch input.source {
            case .upload(let written, let url):
                var isDirectory: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                var source = written
                if isDirectory.boolValue, let revision = GitWorktree.cleanRevision(of: url) {
                    source += " (\(revision.note))"
                }
                inputs.append(.upload(input.name, source: source))
                uploads.append(Upload(name: input.name, url: url, isDirectory: isDirectory.boolValue))
            case .git(let url, let commit):
                inputs.append(.git(input.name, url: url, commit: commit))
            case .url(let url, let sha256):
                inputs.append(.url(input.name, url: url, sha256: sha256))
            }
        }
        spec = RunnerAPI.BuildSpec(
            command: config.build.command, env: config.build.environment, inputs: inputs, outputs: config.build.outputs,
            timeoutSeconds: config.build.timeoutSeconds)
        self.uploads = uploads
    }
}
