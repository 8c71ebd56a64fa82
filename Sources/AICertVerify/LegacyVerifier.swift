import AICertCore
import Crypto
import Foundation
import SwiftASN1
import TPM2
import X509

/// Verifies a proof file of the original AICert through the same named checks. The format
/// has no AK public area, no nonce, no manifests and no clock, so those parts are judged by
/// what it does carry, and what it cannot show is a warning or a failure, never a pass.
///
/// The report has the same seven checks and reason codes as one of
/// ``CertificateVerifier/verify(_:options:)``, so tools read both alike; its `format` is the
/// legacy format's name and it has no build summary.
public enum LegacyVerifier {
    /// PCRs that software can reset: a log that replays only to one of them proves nothing.
    ///
    /// PCR 16 (debug) and PCR 23 (application) are resettable from software at any locality.
    static let resettablePCRs: Set<Int> = [16, 23]
    /// The platform the format implies: the original AICert ran on Azure only.
    static let platform = PlatformKind.azure.rawValue

    /// Verifies `proof` with `options` and reports every check, even after one failed.
    ///
    /// The certificate chain members may be DER or PEM; the quote is checked by
    /// ``ComposedCheck/quoteSignature`` and the legacy quote-content rules (at best a
    /// `nonce-absent` warning); the event log must replay to a quoted PCR that software cannot
    /// reset; and `boot-state` runs with the implied platform, `azure`, and no image. Policy
    /// requirements and artifacts, when asked for, fail: the format has nothing to check them
    /// against. Never throws: a failure is a check in the report.
    public static func verify(_ proof: LegacyProof, options: VerificationOptions) async -> VerificationReport {
        var chain: [[UInt8]] = []
        var checks: [CheckResult] = []
        var chainProblem: String?
        for (index, bytes) in proof.certificateChain.enumerated() {
            if (try? Certificate(derEncoded: bytes)) != nil {
                chain.append(bytes)
            } else if let text = String(bytes: bytes, encoding: .utf8),
                let certificate = try? Certificate(pemEncoded: text),
                let der = try? certificate.derBytes
            {
                chain.append(der)
            } else {
                chainProblem = "cert_chain[\(index)] is neither a DER nor a PEM certificate"
                break
            }
        }
        let time = options.validationTime ?? Date()
        let anchor: ChainOutcome
        if let chainProblem {
            anchor = ChainOutcome(
                result: .fail(.akChain, .certificateUnreadable, chainProblem), trust: .none, root: nil)
        } else {
            anchor = await ChainCheck.run(chain: chain, trustStore: options.trustStore, at: time)
        }
        checks.append(anchor.result)
        let evidence = AttestationEvidence(legacy: proof, leaf: chain.first)
        checks.append(ComposedCheck.quoteSignature.run(evidence))
        let content = ComposedCheck.legacyQuoteContent.run(evidence)
        checks.append(content)
        // The PCR values are trusted only once the quote's digest is shown to be theirs.
        let quoted = content.status == .fail ? nil : evidence.bank(.sha256)
        checks.append(eventLogCheck(proof, quoted: quoted))
        // The format implies its platform (the original AICert ran on Azure only) and names no image.
        checks.append(
            BootStateCheck.run(platform: Self.platform, image: nil, pcrs: quoted, firmwareLog: nil, options: options))
        if let policy = options.policy, !policy.inputs.isEmpty || !policy.outputs.isEmpty {
            checks.append(
                .fail(
                    .policy, .requirementMissing,
                    "the legacy format names no inputs or outputs to check the policy's requirements against"))
        } else {
            checks.append(
                CheckResult(
                    .policy, .skip, .notRequested,
                    options.policy == nil ? "no policy given" : "the policy requires no inputs or outputs"))
        }
        checks.append(
            options.artifacts.isEmpty
                ? CheckResult(.artifacts, .skip, .notRequested, "no artifact given")
                : .fail(
                    .artifacts, .artifactMismatch,
                    "the legacy format carries no outputs manifest to match artifacts against"))
        return VerificationReport(
            format: LegacyProof.format, platform: Self.platform, trust: anchor.trust,
            trustRoot: anchor.root?.commonName, checks: checks,
            summary: nil)
    }

    /// The log replays, from zeros, to a quoted SHA-256 PCR that software cannot reset.
    ///
    /// Each event is a string, extended as the SHA-256 of its UTF-8. `quoted` is the bank
    /// whose digest the quote signs, or `nil` when `quote-content` failed; the log then has
    /// nothing trustworthy to replay against, and the check fails.
    static func eventLogCheck(_ proof: LegacyProof, quoted: PCRBank?) -> CheckResult {
        guard !proof.eventLog.isEmpty else {
            return .fail(.eventLog, .logGrammar, "the event log is empty: it proves nothing")
        }
        guard let quoted else {
            return .fail(.eventLog, .pcrReplayMismatch, "no trustworthy PCR values to replay the log against")
        }
        let digests = proof.eventLog.map { Array(SHA256.hash(data: Array($0.utf8))) }
        guard let replayed = try? PCRMath.replay(digests, bank: .sha256) else {
            return .fail(.eventLog, .pcrReplayMismatch, "the log cannot be replayed")
        }
        let matches = quoted.pcrs.filter { quoted[$0] == replayed }
        if let pcr = matches.first(where: { !resettablePCRs.contains($0) }) {
            return .pass(.eventLog, "\(proof.eventLog.count) events replay to PCR \(pcr)")
        }
        if let pcr = matches.first {
            return .fail(
                .eventLog, .pcrReplayMismatch,
                "the \(proof.eventLog.count) events replay only to PCR \(pcr), which software can reset: "
                    + "the log proves nothing"
            )
        }
        return .fail(
            .eventLog, .pcrReplayMismatch, "the \(proof.eventLog.count) events replay to no quoted SHA-256 PCR")
    }
}
