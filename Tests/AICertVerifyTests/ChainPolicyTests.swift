import AICertClient
import AICertCore
import AICertVerify
import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

/// Chains that RFC 5280 path building alone would judge differently from an AK chain policy.
@Suite(.timeLimit(.minutes(3)))
struct ChainPolicyTests {
    /// A root, an intermediate made by `intermediateUsage`, and the sample's AK re-certified
    /// under it with `leafSubject` and `leafExtensions`.
    static func rechain(
        _ certificate: AICertificate, intermediateUsage: KeyUsage, leafSubject: DistinguishedName,
        leafExtensions: Certificate.Extensions
    ) throws -> (AICertificate, Certificate) {
        let rootKey = P256.Signing.PrivateKey()
        let intermediateKey = P256.Signing.PrivateKey()
        let rootName = try DistinguishedName { CommonName("Test Root") }
        let intermediateName = try DistinguishedName { CommonName("Test Intermediate") }
        let now = Date()
        let root = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(rootKey.publicKey), notValidBefore: now - 3600,
            notValidAfter: now + 86_400 * 365, issuer: rootName, subject: rootName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(rootKey))
        let intermediate = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: .init(intermediateKey.publicKey),
            notValidBefore: now - 3600,
            notValidAfter: now + 86_400 * 365, issuer: rootName, subject: intermediateName,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: 0))
                Critical(intermediateUsage)
            },
            issuerPrivateKey: .init(rootKey))
        let akKey = try Certificate(derEncoded: certificate.attestationKey.certificateChain[0].bytes).publicKey
        let leaf = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: akKey, notValidBefore: now - 3600,
            notValidAfter: now + 86_400,
            issuer: intermediateName, subject: leafSubject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: leafExtensions,
            issuerPrivateKey: .init(intermediateKey))
        var rechained = certificate
        rechained.attestationKey.certificateChain = [
            Base64Bytes(try leaf.derBytes), Base64Bytes(try intermediate.derBytes),
        ]
        return (rechained, root)
    }

    static let akExtensions = Result {
        try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([DevelopmentCA.attestationKeyPurpose])
        }
    }

    @Test func anIntermediateWhoseKeyUsageForbidsCertificateSigningFailsTheChain() async throws {
        let sample = try TamperTests.sample.get()
        let (certificate, root) = try Self.rechain(
            sample.certificate, intermediateUsage: KeyUsage(digitalSignature: true),
            leafSubject: try DistinguishedName { CommonName("AK") }, leafExtensions: try Self.akExtensions.get())
        let report = await CertificateVerifier.verify(certificate, options: VerificationOptions(trustRoots: [root]))
        #expect(report.check(.akChain)?.status == .fail)
        #expect(report.check(.akChain)?.detail.contains("keyCertSign") == true, "\(report.checks)")
        #expect(report.check(.akChain)?.reason == .chainInvalid)
    }

    @Test func aTCGStyleAKCertificateWithAnEmptySubjectAndACriticalSANIsAccepted() async throws {
        let sample = try TamperTests.sample.get()
        let san = SubjectAlternativeNames([
            .directoryName(try DistinguishedName { CommonName("vm-0f3a") })
        ])
        let extensions = try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            Critical(san)
            try ExtendedKeyUsage([DevelopmentCA.attestationKeyPurpose])
        }
        let (certificate, root) = try Self.rechain(
            sample.certificate, intermediateUsage: KeyUsage(keyCertSign: true), leafSubject: DistinguishedName(),
            leafExtensions: extensions)
        let report = await CertificateVerifier.verify(certificate, options: VerificationOptions(trustRoots: [root]))
        #expect(report.check(.akChain)?.status == .pass, "\(report.checks)")
        #expect(report.check(.quoteSignature)?.status == .pass, "\(report.checks)")
        #expect(report.trust == .custom, "a root without the development marker that the user passed")
    }
}
