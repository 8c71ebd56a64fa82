import AICertClient
import AICertCore
import AICertVerify
import Foundation
import TPM2
import Testing

/// The evidence a quote gives, read once, and the rules the three verifiers compose over it.
@Suite(.timeLimit(.minutes(2)))
struct EvidenceTests {
    static let value = String(repeating: "ab", count: 32)

    // MARK: The PCR bank

    @Test func aCertificatesPCRsReadAsTheSHA256Bank() throws {
        let bank = try PCRBank(pcrsMember: ["sha256": ["0": Self.value, "23": String(repeating: "00", count: 32)]])
        #expect(bank.algorithm == .sha256)
        #expect(bank.pcrs == [0, 23])
        #expect(bank[0] == [UInt8](repeating: 0xAB, count: 32))
        #expect(bank[1] == nil)
    }

    @Test(arguments: [
        ["sha256": ["7": String(repeating: "AB", count: 32)]],
        ["sha256": ["7": String(repeating: "ab", count: 31)]],
        ["sha256": ["7": String(repeating: "ab", count: 33)]],
        ["sha256": ["07": value]], ["sha256": ["+7": value]], ["sha256": ["24": value]], ["sha256": ["-1": value]],
        ["sha256": ["seven": value]], ["sha256": ["7": value], "sha1": [:]], ["sha1": ["7": value]], [:],
    ])
    func anythingButDecimalIndicesAndLowercaseSHA256ValuesIsRefused(_ member: [String: [String: String]]) {
        #expect(throws: PCRBankError.self) { try PCRBank(pcrsMember: member) }
    }

    @Test func aBankChecksItsIndicesAndValueSizes() throws {
        #expect(throws: PCRBankError.self) { try PCRBank(.sha1, values: [0: [UInt8](repeating: 0, count: 32)]) }
        #expect(throws: PCRBankError.self) { try PCRBank(.sha256, values: [24: [UInt8](repeating: 0, count: 32)]) }
        #expect(throws: PCRBankError.self) { try PCRBank(.rsa, values: [:]) }
        #expect(try PCRBank(.sha1, values: [16: [UInt8](repeating: 0, count: 20)]).pcrs == [16])
    }

    @Test func pcrIndicesReadAsRanges() {
        #expect(PCRBank.ranges(Array(0...15)) == "0–15")
        #expect(PCRBank.ranges([17, 0, 1, 2, 9]) == "0–2, 9, 17")
        #expect(PCRBank.ranges([]) == "")
    }

    // MARK: Composing rules

    struct Rule: EvidenceCheck {
        var issue: EvidenceIssue?
        var finding: String?

        func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
            if let issue { throw issue }
            return finding
        }
    }

    static let evidence = AttestationEvidence(
        publicArea: nil, akCertificate: nil, attest: [], signature: [], banks: .success([]), nonce: .absent)

    @Test func theFirstFailureDecidesAndLaterRulesDoNotRun() {
        let check = ComposedCheck(
            .quoteContent,
            [
                Rule(finding: "first"), Rule(issue: .warning(.nonceAbsent, "no nonce")),
                Rule(issue: .failure(.pcrDigestMismatch, "digest")), Rule(issue: .failure(.nonceMismatch, "nonce")),
            ])
        #expect(check.run(Self.evidence) == CheckResult(.quoteContent, .fail, .pcrDigestMismatch, "digest"))
    }

    @Test func aWarningLeavesTheCheckAtWarnWithWhatTheRulesFound() {
        let check = ComposedCheck(
            .quoteContent, [Rule(finding: "first"), Rule(issue: .warning(.nonceAbsent, "no nonce")), Rule()])
        #expect(check.run(Self.evidence) == CheckResult(.quoteContent, .warn, .nonceAbsent, "first; no nonce"))
    }

    @Test func rulesThatHoldPassWithTheirFindings() {
        let check = ComposedCheck(.quoteSignature, [Rule(finding: "a"), Rule(), Rule(finding: "b")])
        #expect(check.run(Self.evidence) == CheckResult(.quoteSignature, .pass, .ok, "a; b"))
    }

    @Test func unreadablePartsFailTheRuleThatJudgesThem() {
        let garbage = AttestationEvidence(
            publicArea: [1, 2, 3], akCertificate: [4], attest: [5], signature: [6],
            banks: Result { () throws(PCRBankError) in [try PCRBank(pcrsMember: [:])] }, nonce: .written("zz"))
        #expect(throws: EvidenceIssue.failure(.akPublicUnreadable, "")) { try AttestationKeyCheck().check(garbage) }
        #expect(throws: EvidenceIssue.failure(.attestUnreadable, "")) { try GeneratedQuoteCheck().check(garbage) }
        #expect(throws: EvidenceIssue.failure(.nonceMalformed, "")) { try NonceCheck().check(garbage) }
        #expect(throws: EvidenceIssue.failure(.pcrValuesMalformed, "")) { try PCRCoverageCheck().check(garbage) }
        #expect(garbage.akCertificate == nil)
        #expect(garbage.bank(.sha256) == nil)
    }

    // MARK: A real certificate

    @Test func aRealCertificatesEvidencePassesBothQuoteChecks() throws {
        let certificate = try TamperTests.sample.get().certificate
        let evidence = AttestationEvidence(certificate: certificate)
        #expect(ComposedCheck.quoteSignature.run(evidence).status == .pass)
        #expect(ComposedCheck.quoteContent.run(evidence).status == .pass)
        #expect(evidence.bank(.sha256)?.pcrs == Array(0...15))
        #expect(evidence.bank(.sha256)?[14]?.hexString == certificate.pcrs["sha256"]?["14"])
    }

    /// The PCR values are read once, by the same rules the Python verifier applies: unreadable
    /// values fail `quote-content`, and the event log then has no quoted value to replay against.
    @Test func pcrValuesInUppercaseAreMalformedAndReplayAgainstNothing() async throws {
        let sample = try TamperTests.sample.get()
        var certificate = sample.certificate
        let value = try #require(certificate.pcrs["sha256"]?["14"])
        try #require(value.uppercased() != value)
        certificate.pcrs["sha256"]?["14"] = value.uppercased()
        let report = await CertificateVerifier.verify(
            certificate, options: VerificationOptions(trustRoots: [sample.ca.root], allowUnmeasuredBoot: true))
        #expect(report.check(.quoteContent)?.reason == .pcrValuesMalformed)
        #expect(report.check(.eventLog)?.reason == .pcrReplayMismatch)
    }

    @Test func aBankTheQuoteDoesNotCoverIsMalformed() async throws {
        let sample = try TamperTests.sample.get()
        var certificate = sample.certificate
        certificate.pcrs["sha1"] = ["0": String(repeating: "00", count: 20)]
        let report = await CertificateVerifier.verify(
            certificate, options: VerificationOptions(trustRoots: [sample.ca.root], allowUnmeasuredBoot: true))
        #expect(report.check(.quoteContent)?.reason == .pcrValuesMalformed)
    }

    /// Exporters read the build from the report: the signed command, environment, exit status and times.
    @Test func theReportCarriesTheSignedBuildSummary() async throws {
        let sample = try TamperTests.sample.get()
        let report = await CertificateVerifier.verify(
            sample.certificate, options: VerificationOptions(trustRoots: [sample.ca.root], allowUnmeasuredBoot: true))
        let summary = try #require(report.summary)
        #expect(summary.command == ["python3", "/aicert/inputs/code/train.py"])
        #expect(summary.environment == ["SEED": "7"])
        #expect(summary.exitStatus == 0)
        #expect(summary.durationMilliseconds == 1234)
        #expect(summary.timeoutSeconds == 600)
        let json = try JSONSerialization.jsonObject(with: report.jsonData()) as? [String: Any]
        let written = try #require(json?["summary"] as? [String: Any])
        for key in ["command", "environment", "exit_status", "duration_ms", "timeout_seconds"] {
            #expect(written[key] != nil, "summary.\(key)")
        }
    }
}
