import AICertCore
import Foundation
import TPM2

/// Verifies an `aicert/v1` certificate offline: runs every check of
/// docs/verification-rules.md in order and reports each, even after one failed. Only the
/// quote, the event log and the verifier's own choices decide; `runner_time` is never read.
public enum CertificateVerifier {
    public static func verify(_ certificate: AICertificate, options: VerificationOptions) async -> VerificationReport {
        let chain = certificate.attestationKey.certificateChain.map(\.bytes)
        let (timestamp, stamp) = await TimestampVerifier.check(
            token: certificate.timestampToken?.bytes, signature: certificate.quote.signature.bytes,
            roots: options.timestampRoots)
        let anchor = await ChainCheck.run(
            chain: chain, trustStore: options.trustStore, at: stamp?.time ?? options.validationTime ?? Date(),
            stamped: stamp != nil)
        let evidence = AttestationEvidence(certificate: certificate)
        let pcrs = evidence.bank(.sha256)
        var checks = [
            timestamp, anchor.result, ComposedCheck.quoteSignature.run(evidence),
            ComposedCheck.quoteContent.run(evidence),
        ]
        let (summary, eventLog) = EventLogCheck.run(certificate, pcrs: pcrs)
        checks.append(eventLog)
        checks.append(
            BootStateCheck.run(
                platform: summary?.platform, image: summary?.image, pcrs: pcrs,
                firmwareLog: certificate.firmwareEventLog?.bytes, options: options))
        checks.append(PolicyCheck.run(summary: summary, policy: options.policy))
        checks.append(await ArtifactCheck.run(paths: options.artifacts, outputs: certificate.manifests.outputs))
        return VerificationReport(
            format: certificate.format, platform: summary?.platform, trust: anchor.trust,
            trustRoot: anchor.root?.commonName,
            checks: checks, summary: summary, timestamp: stamp)
    }
}
