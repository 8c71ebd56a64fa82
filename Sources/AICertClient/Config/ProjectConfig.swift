import Foundation

/// An `aicert.yaml`: what to build, from which inputs, on which platform (docs/config.md).
public struct ProjectConfig: Hashable, Sendable {
    /// The only `version` this release reads.
    public static let currentVersion = 1

    /// A name for the project, shown in summaries.
    public var name: String
    public var platform: RunPlatform
    public var build: BuildConfig
    /// The directory of the config file: relative input paths are resolved against it.
    public var directory: URL

    public init(name: String, platform: RunPlatform = .local, build: BuildConfig, directory: URL) {
        self.name = name
        self.platform = platform
        self.build = build
        self.directory = directory
    }
}

/// Where a build runs: the platforms `aicert run` can start a build on (a subset of the
/// ``PlatformKind``s a certificate can sign).
public enum RunPlatform: String, Hashable, Sendable, CaseIterable {
    /// A fresh swtpm and runner on this machine, for development.
    case local
    /// A runner already running on a machine with its own TPM, reached by URL.
    case remote
    /// The AICert base image booted under QEMU with a software TPM, on this machine.
    case qemu
}

/// The `build` section: the job and what goes in and comes out.
public struct BuildConfig: Hashable, Sendable {
    /// The default time limit when `build.timeout` is absent: one hour.
    public static let defaultTimeoutSeconds = 3600

    /// The program and its arguments, run in `/aicert` inside the sandbox; no shell.
    public var command: [String]
    /// Variables added to the sandbox's clean environment.
    public var environment: [String: String]
    public var timeoutSeconds: Int
    public var inputs: [InputConfig]
    /// Glob patterns selecting outputs under `/aicert/outputs`.
    public var outputs: [String]

    public init(
        command: [String], environment: [String: String] = [:], timeoutSeconds: Int = defaultTimeoutSeconds,
        inputs: [InputConfig] = [], outputs: [String]
    ) {
        self.command = command
        self.environment = environment
        self.timeoutSeconds = timeoutSeconds
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// One named input; the job reads it at `/aicert/inputs/NAME`.
public struct InputConfig: Hashable, Sendable {
    public var name: String
    public var source: InputSource

    public init(name: String, source: InputSource) {
        self.name = name
        self.source = source
    }
}

/// Where an input's bytes come from.
public enum InputSource: Hashable, Sendable {
    /// A local file or directory, uploaded by the client: `written` as in the config (recorded
    /// in the certificate), `url` resolved against the config file's directory.
    case path(written: String, url: URL)
    /// A repository the runner clones and checks out at a full commit id (`git+URL@COMMIT`).
    case git(url: String, commit: String)
    /// A file the runner downloads; its SHA-256 (lowercase hex) must match.
    case download(url: String, sha256: String)
}
