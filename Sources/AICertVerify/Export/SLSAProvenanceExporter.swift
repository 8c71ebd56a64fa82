import AICertCore

/// An in-toto Statement v1 whose predicate is SLSA Provenance v1 (docs/exports.md, "slsa").
///
/// Subjects are the output files; the build definition is the signed build spec, runner and
/// environment events; the dependencies are the inputs by manifest digest; the run details
/// name the platform and the AK certificate as the builder.
public struct SLSAProvenanceExporter: Exporter {
    /// The `buildType` of AICert builds: a run of `aicert-runner` as docs/exports.md describes.
    public static let buildType = "https://aicert.dev/build/v1"
    /// The builder id's prefix, followed by the platform.
    public static let builderPrefix = "https://aicert.dev/builder/v1/"
    /// The in-toto statement type.
    public static let statementType = "https://in-toto.io/Statement/v1"
    /// The SLSA Provenance v1 predicate type.
    public static let predicateType = "https://slsa.dev/provenance/v1"

    public var format: ExportFormat { .slsa }

    public init() {}

    public func document(for build: VerifiedBuild) throws -> JSONValue {
        let files = build.outputFiles
        guard !files.isEmpty else {
            throw ExportError(.unsupported, "the build has no output file to be a subject of the provenance")
        }
        return .object([
            "_type": .string(Self.statementType),
            "subject": .array(files.map { .object(["name": .string($0.name), "digest": Self.sha256($0.sha256)]) }),
            "predicateType": .string(Self.predicateType),
            "predicate": .object(["buildDefinition": buildDefinition(build), "runDetails": runDetails(build)]),
        ])
    }

    private func buildDefinition(_ build: VerifiedBuild) -> JSONValue {
        .object([
            "buildType": .string(Self.buildType),
            "externalParameters": build.content(of: .buildSpec),
            "internalParameters": .object([
                "runner": build.content(of: .runner),
                "environment": build.content(of: .environment),
            ]),
            "resolvedDependencies": .array(build.summary.inputs.map(Self.dependency)),
        ])
    }

    private func runDetails(_ build: VerifiedBuild) -> JSONValue {
        .object([
            "builder": .object(["id": .string(Self.builderID(build))]),
            "metadata": .object([
                "invocationId": .string(build.certificate.nonce),
                "startedOn": .string(build.startedOn), "finishedOn": .string(build.finishedOn),
            ]),
            "byproducts": .array([
                .object(["name": .string("certificate.json"), "digest": Self.sha256(build.certificateDigest)]),
                .object(["name": .string("event_log"), "digest": Self.sha256(build.eventLogDigest)]),
            ]),
        ])
    }

    /// `https://aicert.dev/builder/v1/PLATFORM?ak=SHA256`: the signed platform and the SHA-256
    /// of the AK certificate (DER) whose key signed the quote.
    static func builderID(_ build: VerifiedBuild) -> String {
        let ak = build.certificate.attestationKey.certificateChain.first.map { SHA256Hash.of($0.bytes).hex } ?? ""
        return "\(builderPrefix)\(build.summary.platform)?ak=\(ak)"
    }

    /// One input: its name, a URI where it has one, its manifest digest (and git commit).
    static func dependency(_ input: InputSummary) -> JSONValue {
        var digest: [String: JSONValue] = ["aicertManifestSha256": .string(input.manifestDigest)]
        if let commit = input.commit { digest["gitCommit"] = .string(commit) }
        var members: [String: JSONValue] = [
            "name": .string(input.name), "digest": .object(digest),
            "annotations": .object([
                "kind": .string(input.kind.rawValue), "source": .string(input.source),
                "files": .integer(Int64(input.files)), "bytes": .integer(Int64(input.bytes)),
            ]),
        ]
        if let uri = InputURI.of(input) { members["uri"] = .string(uri) }
        return .object(members)
    }

    static func sha256(_ digest: SHA256Hash) -> JSONValue { .object(["sha256": .string(digest.hex)]) }
}

/// Where an input came from, as a URI: `git+URL@COMMIT` for git, the URL for url inputs;
/// an upload has none (its source is a path on the builder's machine).
enum InputURI {
    static func of(_ input: InputSummary) -> String? {
        switch input.kind {
        case .git:
            let base = input.source.hasPrefix("git+") ? input.source : "git+" + input.source
            return input.commit.map { "\(base)@\($0)" } ?? base
        case .url: return input.source
        case .upload: return nil
        }
    }
}
