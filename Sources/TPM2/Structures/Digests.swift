/// `TPML_DIGEST`: a list of up to eight digests (as `PCR_Read` returns them).
public struct DigestList: Hashable, Sendable, TPMCodable {
    public var digests: [[UInt8]]

    public init(_ digests: [[UInt8]]) { self.digests = digests }

    public init(from reader: inout TPMReader) throws {
        let count = try reader.readCount(max: TPMLimits.digestListCount, "TPML_DIGEST")
        digests = []
        for index in 0..<count {
            digests.append(try reader.readSized(max: TPMLimits.digest, "TPML_DIGEST.digests[\(index)]"))
        }
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(UInt32(digests.count))
        for digest in digests { writer.writeSized(digest) }
    }
}

/// `TPMT_HA`: a digest tagged with its algorithm; its size follows from the algorithm.
public struct TaggedDigest: Hashable, Sendable, TPMCodable {
    public var hash: AlgorithmID
    public var digest: [UInt8]

    public init(hash: AlgorithmID, digest: [UInt8]) {
        self.hash = hash
        self.digest = digest
    }

    public init(from reader: inout TPMReader) throws {
        hash = try AlgorithmID(from: &reader)
        guard let size = hash.digestSize else {
            throw TPM2Error.unsupported("TPMT_HA.hashAlg", "\(hash) is not a known hash algorithm")
        }
        digest = try reader.readBytes(size, "TPMT_HA.digest")
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(hash)
        writer.write(bytes: digest)
    }
}

/// `TPML_DIGEST_VALUES`: one digest per bank, as `PCR_Extend` takes them.
public struct TaggedDigestList: Hashable, Sendable, TPMCodable {
    public var digests: [TaggedDigest]

    public init(_ digests: [TaggedDigest]) { self.digests = digests }

    public init(from reader: inout TPMReader) throws {
        let count = try reader.readCount(max: TPMLimits.pcrBanks, "TPML_DIGEST_VALUES")
        digests = []
        for _ in 0..<count { digests.append(try TaggedDigest(from: &reader)) }
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(UInt32(digests.count))
        for digest in digests { writer.write(digest) }
    }
}
