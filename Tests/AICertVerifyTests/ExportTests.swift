import AICertCore
import AICertVerify
import Crypto
import Foundation
import Testing
import X509

/// The exporters on the committed fixture certificate: byte-identical to the exports committed
/// beside it (which the Python SDK's tests compare with its own), and never from a certificate
/// that did not verify.
@Suite(.timeLimit(.minutes(3)))
struct ExportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    static func exporter(_ format: ExportFormat) -> any Exporter {
        switch format {
        case .slsa: SLSAProvenanceExporter()
        case .cyclonedx: CycloneDXExporter()
        case .modelSigning: ModelSigningExporter()
        }
    }

    /// The fixture certificate, verified as `expected.json`'s first row says.
    static func build(_ file: String = "certificate.json") async throws -> (VerifiedBuild?, VerificationReport, Data) {
        let bytes = try Data(contentsOf: fixtures.appendingPathComponent(file))
        let root = try TrustStore.certificates(
            in: try Data(contentsOf: fixtures.appendingPathComponent("root.pem")), source: "root.pem")
        let certificate = try AICertificate(json: bytes)
        let report = await CertificateVerifier.verify(
            certificate,
            options: VerificationOptions(
                trustRoots: root, allowUnmeasuredBoot: true,
                artifacts: [fixtures.appendingPathComponent("artifacts/outputs").path]))
        let build = try? VerifiedBuild(certificate: certificate, bytes: bytes, report: report)
        return (build, report, bytes)
    }

    @Test(arguments: ExportFormat.allCases)
    func exportIsByteIdenticalToTheCommittedExportThePythonSDKAlsoMatches(format: ExportFormat) async throws {
        let build = try #require(try await Self.build().0)
        let expected = try Data(contentsOf: Self.fixtures.appendingPathComponent("exports/\(format.rawValue).json"))
        let exported = try Self.exporter(format).export(build)
        #expect(String(decoding: exported, as: UTF8.self) == String(decoding: expected, as: UTF8.self))
        #expect(exported == Array(expected))
    }

    @Test(arguments: ExportFormat.allCases)
    func exportIsCanonicalJSONWithOneFinalNewline(format: ExportFormat) async throws {
        let build = try #require(try await Self.build().0)
        let exported = try Self.exporter(format).export(build)
        let value = try JSONDecoder().decode(JSONValue.self, from: Data(exported))
        #expect(exported == value.canonicalBytes + [UInt8(ascii: "\n")])
        #expect(exported.filter { $0 == UInt8(ascii: "\n") }.count == 1)
        #expect(try Self.exporter(format).export(build) == exported)
    }

    @Test func aCertificateThatFailsACheckCannotBecomeAVerifiedBuild() async throws {
        let (build, report, bytes) = try await Self.build("tamper/pcr-value.json")
        #expect(build == nil)
        let certificate = try AICertificate(json: bytes)
        #expect(throws: ExportError(.notVerified, "")) {
            try VerifiedBuild(certificate: certificate, bytes: bytes, report: report)
        }
        do {
            _ = try VerifiedBuild(certificate: certificate, bytes: bytes, report: report)
        } catch let error as ExportError {
            #expect(error.reason.contains("quote-content (pcr-digest-mismatch)"), "\(error)")
        }
    }

    @Test func slsaSubjectsAreTheOutputFilesWithTheirSHA256() async throws {
        let build = try #require(try await Self.build().0)
        let statement = try SLSAProvenanceExporter().document(for: build)
        guard case .array(let subjects) = statement["subject"] else {
            Issue.record("no subjects")
            return
        }
        var found: [String: String] = [:]
        for subject in subjects {
            found[subject["name"]?.stringValue ?? ""] = subject["digest"]?["sha256"]?.stringValue
        }
        let outputs = Self.fixtures.appendingPathComponent("artifacts")
        for name in ["outputs/model.bin", "outputs/metrics.json", "outputs/checkpoints/10.txt"] {
            let data = try Data(contentsOf: outputs.appendingPathComponent(name))
            #expect(found[name] == SHA256Hash.of(data).hex, "\(name)")
        }
        #expect(found.count == 3)
    }

    @Test func cycloneDXSerialNumberIsAVersion5UUIDOfTheCertificateDigest() async throws {
        let (build, _, bytes) = try await Self.build()
        let bom = try CycloneDXExporter().document(for: try #require(build))
        let serial = try #require(bom["serialNumber"]?.stringValue)
        #expect(
            serial.wholeMatch(of: /urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}/) != nil
        )
        #expect(build?.certificateDigest == SHA256Hash.of(bytes))
        #expect(bom["metadata"]?["timestamp"]?.stringValue == (try AICertificate(json: bytes)).runnerTime)
    }

    @Test func modelSigningOrdersPathsNameByNameAsTheLibraryDoes() {
        #expect(ModelSigningExporter.precedes("a/b", "a-b"))
        #expect(ModelSigningExporter.precedes("a-b", "ab"))
        #expect(ModelSigningExporter.precedes("a/c/d", "ab"))
        #expect(!ModelSigningExporter.precedes("é", "z"))
    }

    @Test func modelSigningWithAnOutputTheBuildLacksSaysWhichItHas() async throws {
        let build = try #require(try await Self.build().0)
        #expect(throws: ExportError(.unsupported, "")) {
            try ModelSigningExporter(output: "weights").document(for: build)
        }
    }

    @Test func anEnvelopeCarriesTheStatementSignedOverItsPreAuthenticationEncoding() async throws {
        let build = try #require(try await Self.build().0)
        let key = P256.Signing.PrivateKey()
        let envelope = try DSSEEnvelope(privateKeyPEM: key.pemRepresentation)
        let statement = try SLSAProvenanceExporter().export(build)
        let value = try envelope.envelope(of: statement)
        let payload = try #require(Data(base64Encoded: value["payload"]?.stringValue ?? ""))
        #expect(Array(payload) == statement)
        #expect(value["payloadType"]?.stringValue == "application/vnd.in-toto+json")
        guard case .array(let signatures) = value["signatures"] else {
            Issue.record("no signatures")
            return
        }
        let sig = try #require(Data(base64Encoded: signatures.first?["sig"]?.stringValue ?? ""))
        let signed = DSSEEnvelope.preAuthenticationEncoding(payloadType: DSSEEnvelope.payloadType, payload: statement)
        #expect(key.publicKey.isValidSignature(try P256.Signing.ECDSASignature(derRepresentation: sig), for: signed))
        #expect(signatures.first?["keyid"]?.stringValue == SHA256Hash.of(key.publicKey.derRepresentation).hex)
    }

    @Test func aKeyThatIsNotP256IsRefused() {
        #expect(throws: ExportError(.badSigningKey, "")) {
            try DSSEEnvelope(privateKeyPEM: P384.Signing.PrivateKey().pemRepresentation)
        }
    }

    /// The fixture's verified build with its certificate and summary changed by `edit`, as if
    /// they had verified so (what an exporter reads is only the build).
    static func edited(_ edit: (inout AICertificate, inout BuildSummary) throws -> Void) async throws -> VerifiedBuild {
        let (_, report, bytes) = try await Self.build()
        var certificate = try AICertificate(json: bytes)
        var summary = try #require(report.summary)
        try edit(&certificate, &summary)
        var changed = report
        changed.summary = summary
        return try VerifiedBuild(certificate: certificate, bytes: bytes, report: changed)
    }

    @Test func aGitInputIsSourceCodeWithItsCommitInItsURIAndDigest() async throws {
        let commit = String(repeating: "9c", count: 20)
        let build = try await Self.edited { _, summary in
            summary.inputs[1] = InputSummary(
                name: "data", kind: .git, source: "https://example.org/data.git", commit: commit,
                manifestDigest: summary.inputs[1].manifestDigest, files: 1, bytes: 12)
        }
        let provenance = try SLSAProvenanceExporter().document(for: build)
        guard case .array(let dependencies) = provenance["predicate"]?["buildDefinition"]?["resolvedDependencies"]
        else {
            Issue.record("no dependencies")
            return
        }
        #expect(dependencies[1]["uri"]?.stringValue == "git+https://example.org/data.git@\(commit)")
        #expect(dependencies[1]["digest"]?["gitCommit"]?.stringValue == commit)
        #expect(dependencies[0]["uri"] == nil)
        let bom = try CycloneDXExporter().document(for: build)
        guard case .array(let components) = bom["components"] else {
            Issue.record("no components")
            return
        }
        guard case .array(let data) = components[1]["data"] else {
            Issue.record("no data")
            return
        }
        #expect(data.first?["type"]?.stringValue == "source-code")
    }

    @Test func modelSigningRefusesAnOutputHoldingASymbolicLink() async throws {
        let build = try await Self.edited { certificate, _ in
            let entries = certificate.manifests.outputs["outputs"]?.entries ?? []
            certificate.manifests.outputs["outputs"] = try Manifest(
                entries: entries + [ManifestEntry(path: "latest", kind: .symlink(target: "model.bin"))])
        }
        #expect(throws: ExportError(.unsupported, "")) { try ModelSigningExporter().document(for: build) }
    }

    @Test func modelSigningOfSeveralOutputsDescribesTheOneNamed() async throws {
        let build = try await Self.edited { certificate, summary in
            certificate.manifests.outputs["logs"] = try Manifest(entries: [])
            summary.outputs.append(OutputSummary(name: "logs", manifestDigest: "", files: 0, bytes: 0))
        }
        #expect(throws: ExportError(.unsupported, "")) { try ModelSigningExporter().document(for: build) }
        let statement = try ModelSigningExporter(output: "outputs").document(for: build)
        guard case .array(let subjects) = statement["subject"] else {
            Issue.record("no subject")
            return
        }
        #expect(subjects.first?["name"]?.stringValue == "outputs")
    }
}
