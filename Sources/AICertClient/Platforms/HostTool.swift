import Foundation

/// The programs of the host that the local platform runs, and the environment they get.
enum HostTool {
    /// The path of `name` in the system's directories, or an error that says what to install.
    static func path(_ name: String) throws -> String {
        for directory in ["/usr/bin", "/usr/local/bin", "/bin", "/usr/sbin"] {
            let path = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw LocalPlatformError(
            name,
            "is not installed; the local platform needs swtpm, swtpm-tools and bubblewrap "
                + "(apt-get install swtpm swtpm-tools bubblewrap)"
        )
    }

    /// `aicert-runner`, installed next to this `aicert`.
    static func runner() throws -> String {
        let executable = (Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0]))
            .resolvingSymlinksInPath()
        let runner = executable.deletingLastPathComponent().appendingPathComponent("aicert-runner").path
        guard FileManager.default.isExecutableFile(atPath: runner) else {
            throw LocalPlatformError(
                "aicert-runner", "not found at \(runner); install it next to aicert (swift build builds both)")
        }
        return runner
    }

    /// What the helpers inherit: a search path, a home and a locale, nothing else of ours.
    static var environment: [String: String] {
        let ours = ProcessInfo.processInfo.environment
        var environment = ["PATH": ours["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8"]
        for name in ["HOME", "TMPDIR"] { environment[name] = ours[name] }
        return environment
    }
}
