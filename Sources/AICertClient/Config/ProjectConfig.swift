import AICertCore
import Foundation

/// An `aicert.yaml`: what to build, from which inputs, on which platform (docs/config.md).
public struct ProjectConfig: Hashable, Sendable {
    /// The only `version` this release reads.
    public static let currentVersion = 1

    /// A name for the project, shown in summaries.
    public var name: String
    public var platform: PlatformKind
    public var build: BuildConfig
    /// The Time-Stamping Authority asked for a token at the end of a run (`timestamp.url`).
    public var timestampURL: URL?
    /// The directory of the config file: relative input paths are resolved against it.
    public var directory: URL

    public init(
        name: String, platform: PlatformKind = .local, build: BuildConfig, timestampURL: URL? = nil, directory: URL
    ) {
        self.name = name
        self.platform = platform
        self.build = build
        self.timestampURL = timestampURL
        self.directory = directory
    }
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
}

/// Where an input's bytes come from: one case per ``InputKind``, the runner's fetchers' mirror.
public enum InputSource: Hashable, Sendable {
    /// A local file or directory, uploaded by the client: `written` as in the config (recorded
    /// in the certificate), `url` resolved against the config file's directory.
    case upload(written: String, url: URL)
    /// A repository the runner clones and checks out at a full commit id (`git+URL@COMMIT`).
    case git(url: String, commit: String)
    /// A file the runner downloads; its SHA-256 (lowercase hex) must match.
    case url(url: String, sha256: String)

    /// The build spec's kind for this source.
    public var kind: InputKind {
        switch self {
        case .upload: .upload
        case .git: .git
        case .url: .url
        }
    }
}
