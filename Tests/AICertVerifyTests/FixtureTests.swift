import AICertClient
import AICertCore
import AICertVerify
import Crypto
import Foundation
import TPMTestSupport
import Testing
import X509

/// The committed fixtures (Tests/AICertVerifyTests/Fixtures, made by `scripts/make-fixtures`)
/// and their table of expected verdicts, which the Python SDK's tests read too.
///
/// The table is checked twice: against fixtures made afresh from swtpm in this run, and
/// against the committed files, so neither the generator nor the files can drift.
@Suite(.timeLimit(.minutes(2)))
struct FixtureTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent(
        "Fixtures")

    /// One row of `expected.json`.
    struct Case: Codable, Hashable {
        var file: String
        var trustRoots: [String]
        var artifacts: [String]
        var at: String?
        var allowUnmeasuredBoot: Bool
        var exit: Int
        var failingCheck: String?
        /// The failing check's reason code, which both verifiers must give.
        var reason: String?
        /// What the anchoring root makes the certificate.
        var trust: String
        /// Roots for a time-stamp token's TSA certificate.
        var tsaRoots: [String] = []

        enum CodingKeys: String, CodingKey {
            case file, artifacts, at, exit, reason, trust
            case trustRoots = "trust_roots"
            case tsaRoots = "tsa_roots"
            case failingCheck = "failing_check"
            case allowUnmeasuredBoot = "allow_unmeasured_boot"
        }
    }

    struct Table: Codable {
        var cases: [Case]
    }

    /// Makes every fixture into `directory` and returns the table.
    static func make(into directory: URL) throws -> Table {
        let sample = try SampleBuild()
        defer { sample.remove() }
        let otherTPM = try SampleBuild(SampleBuild.Recipe(ownSeeds: true), ca: sample.ca)
        defer { otherTPM.remove() }
        let partialQuote = try SampleBuild(SampleBuild.Recipe(quotedPCRs: Array(0...14)), ca: sample.ca)
        defer { partialQuote.remove() }
        let relayed = try SampleBuild(SampleBuild.Recipe(quoteBindsAnotherTLSKey: true), ca: sample.ca)
        defer { relayed.remove() }
        // An AK certificate valid from a day after the build, for a token older than it.
        let now = Date()
        let laterAK = try SampleBuild(
            SampleBuild.Recipe(akValidity: (now.addingTimeInterval(86_400), now.addingTimeInterval(3 * 86_400))),
            ca: sample.ca)
        defer { laterAK.remove() }
        let tsa = try OpenSSLTimestampAuthority()
        defer { tsa.remove() }
        let otherTSA = try OpenSSLTimestampAuthority()
        defer { otherTSA.remove() }

        let fileManager = FileManager.default
        try? fileManager.removeItem(at: directory)
        try fileManager.createDirectory(
            at: directory.appendingPathComponent("tamper"), withIntermediateDirectories: true)
        try Data(try sample.ca.root.pemString.utf8).write(to: directory.appendingPathComponent("root.pem"))
        try fileManager.copyItem(at: tsa.root, to: directory.appendingPathComponent("tsa-root.pem"))
        try fileManager.copyItem(at: otherTSA.root, to: directory.appendingPathComponent("other-tsa-root.pem"))
        let artifacts = directory.appendingPathComponent("artifacts")
        try fileManager.createDirectory(at: artifacts, withIntermediateDirectories: true)
        try fileManager.copyItem(at: sample.outputs, to: artifacts.appendingPathComponent("outputs"))
        try fileManager.copyItem(at: sample.outputs, to: artifacts.appendingPathComponent("outputs-tampered"))
        let tamperedModel = artifacts.appendingPathComponent("outputs-tampered/model.bin")
        var model = try Data(contentsOf: tamperedModel)
        model[100] ^= 0x01
        try model.write(to: tamperedModel)

        var cases: [Case] = []
        func add(
            _ name: String, _ certificate: AICertificate, roots: [String] = ["root.pem"], artifacts: [String] = [],
            at: String? = nil, tsaRoots: [String] = [],
            allowUnmeasured: Bool = true, failing: (CheckName, CheckReason)?, trust: TrustLevel = .development
        ) throws {
            let file = name == "certificate" ? "certificate.json" : "tamper/\(name).json"
            try certificate.jsonData().write(to: directory.appendingPathComponent(file))
            cases.append(
                Case(
                    file: file, trustRoots: roots, artifacts: artifacts, at: at, allowUnmeasuredBoot: allowUnmeasured,
                    exit: failing == nil ? 0 : 1, failingCheck: failing?.0.rawValue, reason: failing?.1.rawValue,
                    trust: (failing?.0 == .akChain ? TrustLevel.none : trust).rawValue, tsaRoots: tsaRoots))
        }
        func renumbered(_ records: [EventRecord]) -> [EventRecord] {
            records.enumerated().map { index, record in
                var record = record
                record.recnum = index
                return record
            }
        }
        let valid = sample.certificate
        let withoutAKPurpose = try sample.akCertificateForTLSOnly()
        try add("certificate", valid, artifacts: ["artifacts/outputs"], failing: nil)
        var certificate = valid
        certificate.quote.attest.bytes[certificate.quote.attest.bytes.count - 40] ^= 0x01
        try add("quote-byte", certificate, failing: (.quoteSignature, .signatureInvalid))
        certificate = valid
        certificate.quote.signature.bytes[certificate.quote.signature.bytes.count - 1] ^= 0x80
        try add("signature-byte", certificate, failing: (.quoteSignature, .signatureInvalid))
        certificate = valid
        certificate.pcrs["sha256"]?["7"] = String(repeating: "ab", count: 32)
        try add("pcr-value", certificate, failing: (.quoteContent, .pcrDigestMismatch))
        try add("pcr-selection", partialQuote.certificate, failing: (.quoteContent, .pcrSelectionInvalid))
        certificate = valid
        certificate.nonce = String(repeating: "5a", count: 32)
        try add("nonce", certificate, failing: (.quoteContent, .channelBindingMismatch))
        try add("channel-key", relayed.certificate, failing: (.quoteContent, .channelBindingMismatch))
        certificate = valid
        certificate.eventLog[2].content = BuildEvents.input(
            InputSummary(name: "code", kind: .upload, source: "./other", manifest: valid.manifests.inputs["code"]!))
        certificate.summary.inputs[0].source = "./other"
        try add("event-content", certificate, failing: (.eventLog, .eventDigestMismatch))
        certificate = valid
        certificate.eventLog[1].digests[0].digest = String(repeating: "00", count: 32)
        try add("event-digest", certificate, failing: (.eventLog, .eventDigestMismatch))
        certificate = valid
        certificate.eventLog.swapAt(2, 3)
        certificate.eventLog = renumbered(certificate.eventLog)
        try add("events-swapped", certificate, failing: (.eventLog, .pcrReplayMismatch))
        certificate = valid
        certificate.eventLog.remove(at: 3)
        certificate.eventLog = renumbered(certificate.eventLog)
        certificate.manifests.inputs["data"] = nil
        certificate.summary.inputs.removeLast()
        try add("event-dropped", certificate, failing: (.eventLog, .pcrReplayMismatch))
        certificate = valid
        certificate.eventLog.insert(
            EventRecord(
                recnum: 0, type: .input,
                content: BuildEvents.input(
                    InputSummary(name: "extra", kind: .upload, source: "x", manifest: valid.manifests.inputs["code"]!))
            ),
            at: 4)
        certificate.eventLog = renumbered(certificate.eventLog)
        try add("event-added", certificate, failing: (.eventLog, .pcrReplayMismatch))
        certificate = valid
        certificate.summary.exitStatus = 1
        try add("summary-lie", certificate, failing: (.eventLog, .summaryMismatch))
        certificate = valid
        certificate.platform = "azure"
        try add("platform-claimed", certificate, failing: (.eventLog, .platformMismatch))
        certificate = valid
        certificate.runnerTime = "1999-01-01T00:00:00Z"
        try add("runner-time", certificate, failing: nil)
        try add("boot-not-measured", valid, allowUnmeasured: false, failing: (.bootState, .bootNotMeasured))
        certificate = valid
        certificate.attestationKey.certificateChain[0] = Base64Bytes(try withoutAKPurpose.derBytes)
        try add("ak-purpose-missing", certificate, failing: (.akChain, .akPurposeMissing))
        certificate = valid
        certificate.attestationKey.certificateChain[0] = otherTPM.certificate.attestationKey.certificateChain[0]
        try add("ak-certificate-other-tpm", certificate, failing: (.quoteSignature, .akKeyMismatch))
        certificate = valid
        certificate.attestationKey.certificateChain.removeLast()
        try add("intermediate-missing", certificate, failing: (.akChain, .untrustedRoot))
        try add("untrusted-root", valid, roots: [], failing: (.akChain, .untrustedRoot))
        try add("expired-chain", valid, at: "2099-01-01T00:00:00Z", failing: (.akChain, .certificateExpired))
        try add(
            "artifact-byte", valid, artifacts: ["artifacts/outputs-tampered"], failing: (.artifacts, .artifactMismatch))

        // RFC 3161 tokens from OpenSSL's TSA over the quote's signature (docs/timestamps.md).
        func stamped(_ certificate: AICertificate, withoutPurpose: Bool = false) throws -> AICertificate {
            var stamped = certificate
            let imprint = Array(SHA256.hash(data: certificate.quote.signature.bytes))
            stamped.timestampToken = Base64Bytes(try tsa.token(over: imprint, withoutPurpose: withoutPurpose))
            return stamped
        }
        let stampedValid = try stamped(valid)
        let tsaRoot = ["tsa-root.pem"]
        try add("timestamp-after-expiry", stampedValid, at: "2099-01-01T00:00:00Z", tsaRoots: tsaRoot, failing: nil)
        certificate = otherTPM.certificate
        certificate.timestampToken = stampedValid.timestampToken
        try add(
            "timestamp-other-signature", certificate, tsaRoots: tsaRoot,
            failing: (.timestamp, .timestampImprintMismatch))
        try add(
            "timestamp-untrusted-tsa", stampedValid, tsaRoots: ["other-tsa-root.pem"],
            failing: (.timestamp, .timestampUntrusted))
        try add(
            "timestamp-no-purpose", try stamped(valid, withoutPurpose: true), tsaRoots: tsaRoot,
            failing: (.timestamp, .timestampPurposeMissing))
        certificate = stampedValid
        let token = stampedValid.timestampToken?.bytes ?? []
        certificate.timestampToken = Base64Bytes(token.dropLast() + [(token.last ?? 0) ^ 0x01])
        try add("timestamp-byte", certificate, tsaRoots: tsaRoot, failing: (.timestamp, .timestampSignatureInvalid))
        try add(
            "timestamp-before-ak", try stamped(laterAK.certificate),
            at: RFC3339.string(from: now.addingTimeInterval(2 * 86_400)), tsaRoots: tsaRoot,
            failing: (.akChain, .certificateExpired))

        // Proofs of the original AICert, checked a day after they were made (they carry no time).
        let legacyTime = RFC3339.string(from: Date().addingTimeInterval(86_400))
        try fileManager.createDirectory(
            at: directory.appendingPathComponent("legacy"), withIntermediateDirectories: true)
        for (name, pcr, failing) in [("attestation", 15, nil), ("resettable-pcr", 16, CheckReason.pcrReplayMismatch)] {
            let file = "legacy/\(name).json"
            try LegacyProofTests.make(eventsIn: pcr, ca: sample.ca).data.write(
                to: directory.appendingPathComponent(file))
            cases.append(
                Case(
                    file: file, trustRoots: ["root.pem"], artifacts: [], at: legacyTime, allowUnmeasuredBoot: true,
                    exit: failing == nil ? 0 : 1, failingCheck: failing.map { _ in CheckName.eventLog.rawValue },
                    reason: failing?.rawValue, trust: TrustLevel.development.rawValue))
        }
        let table = Table(cases: cases)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(table).write(to: directory.appendingPathComponent("expected.json"))
        return table
    }

    /// Verifies every case of `table` from the files in `directory`.
    static func check(_ table: Table, in directory: URL) async throws {
        #expect(table.cases.count >= 22)
        for item in table.cases {
            let data = try Data(contentsOf: directory.appendingPathComponent(item.file))
            var roots: [Certificate] = []
            for root in item.trustRoots {
                roots += try TrustStore.certificates(
                    in: try Data(contentsOf: directory.appendingPathComponent(root)), source: root)
            }
            var tsaRoots: [Certificate] = []
            for root in item.tsaRoots {
                tsaRoots += try TrustStore.certificates(
                    in: try Data(contentsOf: directory.appendingPathComponent(root)), source: root)
            }
            let options = VerificationOptions(
                trustRoots: roots, allowUnmeasuredBoot: item.allowUnmeasuredBoot,
                artifacts: item.artifacts.map { directory.appendingPathComponent($0).path },
                validationTime: item.at.flatMap(RFC3339.date(from:)), timestampRoots: tsaRoots)
            let report =
                item.file.hasPrefix("legacy/")
                ? await LegacyVerifier.verify(try LegacyProof(json: data), options: options)
                : await CertificateVerifier.verify(try AICertificate(json: data), options: options)
            #expect(report.valid == (item.exit == 0), "\(item.file): \(report.checks)")
            if let failing = item.failingCheck {
                #expect(report.check(CheckName(rawValue: failing)!)?.status == .fail, "\(item.file): \(report.checks)")
                #expect(
                    report.check(CheckName(rawValue: failing)!)?.reason.rawValue == item.reason,
                    "\(item.file): \(report.checks)")
            }
            #expect(report.trust.rawValue == item.trust, "\(item.file): \(report.trust)")
        }
    }

    @Test func freshlyMadeFixturesGiveTheVerdictsOfTheirTable() async throws {
        let target =
            ProcessInfo.processInfo.environment["AICERT_WRITE_FIXTURES"].map(URL.init(fileURLWithPath:))
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("aicert-fixtures-\(UUID().uuidString)")
        let table = try Self.make(into: target)
        defer {
            if ProcessInfo.processInfo.environment["AICERT_WRITE_FIXTURES"] == nil {
                try? FileManager.default.removeItem(at: target)
            }
        }
        try await Self.check(table, in: target)
    }

    @Test func committedFixturesGiveTheVerdictsOfTheirTable() async throws {
        let table = try JSONDecoder().decode(
            Table.self, from: Data(contentsOf: Self.directory.appendingPathComponent("expected.json")))
        try await Self.check(table, in: Self.directory)
    }
}
