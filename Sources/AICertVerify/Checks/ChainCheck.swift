import AICertCore
import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// What the chain check found: its result, and the root that anchored the chain.
struct ChainOutcome {
    var result: CheckResult
    var trust: TrustLevel
    var root: Certificate?
}

/// `ak-chain`: the AK certificate chains to a trusted root, valid at the verification time,
/// and it (and every issuer that restricts purposes) allows the TCG AK purpose.
enum ChainCheck {
    /// More certificates than any real platform chain has.
    static let maximumChainLength = 8
    /// `tcg-kp-AIKCertificate`: the extended key usage of an attestation key certificate.
    static let attestationKeyPurpose: ASN1ObjectIdentifier = [2, 23, 133, 8, 3]

    /// Checks `chain` at `time`: the time-stamp token's when `stamped`, else now or `--at`.
    static func run(chain: [[UInt8]], trustStore: TrustStore, at time: Date, stamped: Bool = false) async
        -> ChainOutcome
    {
        let when = RFC3339.string(from: time) + (stamped ? " (the time-stamp token's time)" : "")
        func fail(_ reason: CheckReason, _ detail: String) -> ChainOutcome {
            ChainOutcome(result: .fail(.akChain, reason, detail), trust: .none, root: nil)
        }
        guard !chain.isEmpty else { return fail(.chainMissing, "the certificate carries no AK certificate") }
        guard chain.count <= maximumChainLength else {
            return fail(.chainTooLong, "the chain has \(chain.count) certificates, more than \(maximumChainLength)")
        }
        var certificates: [Certificate] = []
        for (index, der) in chain.enumerated() {
            guard let certificate = try? Certificate(derEncoded: der) else {
                return fail(.certificateUnreadable, "certificate \(index) of the chain is not a DER X.509 certificate")
            }
            certificates.append(certificate)
        }
        guard !trustStore.roots.isEmpty else { return fail(.untrustedRoot, "no trusted root is configured") }
        for certificate in certificates + trustStore.roots where !certificate.isValid(at: time) {
            guard certificates.contains(certificate) || certificate.isIssuer(of: certificates) else { continue }
            return fail(
                .certificateExpired,
                "'\(certificate.commonName)' is \(time < certificate.notValidBefore ? "not yet valid" : "expired") at "
                    + "\(when) (valid \(RFC3339.string(from: certificate.notValidBefore)) to "
                    + "\(RFC3339.string(from: certificate.notValidAfter)))")
        }
        let leaf = certificates[0]
        guard Self.allowsAttestation(leaf, required: true) else {
            return fail(
                .akPurposeMissing,
                "the AK certificate '\(leaf.commonName)' lacks the TCG AK extended key usage (2.23.133.8.3): "
                    + "its CA did not certify it as an attestation key")
        }
        var verifier = Verifier(rootCertificates: CertificateStore(trustStore.roots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            AttestationKeyChainPolicy()
        }
        let result = await verifier.validate(
            leaf: leaf, intermediates: CertificateStore(Array(certificates.dropFirst())))
        switch result {
        case .validCertificate(let validated):
            let root = validated.last ?? leaf
            if let issuer = validated.dropFirst().first(where: { !Self.allowsAttestation($0, required: false) }) {
                return fail(
                    .akPurposeMissing,
                    "'\(issuer.commonName)' restricts the purposes it certifies, and attestation keys (2.23.133.8.3) "
                        + "are not among them"
                )
            }
            let trust = trustStore.trust(of: root)
            let shown = trust == .production ? "" : " (\(trust.rawValue) root)"
            return ChainOutcome(
                result: .pass(
                    .akChain,
                    "AK certificate '\(leaf.commonName)' chains to '\(root.commonName)'\(shown), valid at \(when)"
                ),
                trust: trust, root: root)
        case .couldNotValidate(let failures):
            let (reason, detail) = Self.explain(
                leaf: leaf, carried: certificates, trustStore: trustStore, failures: failures)
            return fail(reason, detail)
        }
    }

    /// Whether `certificate` allows the AK purpose: it names it (or any purpose), or, unless
    /// `required`, has no extended key usage at all.
    static func allowsAttestation(_ certificate: Certificate, required: Bool) -> Bool {
        guard let usage = try? certificate.extensions.extendedKeyUsage else {
            return !required && certificate.extensions[oid: .X509ExtensionID.extendedKeyUsage] == nil
        }
        return usage.contains(ExtendedKeyUsage.Usage(oid: attestationKeyPurpose)) || usage.contains(.any)
    }

    /// The most useful reason a chain did not validate: a missing link first, then the policy's own words.
    private static func explain(
        leaf: Certificate, carried: [Certificate], trustStore: TrustStore,
        failures: [CertificateValidationResult.PolicyFailure]
    ) -> (CheckReason, String) {
        var current = leaf
        var seen: Set<Certificate> = [leaf]
        while true {
            if trustStore.roots.contains(where: { $0.subject == current.issuer }) { break }
            guard let next = carried.first(where: { $0.subject == current.issuer && !seen.contains($0) }) else {
                return (
                    .untrustedRoot,
                    "no path to a trusted root: the issuer '\(current.issuer.commonName)' of '\(current.commonName)' "
                        + "is neither carried in the chain nor a trusted root\(Self.hint(for: current.issuer))"
                )
            }
            seen.insert(next)
            current = next
        }
        if let failure = failures.first {
            return (
                .chainInvalid, "the chain of '\(leaf.commonName)' does not validate: \(failure.policyFailureReason)"
            )
        }
        return (
            .untrustedRoot,
            "the chain of '\(leaf.commonName)' does not validate: no candidate chain reached a trusted root "
                + "(a signature does not verify against its issuer's key)"
        )
    }

    /// Where a development root lives, when the missing issuer looks like one.
    private static func hint(for issuer: DistinguishedName) -> String {
        guard issuer.commonName.hasPrefix("AICert Development") else { return "" }
        return "; a local development certificate verifies with --trust-root ~/.aicert/ca/root.pem "
            + "(the root of the CA in AICERT_HOME that made it)"
    }
}

/// What RFC 5280 path validation leaves to the application, for AK chains: every issuer's key
/// usage (when present) allows signing certificates, and the leaf may carry the critical
/// subject alternative name that TCG-style AK certificates with an empty subject have.
public struct AttestationKeyChainPolicy: VerifierPolicy {
    public let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.subjectAlternativeName]

    public init() {}

    public mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult
    {
        for issuer in chain.dropFirst() {
            guard let usage = try? issuer.extensions.keyUsage else { continue }
            if !usage.keyCertSign {
                return .failsToMeetPolicy(
                    reason: "'\(issuer.commonName)' issues certificates, but its key usage does not allow keyCertSign")
            }
        }
        return .meetsPolicy
    }
}

extension Certificate {
    func isValid(at time: Date) -> Bool {
        notValidBefore <= time && time <= notValidAfter
    }

    /// Whether this certificate issued one of `certificates` (by name).
    func isIssuer(of certificates: [Certificate]) -> Bool {
        certificates.contains { $0.issuer == subject }
    }

    /// The subject's common name, or the whole subject when it has none.
    var commonName: String { subject.commonName }
}

extension DistinguishedName {
    /// The last common name, or the whole name when it has none.
    var commonName: String {
        for rdn in reversed() {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return description
    }
}
