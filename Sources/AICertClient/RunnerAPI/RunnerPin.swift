import AICertCore
import SwiftASN1
import X509

/// A runner's TLS certificate, as the connection its identity came over presented it: the key
/// its quote must bind, then the only certificate a later connection may present.
public struct RunnerPin: Hashable, Sendable {
    /// The certificate, DER.
    public let certificate: [UInt8]
    /// The SHA-256 of its `SubjectPublicKeyInfo` (``ChannelBinding``).
    public let keyDigest: SHA256Hash

    /// The pin of a DER certificate; throws a ``RunnerClientError`` when it is not X.509.
    public init(certificate: [UInt8]) throws {
        let parsed: Certificate
        do {
            parsed = try Certificate(derEncoded: certificate)
        } catch {
            throw RunnerClientError(
                status: 0, code: "bad_certificate", detail: "the runner's TLS certificate is not DER X.509: \(error)")
        }
        self.certificate = certificate
        keyDigest = ChannelBinding.keyDigest(spki: parsed.publicKey.subjectPublicKeyInfoBytes)
    }
}
