import SwiftASN1
import X509

extension Certificate {
    /// The certificate as one PEM block.
    public var pemString: String {
        get throws { try serializeAsPEM().pemString }
    }

    /// The certificate's DER bytes.
    public var derBytes: [UInt8] {
        get throws { try DER.bytes(of: self) }
    }

    /// The certificate's key as DER SubjectPublicKeyInfo.
    var publicKeyDERBytes: [UInt8] {
        get throws { try DER.bytes(of: publicKey) }
    }
}

extension DER {
    /// `value` serialized as DER.
    fileprivate static func bytes(of value: some DERSerializable) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(value)
        return serializer.serializedBytes
    }
}
