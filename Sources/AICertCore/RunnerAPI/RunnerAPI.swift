import Foundation

/// The runner API's wire types (docs/runner-api.yaml), written once for the runner that sends
/// them and the client that reads them.
public enum RunnerAPI {
    /// A build spec as `POST /v1/build` takes it. The runner reads it strictly (unknown members,
    /// bounds) with its own parser; this is the shape both sides agree on.
    public struct BuildSpec: Hashable, Sendable, Codable {
        /// One input: `upload` (sent with `PUT /v1/build/inputs/{name}`), `git` (a repository
        /// URL and a full commit id) or `url` (an http(s) URL and its SHA-256).
        public struct Input: Hashable, Sendable, Codable {
            public var name: String
            public var kind: InputKind
            public var source: String
            public var sha256: String?
            public var commit: String?

            public static func upload(_ name: String, source: String) -> Input {
                Input(name: name, kind: .upload, source: source)
            }

            public static func git(_ name: String, url: String, commit: String) -> Input {
                Input(name: name, kind: .git, source: url, commit: commit)
            }

            public static func url(_ name: String, url: String, sha256: String) -> Input {
                Input(name: name, kind: .url, source: url, sha256: sha256)
            }

            public init(name: String, kind: InputKind, source: String, sha256: String? = nil, commit: String? = nil) {
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

        public init(
            command: [String], env: [String: String] = [:], inputs: [Input] = [], outputs: [String] = ["**"],
            timeoutSeconds: Int
        ) {
            self.command = command
            self.env = env
            self.inputs = inputs
            self.outputs = outputs
            self.timeoutSeconds = timeoutSeconds
        }
    }

    /// The build's state as `GET /v1/build` reports it.
    public struct BuildStatus: Hashable, Sendable, Codable {
        /// One input's state, with its measurement once ready.
        public struct Input: Hashable, Sendable, Codable {
            public var name: String
            public var kind: InputKind
            public var source: String
            public var state: InputState
            public var commit: String?
            public var manifestDigest: String?
            public var files: Int?
            public var bytes: Int?
            /// Of an interrupted upload: the bytes the runner received and kept, where it resumes.
            public var received: Int64?

            enum CodingKeys: String, CodingKey {
                case name, kind, source, state, commit, files, bytes, received
                case manifestDigest = "manifest_digest"
            }

            public init(
                name: String, kind: InputKind, source: String, state: InputState, commit: String? = nil,
                manifestDigest: String? = nil, files: Int? = nil, bytes: Int? = nil
            ) {
                self.name = name
                self.kind = kind
                self.source = source
                self.state = state
                self.commit = commit
                self.manifestDigest = manifestDigest
                self.files = files
                self.bytes = bytes
            }
        }

        public var state: BuildState
        public var command: [String]
        public var inputs: [Input]
        /// RFC 3339 with milliseconds, in UTC, as all times here.
        public var createdAt: String
        public var startedAt: String?
        public var endedAt: String?
        public var exitStatus: Int?
        public var durationMilliseconds: Int?
        public var timedOut: Bool?
        public var error: ErrorBody?

        enum CodingKeys: String, CodingKey {
            case state, command, inputs, error
            case createdAt = "created_at"
            case startedAt = "started_at"
            case endedAt = "ended_at"
            case exitStatus = "exit_status"
            case durationMilliseconds = "duration_ms"
            case timedOut = "timed_out"
        }

        public init(
            state: BuildState, command: [String], inputs: [Input], createdAt: String, startedAt: String? = nil,
            endedAt: String? = nil, exitStatus: Int? = nil, durationMilliseconds: Int? = nil, timedOut: Bool? = nil,
            error: ErrorBody? = nil
        ) {
            self.state = state
            self.command = command
            self.inputs = inputs
            self.createdAt = createdAt
            self.startedAt = startedAt
            self.endedAt = endedAt
            self.exitStatus = exitStatus
            self.durationMilliseconds = durationMilliseconds
            self.timedOut = timedOut
            self.error = error
        }
    }

    /// What an upload answers: the runner's measurement of the input, for the client to compare
    /// with its own.
    public typealias UploadResult = ManifestSummary

    /// `GET /v1/health`.
    public struct Health: Hashable, Sendable, Codable {
        public var status: String
        public var runner: String
        public var version: String

        public init(status: String, runner: String, version: String) {
            self.status = status
            self.runner = runner
            self.version = version
        }
    }

    /// The body of every error response, and a failed build's reason.
    public struct ErrorBody: Hashable, Sendable, Codable {
        /// A ``RunnerErrorCode`` as sent; a client keeps codes it does not know as text.
        public var error: String
        public var detail: String

        /// A body with `code` as sent, known to this version or not.
        public init(_ code: String, _ detail: String) {
            (error, self.detail) = (code, detail)
        }

        public init(_ code: RunnerErrorCode, _ detail: String) {
            self.init(code.rawValue, detail)
        }
    }
}
