import AICertCore
import AICertRunner
import ArgumentParser

/// The bearer token from `--token-file` (see ``BearerTokenFile``), its problems as usage errors;
/// never a file the job's sandbox shows.
enum TokenFile {
    static func read(_ path: String) throws -> String {
        guard !SandboxExposure.exposes(path) else {
            throw ValidationError(
                "--token-file \(path) is under a directory every job can read; keep it elsewhere, e.g. "
                    + "/etc/aicert/token"
            )
        }
        do {
            return try BearerTokenFile.read(path)
        } catch let problem as BearerTokenFile.Problem {
            throw ValidationError("--token-file \(problem)")
        }
    }
}
