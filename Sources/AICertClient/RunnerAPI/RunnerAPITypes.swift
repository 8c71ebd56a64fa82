import AICertCore

/// A build spec as `POST /v1/build` takes it (docs/runner-api.yaml, `BuildSpec`).
public struct RunnerBuildSpec: Hashable, Sendable, Codable {
    /// One input: `upload` (sent with ``RunnerClient/uploadInput(_:from:)``), `git` (a
    /// repository URL and a full commit id) or `url` (an http(s) URL and its SHA-256).
    public struct Input: Hashable, Sendable, Codable {
        public var name: String
        public var kind: String
        public var source: String
        public var sha256: String?
        public var commit: String?

        public static func upload(_ name: String, source: String) -> Input {
            Input(name: name, kind: "upload", source: source)
        }

        public static func git(_ name: String, url: String, commit: String) -> Input {
            Input(name: name, kind: "git", source: url, commit: commit)
        }

        public static func url(_ name: String, url: String, sha256: String) -> Input {
            Input(name: name, kind: "url", source: url, sha256: sha256)
        }

        public init(name: String, kind: String, source: String, sha256: String? = nil, commit: String? = nil) {
            self.name = name
            self.kind = kind
            self.source = source
            self.sha256 = sha256
            self.commit = commit
        }
    }

    public var command: [String]
    public var env: [String: String]
    public var inputs: [Input]
    public var outputs: [String]
    public var timeoutSeconds: Int

    enum CodingKeys: String, CodingKey {
        case command, env, inputs, outputs
        case timeoutSeconds = "timeout_seconds"
    }

    public init(command: [String], env: [String: String] = [:], inputs: [Input] = [], outputs: [String] = ["**"], timeoutSeconds: Int) {
        self.command = command
        self.env = env
        self.inputs = inputs
        self.outputs = outputs
        self.timeoutSeconds = timeoutSeconds
    }
}

/// The build's state as `GET /v1/build` reports it.
public struct RunnerBuildStatus: Hashable, Sendable, Codable {
    /// One input's state: `pending`, `uploading` or `ready` (then with its measurement).
    public struct Input: Hashable, Sendable, Codable {
        public var name: String
        public var kind: String
        public var source: String
        public var state: String
        public var commit: String?
        public var manifestDigest: String?
        public var files: Int?
        public var bytes: Int?

        enum CodingKeys: String, CodingKey {
            case name, kind, source, state, commit, files, bytes
            case manifestDigest = "manifest_digest"
        }
    }

    /// Why a build failed: the `{error, detail}` of the API's errors.
    public struct Failure: Hashable, Sendable, Codable {
        public var error: String
        public var detail: String
    }

    /// `created`, `preparing`, `running`, `finished` or `failed`.
    public var state: String
    public var command: [String]
    public var inputs: [Input]
    public var createdAt: String
    public var startedAt: String?
    public var endedAt: String?
    public var exitStatus: Int?
    public var durationMilliseconds: Int?
    public var timedOut: Bool?
    public var error: Failure?

    enum CodingKeys: String, CodingKey {
        case state, command, inputs, error
        case createdAt = "created_at"
        case startedAt = "started_at"
        case endedAt = "ended_at"
        case exitStatus = "exit_status"
        case durationMilliseconds = "duration_ms"
        case timedOut = "timed_out"
    }

    /// Whether the build has ended, one way or the other.
    public var hasEnded: Bool { state == "finished" || state == "failed" }
}

/// What an upload answers: the runner's measurement of the input.
public struct RunnerUploadResult: Hashable, Sendable, Codable {
    public var name: String
    public var manifestDigest: String
    public var files: Int
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
        case name, files, bytes
        case manifestDigest = "manifest_digest"
    }
}

/// `GET /v1/health`.
public struct RunnerHealth: Hashable, Sendable, Codable {
    public var status: String
    public var runner: String
    public var version: String
}
