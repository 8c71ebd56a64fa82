import AICertCore
import Crypto
import Foundation

/// A DSSE envelope (Dead Simple Signing Envelope) around an in-toto statement, signed with a
/// P-256 key the user holds.
///
/// The signature says only who published the statement; what proves the build is the
/// certificate. ECDSA signatures are randomised, so the envelope's `sig` differs between runs
/// while its `payload` (the exported statement) stays byte-identical.
public struct DSSEEnvelope {
    public static let payloadType = "application/vnd.in-toto+json"

    private let key: P256.Signing.PrivateKey

    /// An envelope signer with the PEM EC P-256 private key `pem` (SEC 1 or PKCS #8).
    ///
    /// - Throws: ``ExportError`` with code `badSigningKey` when `pem` is not such a key.
    public init(privateKeyPEM pem: String) throws {
        do {
            key = try P256.Signing.PrivateKey(pemRepresentation: pem)
        } catch {
            throw ExportError(.badSigningKey, "not a PEM EC P-256 private key: \(error)")
        }
    }

    /// The key id: SHA-256 of the public key's DER SubjectPublicKeyInfo, in hex.
    public var keyID: String { SHA256Hash.of(key.publicKey.derRepresentation).hex }

    /// The pre-authentication encoding that is signed: `DSSEv1 LEN(type) type LEN(body) body`.
    public static func preAuthenticationEncoding(payloadType: String, payload: [UInt8]) -> [UInt8] {
        Array("DSSEv1 \(payloadType.utf8.count) \(payloadType) \(payload.count) ".utf8) + payload
    }

    /// The envelope of `statement` (export bytes), signed over their PAE.
    public func envelope(of statement: [UInt8]) throws -> JSONValue {
        let signed = Self.preAuthenticationEncoding(payloadType: Self.payloadType, payload: statement)
        let signature: P256.Signing.ECDSASignature
        do {
            signature = try key.signature(for: signed)
        } catch {
            throw ExportError(.badSigningKey, "signing failed: \(error)")
        }
        return .object([
            "payload": .string(Data(statement).base64EncodedString()),
            "payloadType": .string(Self.payloadType),
            "signatures": .array([
                .object([
                    "keyid": .string(keyID), "sig": .string(signature.derRepresentation.base64EncodedString()),
                ])
            ]),
        ])
    }
}
