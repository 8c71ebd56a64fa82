import SwiftASN1
import X509

/// The certificate policy by which AICert's development CA marks its root, its intermediate and
/// every AK certificate it issues. A chain anchored at a root with this policy is `development`
/// whatever the certificate claims. A UUID-based OID (ITU-T X.667), so no registry is needed.
public enum DevelopmentMarker {
    /// `2.25.335388637988323779020636330835816093254`, from its DER encoding (its last arc
    /// exceeds 64 bits, which array literals of ASN1ObjectIdentifier cannot hold).
    public static let policyOID = try! ASN1ObjectIdentifier(derEncoded: [
        0x06, 0x14, 0x69, 0x83, 0xf8, 0xd1, 0xc0, 0xa2, 0xa0, 0xf6, 0xda, 0xbe, 0xbf, 0x9f, 0xd4, 0xd7, 0xd0, 0xe5, 0xe1, 0x88,
        0xac, 0x46,
    ])
    /// `id-ce-certificatePolicies`.
    static let certificatePoliciesOID: ASN1ObjectIdentifier = [2, 5, 29, 32]

    /// A certificatePolicies extension naming only the development policy.
    public static func certificatePoliciesExtension() throws -> Certificate.Extension {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { policies in
            try policies.appendConstructedNode(identifier: .sequence) { information in
                try information.serialize(policyOID)
            }
        }
        return Certificate.Extension(oid: certificatePoliciesOID, critical: false, value: serializer.serializedBytes[...])
    }

    /// Whether `certificate` names the development policy among its certificate policies.
    public static func marks(_ certificate: Certificate) -> Bool {
        guard let policies = certificate.extensions[oid: certificatePoliciesOID] else { return false }
        guard let root = try? DER.parse(policies.value) else { return false }
        let oids = try? DER.sequence(root, identifier: .sequence) { nodes -> [ASN1ObjectIdentifier] in
            var found: [ASN1ObjectIdentifier] = []
            while let node = nodes.next() {
                try DER.sequence(node, identifier: .sequence) { members in
                    found.append(try ASN1ObjectIdentifier(derEncoded: &members))
                    while members.next() != nil {}
                }
            }
            return found
        }
        return oids?.contains(policyOID) ?? false
    }
}
