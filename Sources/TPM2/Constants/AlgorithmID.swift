import Crypto

/// `TPM_ALG_ID`: an open-ended set of algorithm identifiers.
public struct AlgorithmID: RawRepresentable, Hashable, Sendable, TPMCodable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let rsa = AlgorithmID(rawValue: 0x0001)
    public static let sha1 = AlgorithmID(rawValue: 0x0004)
    public static let hmac = AlgorithmID(rawValue: 0x0005)
    public static let aes = AlgorithmID(rawValue: 0x0006)
    public static let mgf1 = AlgorithmID(rawValue: 0x0007)
    public static let keyedHash = AlgorithmID(rawValue: 0x0008)
    public static let xor = AlgorithmID(rawValue: 0x000A)
    public static let sha256 = AlgorithmID(rawValue: 0x000B)
    public static let sha384 = AlgorithmID(rawValue: 0x000C)
    public static let sha512 = AlgorithmID(rawValue: 0x000D)
    public static let null = AlgorithmID(rawValue: 0x0010)
    public static let sm3_256 = AlgorithmID(rawValue: 0x0012)
    public static let sm4 = AlgorithmID(rawValue: 0x0013)
    public static let rsassa = AlgorithmID(rawValue: 0x0014)
    public static let rsaes = AlgorithmID(rawValue: 0x0015)
    public static let rsapss = AlgorithmID(rawValue: 0x0016)
    public static let oaep = AlgorithmID(rawValue: 0x0017)
    public static let ecdsa = AlgorithmID(rawValue: 0x0018)
    public static let ecdh = AlgorithmID(rawValue: 0x0019)
    public static let ecdaa = AlgorithmID(rawValue: 0x001A)
    public static let sm2 = AlgorithmID(rawValue: 0x001B)
    public static let ecschnorr = AlgorithmID(rawValue: 0x001C)
    public static let kdf1SP800_56A = AlgorithmID(rawValue: 0x0020)
    public static let kdf2 = AlgorithmID(rawValue: 0x0021)
    public static let kdf1SP800_108 = AlgorithmID(rawValue: 0x0022)
    public static let ecc = AlgorithmID(rawValue: 0x0023)
    public static let symCipher = AlgorithmID(rawValue: 0x0025)
    public static let camellia = AlgorithmID(rawValue: 0x0026)
    public static let sha3_256 = AlgorithmID(rawValue: 0x0027)
    public static let sha3_384 = AlgorithmID(rawValue: 0x0028)
    public static let sha3_512 = AlgorithmID(rawValue: 0x0029)
    public static let ctr = AlgorithmID(rawValue: 0x0040)
    public static let ofb = AlgorithmID(rawValue: 0x0041)
    public static let cbc = AlgorithmID(rawValue: 0x0042)
    public static let cfb = AlgorithmID(rawValue: 0x0043)
    public static let ecb = AlgorithmID(rawValue: 0x0044)

    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt16.self, "TPM_ALG_ID")
    }

    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }

    private static let names: [UInt16: String] = [
        0x0001: "rsa", 0x0004: "sha1", 0x0005: "hmac", 0x0006: "aes", 0x0007: "mgf1", 0x0008: "keyedhash",
        0x000A: "xor", 0x000B: "sha256", 0x000C: "sha384", 0x000D: "sha512", 0x0010: "null",
        0x0012: "sm3_256", 0x0013: "sm4", 0x0014: "rsassa", 0x0015: "rsaes", 0x0016: "rsapss",
        0x0017: "oaep", 0x0018: "ecdsa", 0x0019: "ecdh", 0x001A: "ecdaa", 0x001B: "sm2",
        0x001C: "ecschnorr", 0x0020: "kdf1_sp800_56a", 0x0021: "kdf2", 0x0022: "kdf1_sp800_108",
        0x0023: "ecc", 0x0025: "symcipher", 0x0026: "camellia", 0x0027: "sha3_256", 0x0028: "sha3_384",
        0x0029: "sha3_512", 0x0040: "ctr", 0x0041: "ofb", 0x0042: "cbc", 0x0043: "cfb", 0x0044: "ecb",
    ]

    /// The algorithm's name as tpm2-tools spells it, or its hex value.
    public var description: String {
        Self.names[rawValue] ?? "0x" + String(rawValue, radix: 16, uppercase: true)
    }

    /// The digest size in bytes when this is a hash algorithm; `nil` otherwise.
    public var digestSize: Int? {
        switch self {
        case .sha1: 20
        case .sha256, .sm3_256, .sha3_256: 32
        case .sha384, .sha3_384: 48
        case .sha512, .sha3_512: 64
        default: nil
        }
    }

    /// Hashes `data` with this algorithm, for the hashes this library computes itself.
    public func hash(_ data: [UInt8]) throws -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: data))
        case .sha256: Array(SHA256.hash(data: data))
        case .sha384: Array(SHA384.hash(data: data))
        case .sha512: Array(SHA512.hash(data: data))
        default: throw TPM2Error.unsupported("hash algorithm", "\(self) is not implemented")
        }
    }
}

/// `TPM_ECC_CURVE`: an open-ended set of curve identifiers.
public struct ECCCurve: RawRepresentable, Hashable, Sendable, TPMCodable, CustomStringConvertible {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let none = ECCCurve(rawValue: 0x0000)
    public static let nistP192 = ECCCurve(rawValue: 0x0001)
    public static let nistP224 = ECCCurve(rawValue: 0x0002)
    public static let nistP256 = ECCCurve(rawValue: 0x0003)
    public static let nistP384 = ECCCurve(rawValue: 0x0004)
    public static let nistP521 = ECCCurve(rawValue: 0x0005)
    public static let bnP256 = ECCCurve(rawValue: 0x0010)
    public static let bnP638 = ECCCurve(rawValue: 0x0011)
    public static let sm2P256 = ECCCurve(rawValue: 0x0020)

    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt16.self, "TPM_ECC_CURVE")
    }

    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }

    public var description: String {
        switch self {
        case .nistP256: "nist_p256"
        case .nistP384: "nist_p384"
        case .nistP521: "nist_p521"
        default: "curve 0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }

    /// Bytes in one coordinate for the NIST curves we verify with.
    public var coordinateSize: Int? {
        switch self {
        case .nistP256: 32
        case .nistP384: 48
        case .nistP521: 66
        default: nil
        }
    }
}
