import AICertClient
import AICertCore
import AICertVerify
import Foundation
import TPM2
import Testing
import X509

/// Every way of tampering with a real certificate fails the check that guards against it,
/// and the untouched certificate passes.
@Suite(.timeLimit(.minutes(2)))
struct TamperTests {
    /// One real certificate, made once for the suite.
    static let sample = Result { try SampleBuild() }

    func sample() throws -> SampleBuild { try Self.sample.get() }

    /// Verifies with the sample's development root; the sample's boot is unmeasured (it has no
    /// image), which these tests accept: boot-state has tests of its own.
    func verify(
        _ certificate: AICertificate, roots: [Certificate]? = nil, artifacts: [String] = [], at time: Date? = nil
    ) async throws -> VerificationReport {
        let sample = try sample()
        return await CertificateVerifier.verify(
            certificate,
            options: VerificationOptions(
                trustRoots: roots ?? [sample.ca.root], allowUnmeasuredBoot: true, artifacts: artifacts,
                validationTime: time))
    }

    /// Asserts the certificate fails, that `check` is among the failures, and why.
    func expectFailure(
        _ certificate: AICertificate, _ check: CheckName, _ reason: CheckReason, roots: [Certificate]? = nil,
        artifacts: [String] = [], at time: Date? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let report = try await verify(certificate, roots: roots, artifacts: artifacts, at: time)
        #expect(!report.valid, sourceLocation: sourceLocation)
        let result = report.check(check)
        #expect(
            result?.status == .fail, "\(check.rawValue): \(result?.detail ?? "not run")", sourceLocation: sourceLocation
        )
        #expect(
            result?.reason == reason, "\(check.rawValue): \(result?.detail ?? "not run")",
            sourceLocation: sourceLocation)
        #expect(!(result?.detail.isEmpty ?? true), sourceLocation: sourceLocation)
    }

    /// The log with its records renumbered from 0, as a forger would.
    func renumbered(_ records: [EventRecord]) -> [EventRecord] {
        records.enumerated().map { index, record in
            var record = record
            record.recnum = index
            return record
        }
    }

    @Test func untouchedCertificatePassesEveryCheckAndIsDevelopmentWithItsBootNotMeasured() async throws {
        let sample = try sample()
        let report = try await verify(sample.certificate, artifacts: [sample.outputs.path])
        #expect(report.valid, "\(report.checks)")
        let statuses = Dictionary(uniqueKeysWithValues: report.checks.map { ($0.name, $0.status) })
        #expect(
            statuses == [
                .timestamp: .skip, .akChain: .pass, .quoteSignature: .pass, .quoteContent: .pass, .eventLog: .pass,
                .bootState: .skip, .policy: .skip, .artifacts: .pass,
            ])
        #expect(report.check(.bootState)?.reason == .bootNotMeasured)
        #expect(report.verdict == "VALID, boot not measured")
        #expect(report.trust == .development)
        #expect(report.trustRoot == "AICert Development Root CA")
        #expect(report.inputs.map(\.name) == ["code", "data"])
        #expect(report.outputs.map(\.name) == ["outputs"])
    }

    @Test func aChangedQuoteByteFailsTheSignature() async throws {
        var certificate = try sample().certificate
        certificate.quote.attest.bytes[certificate.quote.attest.bytes.count - 40] ^= 0x01
        try await expectFailure(certificate, .quoteSignature, .signatureInvalid)
    }

    @Test func aChangedSignatureByteFailsTheSignature() async throws {
        var certificate = try sample().certificate
        certificate.quote.signature.bytes[certificate.quote.signature.bytes.count - 1] ^= 0x80
        try await expectFailure(certificate, .quoteSignature, .signatureInvalid)
    }

    @Test func aChangedPCRValueFailsTheQuoteContent() async throws {
        var certificate = try sample().certificate
        certificate.pcrs["sha256"]?["7"] = String(repeating: "ab", count: 32)
        try await expectFailure(certificate, .quoteContent, .pcrDigestMismatch)
    }

    @Test func aSignedQuoteThatLeavesOutPCR15FailsTheQuoteContent() async throws {
        let sample = try SampleBuild(SampleBuild.Recipe(quotedPCRs: Array(0...14)), ca: try sample().ca)
        defer { sample.remove() }
        let report = try await verify(sample.certificate)
        #expect(report.check(.quoteSignature)?.status == .pass)
        #expect(report.check(.quoteContent)?.status == .fail)
        #expect(report.check(.quoteContent)?.detail.contains("PCR 15") == true)
        #expect(report.check(.quoteContent)?.reason == .pcrSelectionInvalid)
    }

    @Test func anotherNonceFailsTheChannelBindingOfTheQuoteContent() async throws {
        var certificate = try sample().certificate
        certificate.nonce = String(repeating: "5a", count: 32)
        try await expectFailure(certificate, .quoteContent, .channelBindingMismatch)
    }

    @Test func aQuoteBindingAnotherTLSKeyThanTheRunnerEventNamesFailsNamingTheBinding() async throws {
        let relayed = try SampleBuild(SampleBuild.Recipe(quoteBindsAnotherTLSKey: true))
        defer { relayed.remove() }
        let report = await CertificateVerifier.verify(
            relayed.certificate, options: VerificationOptions(trustRoots: [relayed.ca.root], allowUnmeasuredBoot: true))
        #expect(report.check(.quoteContent)?.reason == .channelBindingMismatch)
        #expect(report.check(.quoteContent)?.detail.contains("TLS key") == true)
        #expect(report.check(.eventLog)?.status == .pass)
        #expect(!report.valid)
    }

    @Test func aCertificateOverPlainHTTPBindsNoChannelAndVerifies() async throws {
        let plain = try SampleBuild(SampleBuild.Recipe(tlsKeyDigest: nil))
        defer { plain.remove() }
        let report = await CertificateVerifier.verify(
            plain.certificate, options: VerificationOptions(trustRoots: [plain.ca.root], allowUnmeasuredBoot: true))
        #expect(report.check(.quoteContent)?.status == .pass)
        #expect(report.valid)
    }

    /// Only the content → digest rule can catch this: the summary is made to agree with the
    /// new content, and the digest (what the PCR replay reads) is left as it was.
    @Test func changedEventContentWithEverythingElseRecomputedFailsOnItsDigestAlone() async throws {
        var certificate = try sample().certificate
        certificate.eventLog[2].content = BuildEvents.input(
            InputSummary(
                name: "code", kind: .upload, source: "./other", manifest: certificate.manifests.inputs["code"]!))
        certificate.summary.inputs[0].source = "./other"
        certificate.summaryJSON = nil
        try await expectFailure(certificate, .eventLog, .eventDigestMismatch)
        let report = try await verify(certificate)
        #expect(report.check(.eventLog)?.detail.contains("record 2") == true)
    }

    @Test func aChangedPlatformFailsTheEventLogAndNeverPicksOtherReferenceValues() async throws {
        var certificate = try sample().certificate
        certificate.platform = PlatformKind.azure.rawValue
        try await expectFailure(certificate, .eventLog, .platformMismatch)
    }

    @Test func theRunnerTimeDecidesNothing() async throws {
        var certificate = try sample().certificate
        certificate.runnerTime = "1999-01-01T00:00:00Z"
        let report = try await verify(certificate)
        #expect(report.valid, "\(report.checks)")
        certificate.runnerTime = "not a time"
        #expect(try await verify(certificate).valid)
        // An expired chain stays expired whatever the certificate says its time was.
        certificate.runnerTime = RFC3339.string(from: Date())
        let late = Date().addingTimeInterval(3 * 365 * 86_400)
        #expect(try await verify(certificate, at: late).check(.akChain)?.reason == .certificateExpired)
    }

    @Test func anAKCertificateWithoutTheAttestationPurposeFailsTheChain() async throws {
        let sample = try sample()
        var certificate = sample.certificate
        certificate.attestationKey.certificateChain[0] = Base64Bytes(try sample.akCertificateForTLSOnly().derBytes)
        try await expectFailure(certificate, .akChain, .akPurposeMissing)
        #expect(try await verify(certificate).check(.quoteSignature)?.status == .pass)
    }

    @Test func changedEventDigestFailsTheEventLog() async throws {
        var certificate = try sample().certificate
        certificate.eventLog[1].digests[0].digest = String(repeating: "00", count: 32)
        try await expectFailure(certificate, .eventLog, .eventDigestMismatch)
    }

    @Test func swappedEventsFailTheEventLog() async throws {
        var certificate = try sample().certificate
        certificate.eventLog.swapAt(2, 3)
        certificate.eventLog = renumbered(certificate.eventLog)
        try await expectFailure(certificate, .eventLog, .pcrReplayMismatch)
    }

    @Test func aDroppedEventFailsTheEventLog() async throws {
        var certificate = try sample().certificate
        certificate.eventLog.remove(at: 3)
        certificate.eventLog = renumbered(certificate.eventLog)
        certificate.manifests.inputs["data"] = nil
        certificate.summary.inputs.removeLast()
        try await expectFailure(certificate, .eventLog, .pcrReplayMismatch)
    }

    @Test func anAddedEventFailsTheEventLog() async throws {
        var certificate = try sample().certificate
        let extra = EventRecord(
            recnum: 0, type: .input,
            content: BuildEvents.input(
                InputSummary(
                    name: "extra", kind: .upload, source: "x", manifest: certificate.manifests.inputs["code"]!)))
        certificate.eventLog.insert(extra, at: 4)
        certificate.eventLog = renumbered(certificate.eventLog)
        try await expectFailure(certificate, .eventLog, .pcrReplayMismatch)
    }

    @Test func aSummaryThatSaysWhatTheLogDoesNotFailsTheEventLog() async throws {
        var certificate = try sample().certificate
        certificate.summary.exitStatus = 0 == certificate.summary.exitStatus ? 1 : 0
        try await expectFailure(certificate, .eventLog, .summaryMismatch)
    }

    @Test func aChangedManifestEntryFailsTheEventLog() async throws {
        var certificate = try sample().certificate
        let manifest = certificate.manifests.outputs["outputs"]!
        let entries = manifest.entries.map { entry -> ManifestEntry in
            guard entry.path == "model.bin", case .file(let digest) = entry.kind else { return entry }
            return ManifestEntry(
                path: entry.path, kind: .file(FileDigest(size: digest.size, sha256: SHA256Hash.of([1, 2, 3]))))
        }
        certificate.manifests.outputs["outputs"] = try Manifest(entries: entries)
        try await expectFailure(certificate, .eventLog, .manifestMismatch)
    }

    @Test func theAKCertificateOfAnotherTPMFailsTheSignature() async throws {
        let sample = try sample()
        let other = try SampleBuild(SampleBuild.Recipe(ownSeeds: true), ca: sample.ca)
        defer { other.remove() }
        var certificate = sample.certificate
        certificate.attestationKey.certificateChain[0] = other.certificate.attestationKey.certificateChain[0]
        let report = try await verify(certificate)
        #expect(report.check(.akChain)?.status == .pass)
        #expect(report.check(.quoteSignature)?.reason == .akKeyMismatch)
    }

    @Test func aMissingIntermediateFailsTheChainAndNamesTheIssuer() async throws {
        var certificate = try sample().certificate
        certificate.attestationKey.certificateChain.removeLast()
        try await expectFailure(certificate, .akChain, .untrustedRoot)
        let report = try await verify(certificate)
        #expect(report.check(.akChain)?.detail.contains("AK Issuing CA") == true)
    }

    @Test func anUntrustedRootFailsTheChain() async throws {
        try await expectFailure(try sample().certificate, .akChain, .untrustedRoot, roots: [try DevelopmentCA().root])
    }

    @Test func noRootButTheBuiltInAzureOneFailsTheChain() async throws {
        try await expectFailure(try sample().certificate, .akChain, .untrustedRoot, roots: [])
    }

    @Test func anExpiredChainFailsAndSaysSoWithItsDates() async throws {
        let late = Date().addingTimeInterval(3 * 365 * 86_400)
        try await expectFailure(try sample().certificate, .akChain, .certificateExpired, at: late)
        let report = try await verify(try sample().certificate, at: late)
        #expect(report.check(.akChain)?.detail.contains("expired") == true)
    }

    @Test func anAKCertificateNotYetValidNowFailsTheChain() async throws {
        let future = Date().addingTimeInterval(86_400)
        let sample = try SampleBuild(
            SampleBuild.Recipe(akValidity: (future, future.addingTimeInterval(86_400))), ca: try sample().ca)
        defer { sample.remove() }
        let report = try await verify(sample.certificate)
        #expect(report.check(.akChain)?.status == .fail)
        #expect(report.check(.akChain)?.detail.contains("not yet valid") == true)
        #expect(report.check(.akChain)?.reason == .certificateExpired)
    }

    @Test func aChangedArtifactByteFailsTheArtifactsAndNamesTheFile() async throws {
        let sample = try sample()
        let copy = sample.workspace.appendingPathComponent("downloaded-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: sample.outputs, to: copy)
        defer { try? FileManager.default.removeItem(at: copy) }
        let model = copy.appendingPathComponent("model.bin")
        var bytes = try Data(contentsOf: model)
        bytes[100] ^= 0x01
        try bytes.write(to: model)
        try await expectFailure(sample.certificate, .artifacts, .artifactMismatch, artifacts: [copy.path])
        let report = try await verify(sample.certificate, artifacts: [copy.path])
        #expect(report.check(.artifacts)?.detail.contains("model.bin") == true)
        // A single file is matched by name and digest.
        try await expectFailure(sample.certificate, .artifacts, .artifactMismatch, artifacts: [model.path])
        let good = try await verify(sample.certificate, artifacts: [copy.appendingPathComponent("metrics.json").path])
        #expect(good.check(.artifacts)?.status == .pass)
    }

    /// An unrestricted signing key can sign any bytes that look like a quote (TPM2_Sign), so a
    /// certificate whose "AK" is one proves nothing, even with a valid chain and signature.
    @Test func anUnrestrictedSigningKeyAsTheAKFailsTheSignatureCheck() async throws {
        var template = PublicArea.rsaAttestationKeyTemplate
        template.attributes.remove(.restricted)
        let sample = try SampleBuild(SampleBuild.Recipe(akTemplate: template), ca: try sample().ca)
        defer { sample.remove() }
        let report = try await verify(sample.certificate)
        #expect(report.check(.akChain)?.status == .pass)
        #expect(report.check(.quoteSignature)?.status == .fail)
        #expect(report.check(.quoteSignature)?.detail.contains("not a restricted signing key") == true)
        #expect(report.check(.quoteSignature)?.reason == .akNotRestricted)
    }

    @Test func anECCAttestationKeyVerifiesToo() async throws {
        let sample = try SampleBuild(SampleBuild.Recipe(akTemplate: .eccAttestationKeyTemplate), ca: try sample().ca)
        defer { sample.remove() }
        let report = try await verify(sample.certificate)
        #expect(report.valid, "\(report.checks)")
        #expect(report.check(.quoteSignature)?.detail.contains("ecdsa") == true)
    }
}
