import AICertCore
import Foundation
import Glibc

/// The job's sandbox: bubblewrap with every namespace new (no network, own PID space), no
/// capabilities, uid and gid 65534, a read-only root holding `/usr` and the `/lib*` and `/bin`
/// links, a minimal `/dev` (no TPM), `/proc`, a tmpfs `/tmp`, the inputs read-only under
/// `/aicert/inputs`, the outputs writable at `/aicert/outputs`, and a cleared environment.
///
/// Nothing else of the host is visible: not the workspace, the token, the runner's sockets
/// (another network namespace) nor its descriptors (``ChildProcess`` closes them all).
struct Bubblewrap: Sendable {
    static let sandboxUser = 65534
    /// The job's environment before the spec's variables; bubblewrap sets `PWD` by itself.
    static let baseEnvironment = [
        "HOME": "/tmp", "LANG": "C.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin", "PWD": "/aicert",
    ]
    /// Host directories of the system that the job may read, each bound read-only or, where the
    /// host has a link (merged /usr), recreated as the same link.
    static let systemPaths = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"]
    /// Host files of `/etc` the job may read; `passwd` and `group` are the sandbox's own.
    static let etcFiles = ["/etc/ld.so.cache", "/etc/alternatives"]

    let executable: String
    let version: String

    /// Finds `bwrap` and checks that it can make a sandbox here (user namespaces allowed),
    /// by running `/bin/true` in one laid out like a job's.
    static func locate(workspace: Workspace) async throws -> Bubblewrap {
        let candidates: [String] = ["/usr/bin/bwrap", "/usr/local/bin/bwrap", "/bin/bwrap"]
        guard let executable = candidates.first(where: { access($0, X_OK) == 0 }) else {
            throw RunnerFailure(
                .sandboxFailure, "bubblewrap (bwrap) is not installed; the runner never runs a job unsandboxed")
        }
        let probe = try await ChildProcess.run(executable, ["--version"], environment: [:], timeout: .seconds(10))
        let version =
            probe.text.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) } ?? ""
        let bubblewrap = Bubblewrap(executable: executable, version: version)
        try bubblewrap.writeIdentityFiles(in: workspace)
        let trial = try await ChildProcess.run(
            executable, bubblewrap.options(workspace: workspace, inputs: [], environment: [:]) + ["--", "/bin/true"],
            environment: ["PATH": "/usr/bin:/bin"], timeout: .seconds(30))
        guard trial.termination.status == 0 else {
            throw RunnerFailure(
                .sandboxFailure,
                "bubblewrap cannot make a sandbox on this machine (are unprivileged user namespaces disabled?): "
                    + trial.text.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return bubblewrap
    }

    /// What the `aicert/environment` event records.
    var description: [String: String] {
        [
            "sandbox": "bubblewrap",
            "bubblewrap_version": version,
            "network": "none",
            "devices": "minimal /dev (null, zero, full, random, urandom, tty, pts, shm), no TPM",
            "filesystem":
                "read-only root with /usr, /bin, /sbin, /lib*; /etc holds only passwd, group, ld.so.cache, "
                + "alternatives",
            "inputs": "read-only at /aicert/inputs/NAME",
            "outputs": "writable at /aicert/outputs",
            "scratch": "tmpfs at /tmp",
            "user": "uid \(Self.sandboxUser), gid \(Self.sandboxUser), no capabilities",
            "namespaces": "new user, pid, network, ipc, uts and cgroup namespaces",
            "environment": "cleared; "
                + Self.baseEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
                + ", then the build spec's env",
            "working_directory": "/aicert",
        ]
    }

    /// bubblewrap's options (everything before `--`) for a job given `inputs` by name.
    func options(workspace: Workspace, inputs: [String], environment: [String: String]) -> [String] {
        var options = [
            "--unshare-user", "--unshare-pid", "--unshare-net", "--unshare-ipc", "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent", "--new-session", "--cap-drop", "ALL",
            "--uid", String(Self.sandboxUser), "--gid", String(Self.sandboxUser), "--hostname", "aicert",
            "--clearenv",
        ]
        for (name, value) in Self.baseEnvironment.merging(environment, uniquingKeysWith: { $1 }).sorted(by: {
            $0.key < $1.key
        }) {
            options += ["--setenv", name, value]
        }
        for path in Self.systemPaths {
            let type = (try? FileManager.default.attributesOfItem(atPath: path))?[.type] as? FileAttributeType
            if type == .typeSymbolicLink, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path)
            {
                options += ["--symlink", target, path]
            } else if type == .typeDirectory {
                options += ["--ro-bind", path, path]
            }
        }
        options += ["--dir", "/etc"]
        for name in ["passwd", "group"] {
            options += ["--ro-bind", workspace.sandbox.appendingPathComponent(name).path, "/etc/\(name)"]
        }
        for path in Self.etcFiles { options += ["--ro-bind-try", path, path] }
        options += ["--dev", "/dev", "--proc", "/proc", "--tmpfs", "/tmp", "--dir", "/aicert/inputs"]
        for name in inputs {
            options += ["--ro-bind", workspace.input(name).path, "/aicert/inputs/\(name)"]
        }
        options += ["--bind", workspace.outputs.path, "/aicert/outputs", "--chdir", "/aicert", "--remount-ro", "/"]
        return options
    }

    /// The sandbox's `/etc/passwd` and `/etc/group`: the sandbox user only, not the host's.
    private func writeIdentityFiles(in workspace: Workspace) throws {
        let user = Self.sandboxUser
        try Data("nobody:x:\(user):\(user):nobody:/tmp:/usr/sbin/nologin\n".utf8)
            .write(to: workspace.sandbox.appendingPathComponent("passwd"))
        try Data("nogroup:x:\(user):\n".utf8).write(to: workspace.sandbox.appendingPathComponent("group"))
    }
}
