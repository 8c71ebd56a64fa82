import AICertVerify
import Foundation
import TPM2
import X509

/// Lays out a TPM like an Azure Trusted Launch vTPM: an attestation key persisted at
/// `0x81000003` and its certificate, issued by a CA, in NV index `0x01C101D0`.
///
/// The local platform and the tests use this one piece, so the runner reads the same layout
/// whether the TPM is swtpm or a cloud vTPM.
public enum VirtualTPMLayout {
    /// The key type of the attestation key.
    public enum KeyType: String, Sendable, CaseIterable {
        case rsa, ecc

        var template: PublicArea {
            switch self {
            case .rsa: PublicArea.rsaAttestationKeyTemplate
            case .ecc: PublicArea.eccAttestationKeyTemplate
            }
        }
    }

    /// What was provisioned: the AK's public area and its certificate.
    public struct AttestationKey: Sendable {
        public let publicArea: PublicArea
        public let certificate: Certificate
    }

    /// Creates the AK under the endorsement hierarchy, persists it, and stores its certificate
    /// issued by `ca`. Replaces an AK or certificate already there.
    public static func provision(
        _ tpm: TPMClient, ca: DevelopmentCA, keyType: KeyType = .rsa,
        notBefore: Date = Date().addingTimeInterval(-3600), notAfter: Date = Date().addingTimeInterval(365 * 86_400)
    ) throws -> AttestationKey {
        try provision(tpm, ca: ca, template: keyType.template, notBefore: notBefore, notAfter: notAfter)
    }

    /// As ``provision(_:ca:keyType:notBefore:notAfter:)`` with any key template, so that tests
    /// can lay out a TPM whose "AK" is not a proper attestation key.
    public static func provision(
        _ tpm: TPMClient, ca: DevelopmentCA, template: PublicArea, notBefore: Date, notAfter: Date
    ) throws -> AttestationKey {
        let created = try tpm.createPrimary(template, in: .endorsement)
        defer { try? tpm.flush(created.handle) }
        if (try? tpm.readPublic(.attestationKey)) != nil {
            try tpm.evict(.attestationKey)
        }
        try tpm.persist(created.handle, at: .attestationKey)

        let key = try AttestationPublicKey(created.publicArea)
        let name = try created.publicArea.name()
        let certificate = try ca.issueAttestationKeyCertificate(
            subjectPublicKeyInfo: key.derRepresentation,
            commonName: "AICert development AK " + name.prefix(10).map { String(format: "%02x", $0) }.joined(),
            notBefore: notBefore, notAfter: notAfter)
        let der = try certificate.derBytes
        if (try? tpm.nvReadPublic(.attestationKeyCertificateNV)) != nil {
            try tpm.undefineNVIndex(.attestationKeyCertificateNV)
        }
        try tpm.defineNVIndex(.attestationKeyCertificateNV, size: der.count)
        try tpm.nvWrite(.attestationKeyCertificateNV, der)
        return AttestationKey(publicArea: created.publicArea, certificate: certificate)
    }
}
