import SwiftASN1
import X509

/// The encodings the verifier and the CLI need of an X.509 certificate, as plain properties.
extension Certificate {
    /// The certificate as one PEM block.
    ///
    /// What `--trust-root` files and the development CA's `root.pem` hold; throws only if the
    /// certificate cannot be serialized.
    public var pemString: String {
        get throws { try serializeAsPEM().pemString }
    }

    /// The certificate's DER bytes.
    ///
    /// The exact bytes a certificate chain member carries, e.g. to compare certificates or to
    /// write a chain; throws only if the certificate cannot be serialized.
    public var derBytes: [UInt8] {
        get throws { try DER.bytes(of: self) }
    }

    /// The certificate's key as DER SubjectPublicKeyInfo.
    ///
    /// What ``AttestationPublicKey/init(subjectPublicKeyInfo:)`` reads when a format carries no
    /// `TPMT_PUBLIC`.
    var publicKeyDERBytes: [UInt8] {
        get throws { try DER.bytes(of: publicKey) }
    }
}

/// DER serialization of a single value, for the properties above.
extension DER {
    /// `value` serialized as DER.
    fileprivate static func bytes(of value: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(value)
        return serializer.serializedBytes
    }
}
