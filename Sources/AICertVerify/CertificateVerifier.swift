import AICertCore
import Foundation

/// Verifies an `aicert/v1` certificate offline: runs every check of
/// docs/verification-rules.md in order and reports each, even after one failed. Only the
/// quote, the event log and the verifier's own choices decide; `runner_time` is never read.
public enum CertificateVerifier {
    public static func verify(_ certificate: AICertificate, options: VerificationOptions) async -> VerificationReport {
        let chain = certificate.attestationKey.certificateChain.map(\.bytes)
        let anchor = await ChainCheck.run(chain: chain, trustStore: options.trustStore, at: options.validationTime ?? Date())
        var checks = [anchor.result]
        checks.append(
            QuoteSignatureCheck.run(
                publicArea: certificate.attestationKey.publicArea.bytes, leafCertificate: chain.first,
                attest: certificate.quote.attest.bytes, signature: certificate.quote.signature.bytes))
        checks.append(
            QuoteContentCheck.run(
                attest: certificate.quote.attest.bytes, signature: certificate.quote.signature.bytes,
                nonce: certificate.nonce, pcrs: certificate.pcrs))
        let (summary, eventLog) = EventLogCheck.run(certificate)
        checks.append(eventLog)
        checks.append(
            BootStateCheck.run(
                platform: summary?.platform, image: summary?.image, pcrs: certificate.pcrs,
                firmwareLog: certificate.firmwareEventLog?.bytes, options: options))
        checks.append(PolicyCheck.run(summary: summary, policy: options.policy))
        checks.append(await ArtifactCheck.run(paths: options.artifacts, outputs: certificate.manifests.outputs))
        return VerificationReport(
            format: certificate.format, platform: summary?.platform, trust: anchor.trust, trustRoot: anchor.root?.commonName,
            checks: checks, summary: summary)
    }
}

/// RFC 3339 times as the certificate and `--at` write them.
public enum RFC3339 {
    /// `2026-11-25T07:40:00Z`, with or without fractional seconds, or an offset.
    public static func date(from text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    /// `2026-11-25T07:40:00Z`.
    public static func string(from date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
