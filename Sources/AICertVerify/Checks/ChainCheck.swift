import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// `ak-chain`: the AK certificate chains to a trusted root, valid at the attestation time.
enum ChainCheck {
    /// More certificates than any real platform chain has.
    static let maximumChainLength = 8

    static func run(chain: [[UInt8]], trustStore: TrustStore, at time: Date, platform: String) async -> CheckResult {
        func fail(_ detail: String) -> CheckResult { CheckResult(.akChain, .fail, detail) }
        guard !chain.isEmpty else { return fail("the certificate carries no AK certificate") }
        guard chain.count <= maximumChainLength else {
            return fail("the chain has \(chain.count) certificates, more than \(maximumChainLength)")
        }
        var certificates: [Certificate] = []
        for (index, der) in chain.enumerated() {
            guard let certificate = try? Certificate(derEncoded: der) else {
                return fail("certificate \(index) of the chain is not a DER X.509 certificate")
            }
            certificates.append(certificate)
        }
        guard !trustStore.roots.isEmpty else { return fail("no trusted root is configured") }
        for certificate in certificates + trustStore.roots where !certificate.isValid(at: time) {
            guard certificates.contains(certificate) || certificate.isIssuer(of: certificates) else { continue }
            return fail(
                "'\(certificate.commonName)' is \(time < certificate.notValidBefore ? "not yet valid" : "expired") at "
                    + "\(Self.format(time)) (valid \(Self.format(certificate.notValidBefore)) to \(Self.format(certificate.notValidAfter)))")
        }
        let leaf = certificates[0]
        var verifier = Verifier(rootCertificates: CertificateStore(trustStore.roots)) {
            RFC5280Policy(fixedExpiryValidationTime: time)
            AttestationKeyChainPolicy()
        }
        let result = await verifier.validate(leaf: leaf, intermediates: CertificateStore(Array(certificates.dropFirst())))
        switch result {
        case .validCertificate(let validated):
            let root = validated.last ?? leaf
            let development = platform == "local" ? " (development platform)" : ""
            return CheckResult(
                .akChain, .pass,
                "AK certificate '\(leaf.commonName)' chains to '\(root.commonName)'\(development), valid at \(Self.format(time))")
        case .couldNotValidate(let failures):
            return fail(Self.explain(leaf: leaf, carried: certificates, trustStore: trustStore, failures: failures))
        }
    }

    /// The most useful reason a chain did not validate: a missing link first, then the policy's own words.
    private static func explain(
        leaf: Certificate, carried: [Certificate], trustStore: TrustStore,
        failures: [CertificateValidationResult.PolicyFailure]
    ) -> String {
        var current = leaf
        var seen: Set<Certificate> = [leaf]
        while true {
            if trustStore.roots.contains(where: { $0.subject == current.issuer }) { break }
            guard let next = carried.first(where: { $0.subject == current.issuer && !seen.contains($0) }) else {
                return "no path to a trusted root: the issuer '\(current.issuer.commonName)' of '\(current.commonName)' "
                    + "is neither carried in the chain nor a trusted root"
            }
            seen.insert(next)
            current = next
        }
        if let failure = failures.first {
            return "the chain of '\(leaf.commonName)' does not validate: \(failure.policyFailureReason)"
        }
        return "the chain of '\(leaf.commonName)' does not validate: no candidate chain reached a trusted root "
            + "(a signature does not verify against its issuer's key)"
    }

    static func format(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}

/// What RFC 5280 path validation leaves to the application, for AK chains: every issuer's key
/// usage (when present) allows signing certificates, and the leaf may carry the critical
/// subject alternative name that TCG-style AK certificates with an empty subject have.
public struct AttestationKeyChainPolicy: VerifierPolicy {
    public let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.subjectAlternativeName]

    public init() {}

    public mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for issuer in chain.dropFirst() {
            guard let usage = try? issuer.extensions.keyUsage else { continue }
            if !usage.keyCertSign {
                return .failsToMeetPolicy(reason: "'\(issuer.commonName)' issues certificates, but its key usage does not allow keyCertSign")
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
