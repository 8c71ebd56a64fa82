import AICertCore
import Crypto
import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Judges an RFC 3161 token for a certificate: it must be well formed, time-stamp the SHA-256 of
/// the quote's signature, carry a valid CMS signature by a certificate with the `timeStamping`
/// purpose, and that certificate must chain to a TSA root the verifier chose, valid at the
/// token's time. A token that passes moves the AK chain's check to that time.
public enum TimestampVerifier {
    /// `id-kp-timeStamping`.
    static let timeStampingPurpose: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 3, 8]

    /// What a valid token proves: the time, and the TSA that says so.
    public struct Stamp: Hashable, Sendable {
        /// The token's `genTime`, as RFC 3339 in the report.
        public let time: Date
        /// The TSA certificate's subject.
        public let authority: String
    }

    /// The `timestamp` check for `token` over `signature` (the quote's `TPMT_SIGNATURE` bytes),
    /// and the stamp when it passes. No token: a skip, and the chain is checked now or at `--at`.
    static func check(token: [UInt8]?, signature: [UInt8], roots: [Certificate]) async -> (CheckResult, Stamp?) {
        guard let token else {
            return (
                CheckResult(
                    .timestamp, .skip, .notRequested,
                    "no time-stamp token; the AK chain is checked at the verification time"), nil
            )
        }
        switch await verify(token: token, signature: signature, roots: roots) {
        case .success(let stamp):
            return (
                .pass(
                    .timestamp,
                    "time-stamped by '\(stamp.authority)' at \(RFC3339.string(from: stamp.time)); "
                        + "the AK chain is checked at that time"), stamp
            )
        case .failure(let failure):
            return (.fail(.timestamp, failure.reason, failure.detail), nil)
        }
    }

    /// Why a token is refused: the `timestamp` check's reason code and what failed.
    public struct Failure: Error, CustomStringConvertible {
        public let reason: CheckReason
        public let detail: String

        public var description: String { detail }
    }

    /// Verifies `token` over `signature` (the quote's `TPMT_SIGNATURE` bytes) against `roots`.
    public static func verify(token bytes: [UInt8], signature: [UInt8], roots: [Certificate]) async -> Result<
        Stamp, Failure
    > {
        let token: TimeStampToken
        do {
            token = try TimeStampToken(derEncoded: bytes)
        } catch {
            return .failure(Failure(reason: .timestampMalformed, detail: "the time-stamp token: \(error)"))
        }
        guard token.imprintAlgorithm == TimeStampToken.OID.sha256,
            token.imprint == Array(SHA256.hash(data: signature))
        else {
            return .failure(
                Failure(
                    reason: .timestampImprintMismatch,
                    detail: "the token time-stamps \(token.imprint.hexString), not the SHA-256 of the quote's "
                        + "signature \(Array(SHA256.hash(data: signature)).hexString)"))
        }
        let signer: Certificate
        switch signedBy(token) {
        case .success(let certificate): signer = certificate
        case .failure(let failure): return .failure(failure)
        }
        guard let usage = try? signer.extensions.extendedKeyUsage, usage.contains(.timeStamping) else {
            return .failure(
                Failure(
                    reason: .timestampPurposeMissing,
                    detail: "the TSA certificate '\(signer.subject)' lacks the timeStamping extended key usage "
                        + "(1.3.6.1.5.5.7.3.8)"))
        }
        guard !roots.isEmpty else {
            return .failure(
                Failure(
                    reason: .timestampUntrusted,
                    detail: "no TSA root is configured (--tsa-root, or tsa_roots in the policy) to check "
                        + "'\(signer.issuer)' against"))
        }
        var verifier = Verifier(rootCertificates: CertificateStore(roots)) {
            RFC5280Policy(fixedExpiryValidationTime: token.time)
            TimeStampingChainPolicy()
        }
        let result = await verifier.validate(leaf: signer, intermediates: CertificateStore(token.certificates))
        guard case .validCertificate = result else {
            return .failure(
                Failure(
                    reason: .timestampUntrusted,
                    detail: "the TSA certificate '\(signer.subject)' does not chain to a trusted TSA root at "
                        + "\(RFC3339.string(from: token.time))"))
        }
        return .success(Stamp(time: token.time, authority: "\(signer.subject)"))
    }

    /// The certificate that signed the token, once its CMS signature checks out.
    private static func signedBy(_ token: TimeStampToken) -> Result<Certificate, Failure> {
        func invalid(_ detail: String) -> Result<Certificate, Failure> {
            .failure(Failure(reason: .timestampSignatureInvalid, detail: detail))
        }
        let signer = token.signer
        guard signer.contentType == TimeStampToken.OID.tstInfo else {
            return invalid("the signed contentType is not TSTInfo")
        }
        guard let digest = digest(token.content, algorithm: signer.digestAlgorithm), digest == signer.messageDigest
        else {
            return invalid("the signed messageDigest does not match the token's TSTInfo")
        }
        let candidates = token.certificates.filter { certificate in
            switch signer.identifier {
            case .issuerAndSerial(let issuer, let serial):
                certificate.issuer == issuer && certificate.serialNumber == serial
            case .subjectKeyIdentifier(let identifier):
                (try? certificate.extensions.subjectKeyIdentifier).flatMap { $0 }.map {
                    Array($0.keyIdentifier) == identifier
                } ?? false
            }
        }
        guard let certificate = candidates.first else {
            return invalid("the token does not carry its signer's certificate (it was requested with certReq)")
        }
        guard let algorithm = signatureAlgorithm(signer.signatureAlgorithm, digest: signer.digestAlgorithm),
            certificate.publicKey.isValidSignature(
                signer.signature, for: signer.signedAttributes, signatureAlgorithm: algorithm)
        else {
            return invalid("the TSA's signature over the token does not verify with '\(certificate.subject)'")
        }
        return .success(certificate)
    }

    private static func digest(_ bytes: [UInt8], algorithm: ASN1ObjectIdentifier) -> [UInt8]? {
        switch algorithm {
        case TimeStampToken.OID.sha256: Array(SHA256.hash(data: bytes))
        case TimeStampToken.OID.sha384: Array(SHA384.hash(data: bytes))
        case TimeStampToken.OID.sha512: Array(SHA512.hash(data: bytes))
        default: nil
        }
    }

    /// The X.509 signature algorithm of a CMS signer, whose RSA signatures often name only
    /// `rsaEncryption` and leave the hash to the digest algorithm.
    private static func signatureAlgorithm(
        _ algorithm: ASN1ObjectIdentifier, digest: ASN1ObjectIdentifier
    ) -> Certificate.SignatureAlgorithm? {
        typealias OID = TimeStampToken.OID
        let table: [(signature: [ASN1ObjectIdentifier], digest: ASN1ObjectIdentifier, Certificate.SignatureAlgorithm)] =
            [
                ([OID.rsaEncryption, OID.sha256WithRSA], OID.sha256, .sha256WithRSAEncryption),
                ([OID.rsaEncryption, OID.sha384WithRSA], OID.sha384, .sha384WithRSAEncryption),
                ([OID.rsaEncryption, OID.sha512WithRSA], OID.sha512, .sha512WithRSAEncryption),
                ([OID.ecPublicKey, OID.ecdsaWithSHA256], OID.sha256, .ecdsaWithSHA256),
                ([OID.ecPublicKey, OID.ecdsaWithSHA384], OID.sha384, .ecdsaWithSHA384),
                ([OID.ecPublicKey, OID.ecdsaWithSHA512], OID.sha512, .ecdsaWithSHA512),
            ]
        return table.first { $0.signature.contains(algorithm) && $0.digest == digest }?.2
    }
}

/// The chain of a TSA certificate: its extended key usage (critical, as RFC 3161 asks) is
/// checked by ``TimestampVerifier`` itself, so the chain validation accepts it as handled.
struct TimeStampingChainPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    mutating func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        guard let usage = try? chain.leaf.extensions.extendedKeyUsage, usage.contains(.timeStamping) else {
            return .failsToMeetPolicy(reason: "the TSA certificate lacks the timeStamping purpose")
        }
        return .meetsPolicy
    }
}

extension TimestampVerifier.Stamp: Codable {
    enum CodingKeys: String, CodingKey { case time, authority }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .time)
        guard let time = RFC3339.date(from: text) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: container, debugDescription: "not RFC 3339")
        }
        self.time = time
        authority = try container.decode(String.self, forKey: .authority)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(RFC3339.string(from: time), forKey: .time)
        try container.encode(authority, forKey: .authority)
    }
}
