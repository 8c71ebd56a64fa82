/// `TPML_DIGEST`: a list of up to eight digests (as `PCR_Read` returns them).
public struct DigestList: Hashable, Sendable, TPMCodable {
    /// The digests, each at most ``TPMLimits/digest`` bytes.
    public var digests: [[UInt8]]

    /// A list of `digests`.
    public init(_ digests: [[UInt8]]) { self.digests = digests }

    /// Reads the count (at most eight) and the sized digests.
    public init(from reader: inout TPMReader) throws {
        let count = try reader.readCount(max: TPMLimits.digestListCount, "TPML_DIGEST")
        digests = []
        for index in 0..<count {
            digests.append(try reader.readSized(max: TPMLimits.digest, "TPML_DIGEST.digests[\(index)]"))
        }
    }

    /// Writes the count and the sized digests.
    public func encode(into writer: inout TPMWriter) {
        writer.write(UInt32(digests.count))
        for digest in digests { writer.writeSized(digest) }
    }
}

/// `TPMT_HA`: a digest tagged with its algorithm; its size follows from the algorithm.
public struct TaggedDigest: Hashable, Sendable, TPMCodable {
    /// The hash algorithm, which fixes the digest's size.
    public var hash: AlgorithmID
    /// The digest: exactly as many bytes as `hash` produces, when parsed.
    public var digest: [UInt8]

    /// Tags `digest` with `hash`.
    public init(hash: AlgorithmID, digest: [UInt8]) {
        self.hash = hash
        self.digest = digest
    }

    /// Reads the algorithm and as many bytes as its digests have; unknown hashes are
    /// ``TPM2Error/Code/unsupported``.
    public init(from reader: inout TPMReader) throws {
        hash = try AlgorithmID(from: &reader)
        guard let size = hash.digestSize else {
            throw TPM2Error.unsupported("TPMT_HA.hashAlg", "\(hash) is not a known hash algorithm")
        }
        digest = try reader.readBytes(size, "TPMT_HA.digest")
    }

    /// Writes the algorithm, then the digest without a size.
    public func encode(into writer: inout TPMWriter) {
        writer.write(hash)
        writer.write(bytes: digest)
    }
}

/// `TPML_DIGEST_VALUES`: one digest per bank, as `PCR_Extend` takes them.
public struct TaggedDigestList: Hashable, Sendable, TPMBankList {
    /// The list's name in the TPM specification.
    public static let specificationName = "TPML_DIGEST_VALUES"
    /// One digest per bank.
    public var digests: [TaggedDigest]

    /// A list of `digests`.
    public init(_ digests: [TaggedDigest]) { self.digests = digests }

    /// The digests, as ``TPMBankList`` reads and writes them.
    public var elements: [TaggedDigest] { digests }
}

/// A TPM list with at most one element per PCR bank (`TPML_DIGEST_VALUES`,
/// `TPML_PCR_SELECTION`): a 32-bit count, then the elements.
public protocol TPMBankList: TPMCodable {
    /// What the list holds.
    associatedtype Element: TPMCodable
    /// The list's name in the TPM specification, for errors.
    static var specificationName: String { get }
    /// The elements in wire order.
    var elements: [Element] { get }
    /// A list of `elements`.
    init(_ elements: [Element])
}

extension TPMBankList {
    /// Reads the count (at most ``TPMLimits/pcrBanks``) and the elements.
    public init(from reader: inout TPMReader) throws {
        self.init(try reader.readList(of: Element.self, max: TPMLimits.pcrBanks, Self.specificationName))
    }

    /// Writes the count and the elements.
    public func encode(into writer: inout TPMWriter) { writer.writeList(elements) }
}
