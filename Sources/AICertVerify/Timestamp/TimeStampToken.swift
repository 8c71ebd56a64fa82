import AICertCore
import Foundation
import SwiftASN1
import X509

/// An RFC 3161 time-stamp token, read strictly: a CMS `SignedData` (RFC 5652) whose content is a
/// `TSTInfo`, signed by one signer with signed attributes. Parsing checks only the structure;
/// ``TimestampVerifier`` judges the signature, the imprint and the TSA's certificate.
public struct TimeStampToken: Sendable {
    /// The largest token accepted: real ones are a few KiB with their certificates.
    public static let maximumSize = 64 * 1024

    /// When the TSA says the imprint existed (`genTime`).
    public let time: Date
    /// The hash algorithm of the message imprint.
    public let imprintAlgorithm: ASN1ObjectIdentifier
    /// The digest the TSA time-stamped.
    public let imprint: [UInt8]
    /// The TSA's policy for this token.
    public let policy: ASN1ObjectIdentifier
    /// The nonce of the request, when it had one (the INTEGER's content bytes).
    public let nonce: [UInt8]?
    /// The certificates the token carries: the TSA's, and maybe its issuers.
    public let certificates: [Certificate]

    /// The encoded `TSTInfo`: the content the signed attributes' `messageDigest` covers.
    let content: [UInt8]
    let signer: SignerInfo

    /// One CMS `SignerInfo`, as far as verification needs it.
    struct SignerInfo: Sendable {
        enum Identifier: Sendable {
            case issuerAndSerial(DistinguishedName, Certificate.SerialNumber)
            case subjectKeyIdentifier([UInt8])
        }

        let identifier: Identifier
        let digestAlgorithm: ASN1ObjectIdentifier
        /// The DER `SET OF Attribute` the signature covers (the `[0]` tag read as `SET`).
        let signedAttributes: [UInt8]
        let contentType: ASN1ObjectIdentifier
        let messageDigest: [UInt8]
        let signatureAlgorithm: ASN1ObjectIdentifier
        let signature: [UInt8]
    }

    /// Parses a DER `TimeStampToken`; the error says which part is not what RFC 3161 asks.
    public init(derEncoded bytes: [UInt8]) throws(TimestampFormatError) {
        guard bytes.count <= Self.maximumSize else {
            throw TimestampFormatError("the token is \(bytes.count) bytes, more than \(Self.maximumSize)")
        }
        do {
            let root = try DER.parse(bytes)
            let signedData = try DER.sequence(root, identifier: .sequence) { nodes in
                let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
                guard type == OID.signedData else { throw TimestampFormatError("the token is not CMS SignedData") }
                return try DER.explicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { $0 }
            }
            var parsed: (content: [UInt8], certificates: [Certificate], signer: SignerInfo)?
            try DER.sequence(signedData, identifier: .sequence) { nodes in
                _ = try Int(derEncoded: &nodes)
                _ = try DER.set(of: ASN1Any.self, identifier: .set, nodes: &nodes)
                let content = try Self.encapsulatedContent(&nodes)
                let certificates =
                    try DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { node in
                        try Self.certificates(node)
                    } ?? []
                _ = DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { $0 }
                guard let signerInfos = nodes.next() else { throw TimestampFormatError("the token has no signer") }
                let signers = try DER.set(signerInfos, identifier: .set) { signerNodes in
                    var signers: [SignerInfo] = []
                    while let node = signerNodes.next() { signers.append(try Self.signerInfo(node)) }
                    return signers
                }
                guard signers.count == 1, let signer = signers.first else {
                    throw TimestampFormatError("the token has \(signers.count) signers; RFC 3161 asks for one")
                }
                parsed = (content, certificates, signer)
            }
            guard let parsed else { throw TimestampFormatError("the token has no SignedData") }
            content = parsed.content
            certificates = parsed.certificates
            signer = parsed.signer
            let info = try Self.tstInfo(parsed.content)
            time = info.time
            imprintAlgorithm = info.imprintAlgorithm
            imprint = info.imprint
            policy = info.policy
            nonce = info.nonce
        } catch let error as TimestampFormatError {
            throw error
        } catch {
            throw TimestampFormatError("the token is not valid DER: \(error)")
        }
    }

    /// `EncapsulatedContentInfo`: the `TSTInfo` bytes, which must be there (attached).
    private static func encapsulatedContent(_ nodes: inout ASN1NodeCollection.Iterator) throws -> [UInt8] {
        guard let node = nodes.next() else { throw TimestampFormatError("the token has no content") }
        return try DER.sequence(node, identifier: .sequence) { content in
            let type = try ASN1ObjectIdentifier(derEncoded: &content)
            guard type == OID.tstInfo else {
                throw TimestampFormatError("the token's content is \(type), not a TSTInfo (\(OID.tstInfo))")
            }
            let octets = try DER.explicitlyTagged(&content, tagNumber: 0, tagClass: .contextSpecific) {
                try ASN1OctetString(derEncoded: $0)
            }
            return Array(octets.bytes)
        }
    }

    /// `[0] IMPLICIT SET OF CertificateChoices`: X.509 certificates only.
    private static func certificates(_ node: ASN1Node) throws -> [Certificate] {
        guard case .constructed(let children) = node.content else {
            throw TimestampFormatError("the token's certificates are not a set")
        }
        return try children.map { child in
            do {
                return try Certificate(derEncoded: Array(child.encodedBytes))
            } catch {
                throw TimestampFormatError("a certificate in the token is not an X.509 certificate")
            }
        }
    }

    private static func signerInfo(_ node: ASN1Node) throws -> SignerInfo {
        try DER.sequence(node, identifier: .sequence) { nodes in
            _ = try Int(derEncoded: &nodes)
            guard let sid = nodes.next() else { throw TimestampFormatError("the signer has no identifier") }
            let identifier: SignerInfo.Identifier
            if sid.identifier == .sequence {
                identifier = try DER.sequence(sid, identifier: .sequence) { parts in
                    guard let name = parts.next() else { throw TimestampFormatError("the signer has no issuer") }
                    let serial = try ArraySlice<UInt8>(derEncoded: &parts)
                    return .issuerAndSerial(
                        try DistinguishedName(derEncoded: name), Certificate.SerialNumber(bytes: serial))
                }
            } else if sid.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific) {
                identifier = .subjectKeyIdentifier(
                    Array(try ASN1OctetString(derEncoded: sid, withIdentifier: sid.identifier).bytes))
            } else {
                throw TimestampFormatError("the signer's identifier is neither issuer and serial nor a key identifier")
            }
            let digestAlgorithm = try algorithm(nodes.next())
            guard
                let attributes = DER.optionalImplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific, { $0 })
            else {
                throw TimestampFormatError("the signer has no signed attributes; RFC 3161 asks for them")
            }
            let (contentType, messageDigest) = try signedAttributes(attributes)
            let signatureAlgorithm = try algorithm(nodes.next())
            let signature = try ASN1OctetString(derEncoded: &nodes)
            _ = DER.optionalImplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { $0 }
            var covered = Array(attributes.encodedBytes)
            covered[0] = 0x31  // The signature covers the attributes with their SET tag (RFC 5652, 5.4).
            return SignerInfo(
                identifier: identifier, digestAlgorithm: digestAlgorithm, signedAttributes: covered,
                contentType: contentType, messageDigest: messageDigest, signatureAlgorithm: signatureAlgorithm,
                signature: Array(signature.bytes))
        }
    }

    /// The `contentType` and `messageDigest` attributes, each present once with one value.
    private static func signedAttributes(_ node: ASN1Node) throws -> (ASN1ObjectIdentifier, [UInt8]) {
        guard case .constructed(let attributes) = node.content else {
            throw TimestampFormatError("the signed attributes are not a set")
        }
        var contentType: ASN1ObjectIdentifier?
        var messageDigest: [UInt8]?
        for attribute in attributes {
            try DER.sequence(attribute, identifier: .sequence) { parts in
                let type = try ASN1ObjectIdentifier(derEncoded: &parts)
                let values = try DER.set(of: ASN1Any.self, identifier: .set, nodes: &parts)
                guard type == OID.contentType || type == OID.messageDigest else { return }
                guard values.count == 1, let value = values.first,
                    type == OID.contentType ? contentType == nil : messageDigest == nil
                else {
                    throw TimestampFormatError("the signed attribute \(type) is not there exactly once with one value")
                }
                if type == OID.contentType {
                    contentType = try ASN1ObjectIdentifier(asn1Any: value)
                } else {
                    messageDigest = Array(try ASN1OctetString(asn1Any: value).bytes)
                }
            }
        }
        guard let contentType, let messageDigest else {
            throw TimestampFormatError("the signed attributes lack contentType or messageDigest")
        }
        return (contentType, messageDigest)
    }

    /// An `AlgorithmIdentifier`'s OID; its parameters (absent or NULL) are not used.
    private static func algorithm(_ node: ASN1Node?) throws -> ASN1ObjectIdentifier {
        guard let node else { throw TimestampFormatError("an algorithm identifier is missing") }
        return try DER.sequence(node, identifier: .sequence) { parts in
            let oid = try ASN1ObjectIdentifier(derEncoded: &parts)
            while parts.next() != nil {}
            return oid
        }
    }

    private struct Info {
        var time: Date
        var imprintAlgorithm: ASN1ObjectIdentifier
        var imprint: [UInt8]
        var policy: ASN1ObjectIdentifier
        var nonce: [UInt8]?
    }

    /// `TSTInfo` (RFC 3161, 2.4.2): version 1, policy, imprint, serial, time, and optional rest.
    private static func tstInfo(_ bytes: [UInt8]) throws -> Info {
        try DER.sequence(try DER.parse(bytes), identifier: .sequence) { nodes in
            guard try Int(derEncoded: &nodes) == 1 else { throw TimestampFormatError("the TSTInfo is not version 1") }
            let policy = try ASN1ObjectIdentifier(derEncoded: &nodes)
            guard let imprintNode = nodes.next() else { throw TimestampFormatError("the TSTInfo has no imprint") }
            let (algorithm, imprint) = try DER.sequence(imprintNode, identifier: .sequence) { parts in
                (try Self.algorithm(parts.next()), Array(try ASN1OctetString(derEncoded: &parts).bytes))
            }
            _ = try ArraySlice<UInt8>(derEncoded: &nodes)
            let generalized = try GeneralizedTime(derEncoded: &nodes)
            var nonce: [UInt8]?
            while let node = nodes.next() {
                if node.identifier == .integer {
                    nonce = Array(try ArraySlice<UInt8>(derEncoded: node))
                }
            }
            return Info(
                time: try Self.date(generalized), imprintAlgorithm: algorithm, imprint: imprint, policy: policy,
                nonce: nonce)
        }
    }

    private static func date(_ time: GeneralizedTime) throws -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC") ?? .current
        let components = DateComponents(
            year: time.year, month: time.month, day: time.day, hour: time.hours, minute: time.minutes,
            second: time.seconds)
        guard let date = calendar.date(from: components) else {
            throw TimestampFormatError("the TSTInfo's genTime is not a date")
        }
        return date.addingTimeInterval(time.fractionalSeconds)
    }

    /// The object identifiers RFC 3161 and RFC 5652 use here.
    enum OID {
        static let signedData: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 7, 2]
        static let tstInfo: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 16, 1, 4]
        static let contentType: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 3]
        static let messageDigest: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 9, 4]
        static let sha256: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 1]
        static let sha384: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 2]
        static let sha512: ASN1ObjectIdentifier = [2, 16, 840, 1, 101, 3, 4, 2, 3]
        static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 1]
        static let sha256WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 11]
        static let sha384WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 12]
        static let sha512WithRSA: ASN1ObjectIdentifier = [1, 2, 840, 113549, 1, 1, 13]
        static let ecPublicKey: ASN1ObjectIdentifier = [1, 2, 840, 10045, 2, 1]
        static let ecdsaWithSHA256: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 2]
        static let ecdsaWithSHA384: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 3]
        static let ecdsaWithSHA512: ASN1ObjectIdentifier = [1, 2, 840, 10045, 4, 3, 4]
    }
}

/// Why bytes are not an RFC 3161 time-stamp token.
public struct TimestampFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public let description: String

    public init(_ description: String) { self.description = description }
}
