import AICertCore
import Crypto
import Foundation

/// A CycloneDX 1.6 ML-BOM (docs/exports.md, "cyclonedx").
///
/// The model (the outputs) is `metadata.component`, of type `machine-learning-model`, with one
/// `file` component and SHA-256 per output file; each input is a `data` component (source code
/// or a dataset); the `formulation` is the job from inputs to the model; the certificate is an
/// external reference. The serial number and the time come from the certificate.
public struct CycloneDXExporter: Exporter {
    /// The CycloneDX specification version written.
    public static let specVersion = "1.6"
    /// The namespace of the name-based (version 5) UUID of the serial number.
    static let uuidNamespace: [UInt8] = Hex.bytes("6ba7b8119dad11d180b400c04fd430c8") ?? []

    public var format: ExportFormat { .cyclonedx }

    public init() {}

    public func document(for build: VerifiedBuild) throws -> JSONValue {
        .object([
            "bomFormat": .string("CycloneDX"),
            "specVersion": .string(Self.specVersion),
            "serialNumber": .string(Self.serialNumber(build.certificateDigest)),
            "version": .integer(1),
            "metadata": .object(["timestamp": .string(build.finishedOn), "component": model(build)]),
            "components": .array(build.summary.inputs.map { input(build, $0) }),
            "formulation": .array([formula(build)]),
            "externalReferences": .array([
                .object([
                    "type": .string("attestation"), "url": .string("certificate.json"),
                    "comment": .string("The AICert certificate that proves this BOM's build (aicert/v1)."),
                    "hashes": .array([Self.hash(build.certificateDigest)]),
                ])
            ]),
        ])
    }

    /// `urn:uuid:` of the version 5 UUID, in the URL namespace, of `urn:aicert:certificate:sha256:HEX`.
    static func serialNumber(_ digest: SHA256Hash) -> String {
        var bytes = Array(
            Insecure.SHA1.hash(data: uuidNamespace + Array("urn:aicert:certificate:sha256:\(digest.hex)".utf8))
        )
        .prefix(16)
        bytes[6] = bytes[6] & 0x0F | 0x50
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = Hex.string(bytes)
        let groups = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { range in
            String(hex.dropFirst(range.lowerBound).prefix(range.count))
        }
        return "urn:uuid:" + groups.joined(separator: "-")
    }

    private func model(_ build: VerifiedBuild) -> JSONValue {
        .object([
            "type": .string("machine-learning-model"), "bom-ref": .string("model"),
            "name": .string(build.summary.outputs.map(\.name).joined(separator: "+")),
            "components": .array(
                build.outputFiles.map { file in
                    .object([
                        "type": .string("file"), "bom-ref": .string("output:\(file.name)"), "name": .string(file.name),
                        "hashes": .array([Self.hash(file.sha256)]),
                    ])
                }),
            "properties": .array(
                build.summary.outputs.map {
                    Self.property("aicert:output:\($0.name):manifest-sha256", $0.manifestDigest)
                }
            ),
        ])
    }

    private func input(_ build: VerifiedBuild, _ input: InputSummary) -> JSONValue {
        var members: [String: JSONValue] = [
            "type": .string("data"), "bom-ref": .string("input:\(input.name)"), "name": .string(input.name),
            "data": .array([
                .object([
                    "type": .string(InputRole.of(input, command: build.summary.command).rawValue),
                    "name": .string(input.name),
                ])
            ]),
            "properties": .array(
                [
                    Self.property("aicert:kind", input.kind.rawValue), Self.property("aicert:source", input.source),
                    Self.property("aicert:manifest-sha256", input.manifestDigest),
                ] + (input.commit.map { [Self.property("aicert:git-commit", $0)] } ?? [])),
        ]
        if let uri = InputURI.of(input) {
            let type = input.kind == .git ? "vcs" : "distribution"
            members["externalReferences"] = .array([.object(["type": .string(type), "url": .string(uri)])])
        }
        return .object(members)
    }

    private func formula(_ build: VerifiedBuild) -> JSONValue {
        let step: JSONValue = .object([
            "name": .string("job"),
            "commands": .array([.object(["executed": .string(build.summary.command.joined(separator: " "))])]),
        ])
        return .object([
            "bom-ref": .string("formulation"),
            "workflows": .array([
                .object([
                    "bom-ref": .string("workflow"), "uid": .string(build.certificate.nonce),
                    "name": .string("aicert build"), "taskTypes": .array([.string("build")]),
                    "timeStart": .string(build.startedOn), "timeEnd": .string(build.finishedOn),
                    "inputs": .array(
                        build.summary.inputs.map {
                            .object(["resource": .object(["ref": .string("input:\($0.name)")])])
                        }
                    ),
                    "outputs": .array([
                        .object(["type": .string("artifact"), "resource": .object(["ref": .string("model")])])
                    ]),
                    "steps": .array([step]),
                ])
            ]),
        ])
    }

    static func hash(_ digest: SHA256Hash) -> JSONValue {
        .object(["alg": .string("SHA-256"), "content": .string(digest.hex)])
    }

    static func property(_ name: String, _ value: String) -> JSONValue {
        .object(["name": .string(name), "value": .string(value)])
    }
}

/// What an input is to the job: `source-code` when it is a git input or the command names its
/// directory (`/aicert/inputs/NAME`), a `dataset` otherwise. CycloneDX's data kinds.
enum InputRole: String {
    case sourceCode = "source-code"
    case dataset

    static func of(_ input: InputSummary, command: [String]) -> InputRole {
        let directory = "/aicert/inputs/\(input.name)"
        let named = command.contains { $0.contains(directory + "/") || $0.hasSuffix(directory) }
        return input.kind == .git || named ? .sourceCode : .dataset
    }
}
