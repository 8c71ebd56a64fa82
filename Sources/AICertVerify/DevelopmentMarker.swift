import SwiftASN1
import X509

/// The certificate policy by which AICert's development CA marks its root, its intermediate and
/// every AK certificate it issues. A chain anchored at a root with this policy is `development`
/// whatever the certificate claims. A UUID-based OID (ITU-T X.667), so no registry is needed:
/// `2.25.335388637988323779020636330835816093254`.
///
/// The development CA of `local` and `qemu` runs adds the marker with
/// ``certificatePoliciesExtension()``, and ``TrustStore/trust(of:)`` tests a root with
/// ``marks(_:)``: a chain that validates to such a root reports ``TrustLevel/development``,
/// since the builder holds the CA's key and could have certified any key.
public enum DevelopmentMarker {
    /// The policy OID's DER encoding (tag, length, value). Kept as bytes: its last arc exceeds
    /// 64 bits, which swift-asn1's object identifiers cannot hold.
    static let policyOID: [UInt8] = [
        0x06, 0x14, 0x69, 0x83, 0xf8, 0xd1, 0xc0, 0xa2, 0xa0, 0xf6, 0xda, 0xbe, 0xbf, 0x9f, 0xd4, 0xd7, 0xd0, 0xe5,
        0xe1, 0x88,
        0xac, 0x46,
    ]
    /// `id-ce-certificatePolicies`.
    static let certificatePoliciesOID: ASN1ObjectIdentifier = [2, 5, 29, 32]

    /// A certificatePolicies extension naming only the development policy:
    /// `SEQUENCE { SEQUENCE { policyIdentifier } }`.
    ///
    /// Non-critical, so that other verifiers ignore it; for the development CA to put on its
    /// root, its intermediate and every AK certificate it issues.
    public static func certificatePoliciesExtension() -> Certificate.Extension {
        let information: [UInt8] = [0x30, UInt8(policyOID.count)] + policyOID
        let policies: [UInt8] = [0x30, UInt8(information.count)] + information
        return Certificate.Extension(oid: certificatePoliciesOID, critical: false, value: policies[...])
    }

    /// Whether `certificate` names the development policy among its certificate policies.
    ///
    /// The policy identifier is compared as its exact DER bytes. A certificate without the
    /// extension, or with one that does not parse, is not marked.
    public static func marks(_ certificate: Certificate) -> Bool {
        guard let policies = certificate.extensions[oid: certificatePoliciesOID],
            let root = try? DER.parse(policies.value), case .constructed(let informations) = root.content
        else { return false }
        for information in informations {
            guard case .constructed(let members) = information.content else { continue }
            var iterator = members.makeIterator()
            guard let identifier = iterator.next() else { continue }
            if Array(identifier.encodedBytes) == policyOID { return true }
        }
        return false
    }
}
