import SwiftASN1
import TPM2
import X509

/// The key that signed the quote is acceptable and certified.
///
/// With a `TPMT_PUBLIC`, the AK must be a restricted signing key generated in, and bound to,
/// its TPM (without `restricted` the TPM would sign forged quotes), of an accepted type and
/// size, and the key of the AK certificate. Without one, the AK certificate's own key must be
/// acceptable. Reasons: `ak-public-unreadable`, `ak-not-restricted`, `ak-key-unacceptable`,
/// `ak-certificate-unreadable`, `ak-key-mismatch`.
public struct AttestationKeyCheck: EvidenceCheck {
    /// What a TPM-resident attestation key must be.
    ///
    /// `fixedTPM` and `sensitiveDataOrigin`: the TPM generated the key and it cannot leave it;
    /// `restricted` and `sign`: it signs only data the TPM has checked, so never a forged
    /// quote. A key that can also `decrypt` is refused.
    public static let requiredAttributes: ObjectAttributes = [.fixedTPM, .sensitiveDataOrigin, .restricted, .sign]

    /// The rule; it has no settings.
    public init() {}

    /// Finds the key's type and the AK certificate's name, or throws why the key that signed
    /// the quote is not acceptable or not certified.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let (key, certificate) = try Self.key(of: evidence)
        switch evidence.signingKey {
        case .publicArea:
            return "the AK (\(key.summary)) is a restricted signing key bound to its TPM and the key of AK "
                + "certificate '\(certificate.commonName)'"
        case .certificateKey:
            return "the key (\(key.summary)) of AK certificate '\(certificate.commonName)' signed"
        }
    }

    /// The key that signed the quote, once shown acceptable, and the AK certificate.
    static func key(of evidence: AttestationEvidence) throws(EvidenceIssue) -> (AttestationPublicKey, Certificate) {
        switch evidence.signingKey {
        case .publicArea(let parsed):
            let publicArea = try parsed.get()
            let missing = requiredAttributes.subtracting(publicArea.attributes)
            guard missing.isEmpty, !publicArea.attributes.contains(.decrypt) else {
                throw .failure(
                    .akNotRestricted,
                    "the AK is not a restricted signing key bound to its TPM "
                        + "(attributes 0x\(String(publicArea.attributes.rawValue, radix: 16)))")
            }
            let key: AttestationPublicKey
            do {
                key = try AttestationPublicKey(publicArea)
            } catch {
                throw .failure(.akKeyUnacceptable, "the AK is not usable: \(error)")
            }
            let certificate = try certificate(of: evidence)
            guard let akKey = try? Certificate.PublicKey(derEncoded: key.derRepresentation),
                akKey == certificate.publicKey
            else {
                throw .failure(
                    .akKeyMismatch,
                    "the AK in the certificate is not the key of the AK certificate '\(certificate.commonName)'")
            }
            return (key, certificate)
        case .certificateKey:
            let certificate = try certificate(of: evidence)
            do {
                return (try AttestationPublicKey(subjectPublicKeyInfo: try certificate.publicKeyDERBytes), certificate)
            } catch {
                throw .failure(.akKeyUnacceptable, "the AK certificate's key is not usable: \(error)")
            }
        }
    }

    /// The AK certificate, or the `ak-certificate-unreadable` issue when none was read.
    private static func certificate(of evidence: AttestationEvidence) throws(EvidenceIssue) -> Certificate {
        guard let certificate = evidence.akCertificate else {
            throw .failure(.akCertificateUnreadable, "there is no readable AK certificate to compare the AK with")
        }
        return certificate
    }
}

/// The signature over the quote verifies with the acceptable, certified key of
/// ``AttestationKeyCheck``. Reasons: those of the key, `signature-unreadable`, `signature-invalid`.
///
/// The signature is checked over ``AttestationEvidence/attest``, the bytes exactly as the TPM
/// signed them.
public struct QuoteSignatureCheck: EvidenceCheck {
    /// The rule; it has no settings.
    public init() {}

    /// Finds the signature's scheme and hash once it verifies, or throws the key's issue,
    /// `signature-unreadable` or `signature-invalid`.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let (key, _) = try AttestationKeyCheck.key(of: evidence)
        let signature = try evidence.signature.get()
        do {
            try key.verify(signature, over: evidence.attest)
        } catch {
            throw .failure(.signatureInvalid, "\(error)")
        }
        return "its \(signature.scheme) signature with \(signature.hash) over the quote verifies"
    }
}

/// A short name of an attestation key for the report.
extension AttestationPublicKey {
    /// `RSA 2048` or `ECC nistP256`, for reports.
    var summary: String {
        switch publicArea.key {
        case .rsa(_, _, let keyBits, _, _): "RSA \(keyBits)"
        case .ecc(_, _, let curve, _, _, _): "ECC \(curve)"
        }
    }
}
