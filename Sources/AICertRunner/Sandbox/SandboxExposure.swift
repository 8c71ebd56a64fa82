import Foundation

/// Which host paths a job can read: the system directories and `/etc` files the sandbox binds.
/// A secret (the runner's token) must live elsewhere, or the job could read it: the job's user
/// is the runner's own user seen through a user namespace.
public enum SandboxExposure {
    /// Whether `path`, with its symbolic links resolved, is visible inside every job's sandbox.
    public static func exposes(_ path: String) -> Bool {
        let resolved = URL(fileURLWithPath: path).resolvingSymlinksInPath().path
        let exposed =
            Bubblewrap.systemPaths.map { URL(fileURLWithPath: $0).resolvingSymlinksInPath().path } + Bubblewrap.etcFiles
        return exposed.contains { resolved == $0 || resolved.hasPrefix($0 + "/") }
    }
}
