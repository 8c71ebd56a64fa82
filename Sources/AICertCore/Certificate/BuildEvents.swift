/// The typed contents of the runner's events, and their JSON shapes.
///
/// Each builder returns the `content` of one event; ``BuildLog`` reads them back. Keys are
/// snake_case; see `docs/certificate-format.md` for each shape.
public enum BuildEvents {
    /// `aicert/runner`: which runner measured the build, on which platform, from which image.
    /// These are the only members a verdict reads besides the quote, so they are signed here.
    public static func runner(
        name: String, version: String, executableSHA256: String, platform: PlatformKind, image: ImageIdentity? = nil,
        tlsKeyDigest: SHA256Hash? = nil
    ) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(name), "version": .string(version), "executable_sha256": .string(executableSHA256),
            "platform": .string(platform.rawValue),
        ]
        if let image { members["image"] = image.jsonValue }
        if let tlsKeyDigest { members[ChannelBinding.runnerEventMember] = .string(tlsKeyDigest.hex) }
        return .object(members)
    }

    /// `aicert/build-spec`: the command (an argument array), environment, output patterns and
    /// time limit the runner was given.
    public static func buildSpec(
        command: [String], environment: [String: String], outputs: [String], timeoutSeconds: Int
    )
        -> JSONValue
    {
        .object([
            "command": .array(command.map(JSONValue.string)),
            "env": .object(environment.mapValues(JSONValue.string)),
            "outputs": .array(outputs.map(JSONValue.string)),
            "timeout_seconds": .integer(Int64(timeoutSeconds)),
        ])
    }

    /// `aicert/input`: one named input and the digest of its manifest.
    public static func input(_ input: InputSummary) -> JSONValue {
        var members: [String: JSONValue] = [
            "name": .string(input.name), "kind": .string(input.kind.rawValue), "source": .string(input.source),
            "manifest_digest": .string(input.manifestDigest), "files": .integer(Int64(input.files)),
            "bytes": .integer(Int64(input.bytes)),
        ]
        if let commit = input.commit { members["commit"] = .string(commit) }
        return .object(members)
    }

    /// `aicert/environment`: how the job was isolated.
    public static func environment(_ description: [String: String]) -> JSONValue {
        .object(description.mapValues(JSONValue.string))
    }

    /// `aicert/launch`: the separator extended just before the job starts; closes PCR 14.
    public static let launch = JSONValue.object([:])

    /// `aicert/output`: the outputs and the digest of their manifest.
    public static func output(_ output: OutputSummary) -> JSONValue {
        .object([
            "name": .string(output.name), "manifest_digest": .string(output.manifestDigest),
            "files": .integer(Int64(output.files)), "bytes": .integer(Int64(output.bytes)),
        ])
    }

    /// `aicert/result`: how the job ended; closes PCR 15.
    public static func result(exitStatus: Int, durationMilliseconds: Int) -> JSONValue {
        .object(["exit_status": .integer(Int64(exitStatus)), "duration_ms": .integer(Int64(durationMilliseconds))])
    }
}

/// One input as the event log records it.
public struct InputSummary: Hashable, Sendable, Codable {
    public var name: String
    public var kind: InputKind
    public var source: String
    /// The resolved commit id of a git input.
    public var commit: String?
    public var manifestDigest: String
    public var files: Int
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
        case name, kind, source, commit, files, bytes
        case manifestDigest = "manifest_digest"
    }

    public init(
        name: String, kind: InputKind, source: String, commit: String?, manifestDigest: String, files: Int, bytes: Int
    ) {
        self.name = name
        self.kind = kind
        self.source = source
        self.commit = commit
        self.manifestDigest = manifestDigest
        self.files = files
        self.bytes = bytes
    }

    public init(name: String, kind: InputKind, source: String, commit: String? = nil, manifest: Manifest) {
        let measured = ManifestSummary(name: name, manifest: manifest)
        self.init(
            name: name, kind: kind, source: source, commit: commit, manifestDigest: measured.manifestDigest,
            files: measured.files, bytes: measured.bytes)
    }
}

/// A named tree as its manifest measures it: the manifest's digest, how many regular files it
/// lists and their bytes. The event log records each output so, and the runner answers an
/// upload with its own measurement of the input (``RunnerAPI/UploadResult``).
public struct ManifestSummary: Hashable, Sendable, Codable {
    public var name: String
    public var manifestDigest: String
    public var files: Int
    public var bytes: Int

    enum CodingKeys: String, CodingKey {
        case name, files, bytes
        case manifestDigest = "manifest_digest"
    }

    public init(name: String, manifestDigest: String, files: Int, bytes: Int) {
        self.name = name
        self.manifestDigest = manifestDigest
        self.files = files
        self.bytes = bytes
    }

    /// The summary of `manifest`, named `name`.
    public init(name: String, manifest: Manifest) {
        self.init(
            name: name, manifestDigest: manifest.digest.hex, files: manifest.fileCount,
            bytes: Int(manifest.totalFileBytes))
    }
}

/// One output as the event log records it.
public typealias OutputSummary = ManifestSummary

/// What a build was, derived from its event log: the readable summary a certificate carries.
public struct BuildSummary: Hashable, Sendable, Codable {
    public var runner: String
    /// The platform the runner event signs.
    public var platform: String
    /// The base image the runner event names, if any.
    public var image: ImageIdentity?
    public var command: [String]
    /// The job's environment variables, from the build spec.
    public var environment: [String: String]
    /// How the job was isolated, from the environment event (empty without one).
    public var sandbox: [String: String]
    public var timeoutSeconds: Int
    public var inputs: [InputSummary]
    public var outputs: [OutputSummary]
    public var exitStatus: Int
    public var durationMilliseconds: Int

    enum CodingKeys: String, CodingKey {
        case runner, platform, image, command, environment, sandbox, inputs, outputs
        case timeoutSeconds = "timeout_seconds"
        case exitStatus = "exit_status"
        case durationMilliseconds = "duration_ms"
    }

    public init(
        runner: String, platform: String, image: ImageIdentity? = nil, command: [String], environment: [String: String],
        sandbox: [String: String], timeoutSeconds: Int,
        inputs: [InputSummary], outputs: [OutputSummary], exitStatus: Int, durationMilliseconds: Int
    ) {
        self.runner = runner
        self.platform = platform
        self.image = image
        self.command = command
        self.environment = environment
        self.sandbox = sandbox
        self.timeoutSeconds = timeoutSeconds
        self.inputs = inputs
        self.outputs = outputs
        self.exitStatus = exitStatus
        self.durationMilliseconds = durationMilliseconds
    }
}

extension Manifest {
    /// How many regular files the manifest lists.
    public var fileCount: Int {
        entries.count { if case .file = $0.kind { true } else { false } }
    }
}
