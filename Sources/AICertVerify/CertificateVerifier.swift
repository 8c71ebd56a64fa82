import AICertCore
import Foundation

/// Verifies an `aicert/v1` certificate offline: runs every check of
/// docs/certificate-format.md in order and reports each, even after one failed.
public enum CertificateVerifier {
    public static func verify(_ certificate: AICertificate, options: VerificationOptions) async -> VerificationReport {
        let chain = certificate.attestationKey.certificateChain.map(\.bytes)
        let time = options.validationTime ?? RFC3339.date(from: certificate.runnerTime)
        var checks: [CheckResult] = []
        if let time {
            checks.append(await ChainCheck.run(chain: chain, trustStore: options.trustStore, at: time, platform: certificate.platform))
        } else {
            checks.append(CheckResult(.akChain, .fail, "runner_time '\(certificate.runnerTime)' is not an RFC 3339 time; give one with --at"))
        }
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
                platform: certificate.platform, pcrs: certificate.pcrs, policy: options.policy,
                firmwareLog: certificate.firmwareEventLog?.bytes))
        checks.append(PolicyCheck.run(summary: summary, policy: options.policy))
        checks.append(await ArtifactCheck.run(paths: options.artifacts, outputs: certificate.manifests.outputs))
        return VerificationReport(
            format: certificate.format, platform: certificate.platform, checks: checks,
            inputs: summary?.inputs ?? [], outputs: summary?.outputs ?? [])
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
