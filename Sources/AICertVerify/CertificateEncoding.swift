import SwiftASN1
import X509

extension Certificate {
    /// The certificate as one PEM block.
    public var pemString: String {
        get throws { try serializeAsPEM().pemString }
    }

    /// The certificate's DER bytes.
    public var derBytes: [UInt8] {
        get throws {
            var serializer = DER.Serializer()
            try serializer.serialize(self)
            return serializer.serializedBytes
        }
    }
}
