import AICertCore

/// What a client asks the runner to build (`POST /v1/build`), once validated: the command as an
/// argument array, its environment, the inputs and where they come from, the output patterns and
/// the time limit. ``BuildSpecParser`` is the only way to make one from a request.
struct BuildSpec: Hashable, Sendable {
    var command: [String]
    var environment: [String: String]
    var inputs: [InputSpec]
    var outputs: [OutputPattern]
    var timeoutSeconds: Int

    /// The `aicert/build-spec` event content.
    var eventContent: JSONValue {
        BuildEvents.buildSpec(
            command: command, environment: environment, outputs: outputs.map(\.text), timeoutSeconds: timeoutSeconds)
    }
}

/// One named input of a build and where it comes from.
struct InputSpec: Hashable, Sendable {
    /// Where the input's bytes come from.
    enum Origin: Hashable, Sendable {
        /// Sent by the client with `PUT /v1/build/inputs/{name}`: a file, or a tar of a directory.
        case upload
        /// Cloned from a repository URL and checked out at a full commit id.
        case git(commit: String)
        /// Fetched over HTTP(S); its SHA-256 must be this.
        case url(sha256: SHA256Hash)

        /// The `kind` member in the spec, the status and the event log.
        var kind: InputKind {
            switch self {
            case .upload: .upload
            case .git: .git
            case .url: .url
            }
        }
    }

    /// `[A-Za-z0-9._-]{1,64}`, not `.` or `..`: the input's directory under `/aicert/inputs`.
    var name: String
    var origin: Origin
    /// The URL of a git or url input; for an upload, what the client says it sent (a path).
    var source: String
}
