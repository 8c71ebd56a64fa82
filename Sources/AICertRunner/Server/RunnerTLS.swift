import AICertCore
import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// The runner's TLS identity: a P-256 key made at start, kept in memory only, and a
/// self-signed certificate for it. The key's SPKI digest is signed into the runner event and
/// bound into every quote (``ChannelBinding``), so a client that pins it knows it talks to the
/// measured runner, and a verifier knows which channel a build's inputs came over.
public struct RunnerTLS: Sendable {
    /// The self-signed certificate, DER.
    public let certificate: [UInt8]
    /// The SHA-256 of the certificate's `SubjectPublicKeyInfo`.
    public let keyDigest: SHA256Hash
    /// TLS 1.3 only, with this key and certificate.
    let configuration: TLSConfiguration

    /// A new key and a certificate valid from an hour ago (clock skew) for 30 days.
    public static func generate(now: Date = Date()) throws -> RunnerTLS {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName {
            OrganizationName("AICert")
            CommonName("aicert-runner")
        }
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now.addingTimeInterval(-3600), notValidAfter: now.addingTimeInterval(30 * 86_400),
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            // keyCertSign: the client pins this certificate as its own and only root, and a TLS
            // library takes a certificate as self-issued only when its key may sign certificates.
            extensions: try Certificate.Extensions {
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
                try ExtendedKeyUsage([.serverAuth])
            },
            issuerPrivateKey: .init(key))
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        let der = serializer.serializedBytes
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: der, format: .der))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der)))
        configuration.minimumTLSVersion = .tlsv13
        configuration.maximumTLSVersion = .tlsv13
        return RunnerTLS(
            certificate: der,
            keyDigest: ChannelBinding.keyDigest(spki: certificate.publicKey.subjectPublicKeyInfoBytes),
            configuration: configuration)
    }
}
