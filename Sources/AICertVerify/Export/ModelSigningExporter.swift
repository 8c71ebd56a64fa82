import AICertCore
import Crypto

/// The OpenSSF model-signing v1.0 statement of one output directory, `files` serialization
/// with SHA-256 (docs/exports.md, "model-signing").
///
/// Its digests equal those the `model-signing` library computes on the downloaded files: one
/// resource per regular file, named by its path in the output and sorted by name, and one
/// subject whose SHA-256 is taken over the resources' digest bytes in that order.
public struct ModelSigningExporter: Exporter {
    /// The in-toto statement type.
    public static let statementType = "https://in-toto.io/Statement/v1"
    /// The model-signing v1.0 predicate type.
    public static let predicateType = "https://model_signing/signature/v1.0"

    /// The output to describe; `nil` for the build's only output.
    public let output: String?

    public var format: ExportFormat { .modelSigning }

    public init(output: String? = nil) { self.output = output }

    public func document(for build: VerifiedBuild) throws -> JSONValue {
        let name = try chosenOutput(build)
        let manifest = build.certificate.manifests.outputs[name]?.entries ?? []
        var resources: [(name: String, sha256: SHA256Hash)] = []
        for entry in manifest {
            switch entry.kind {
            case .file(let digest): resources.append((entry.path, digest.sha256))
            case .symlink:
                throw ExportError(
                    .unsupported,
                    "output '\(name)' holds the symbolic link '\(entry.path)', which model signing refuses")
            case .emptyDirectory: continue
            }
        }
        resources.sort { Self.precedes($0.name, $1.name) }
        var hasher = SHA256()
        for resource in resources { hasher.update(data: resource.sha256.bytes) }
        return .object([
            "_type": .string(Self.statementType),
            "subject": .array([
                .object([
                    "name": .string(name), "digest": .object(["sha256": .string(SHA256Hash(hasher.finalize()).hex)]),
                ])
            ]),
            "predicateType": .string(Self.predicateType),
            "predicate": .object([
                "serialization": .object([
                    "method": .string("files"), "hash_type": .string("sha256"), "allow_symlinks": .bool(false),
                ]),
                "resources": .array(
                    resources.map {
                        .object([
                            "name": .string($0.name), "algorithm": .string("sha256"), "digest": .string($0.sha256.hex),
                        ])
                    }),
            ]),
        ])
    }

    /// model-signing's order: paths compared as lists of names (as Python compares `PurePosixPath`),
    /// each name by code points, so `a/b` precedes `a-b`.
    public static func precedes(_ left: String, _ right: String) -> Bool {
        left.split(separator: "/", omittingEmptySubsequences: false).lexicographicallyPrecedes(
            right.split(separator: "/", omittingEmptySubsequences: false)
        ) { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
    }

    private func chosenOutput(_ build: VerifiedBuild) throws -> String {
        let names = build.summary.outputs.map(\.name)
        if let output {
            guard names.contains(output) else {
                throw ExportError(
                    .unsupported, "the build has no output '\(output)' (it has \(names.joined(separator: ", ")))")
            }
            return output
        }
        guard names.count == 1 else {
            throw ExportError(
                .unsupported, "model signing describes one output; name one of \(names.joined(separator: ", "))")
        }
        return names[0]
    }
}
