import Crypto

/// `TPM_ALG_ID`: an open-ended set of algorithm identifiers.
public struct AlgorithmID: RawRepresentable, Hashable, Sendable, TPMCodable, CustomStringConvertible {
    /// The 16-bit value on the wire.
    public let rawValue: UInt16
    /// Any value, named here or not: the set is open-ended.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `TPM_ALG_RSA`: the RSA key type.
    public static let rsa = AlgorithmID(rawValue: 0x0001)
    /// `TPM_ALG_SHA1`: SHA-1, for legacy PCR banks only.
    public static let sha1 = AlgorithmID(rawValue: 0x0004)
    /// `TPM_ALG_HMAC`: the HMAC signing scheme of keyed-hash keys.
    public static let hmac = AlgorithmID(rawValue: 0x0005)
    /// `TPM_ALG_AES`: the AES block cipher.
    public static let aes = AlgorithmID(rawValue: 0x0006)
    /// `TPM_ALG_MGF1`: the mask generation function of PKCS #1.
    public static let mgf1 = AlgorithmID(rawValue: 0x0007)
    /// `TPM_ALG_KEYEDHASH`: the keyed-hash object type (HMAC keys, sealed data).
    public static let keyedHash = AlgorithmID(rawValue: 0x0008)
    /// `TPM_ALG_XOR`: the XOR obfuscation of keyed-hash objects.
    public static let xor = AlgorithmID(rawValue: 0x000A)
    /// `TPM_ALG_SHA256`: SHA-256, the PCR bank and Name algorithm AICert uses.
    public static let sha256 = AlgorithmID(rawValue: 0x000B)
    /// `TPM_ALG_SHA384`: SHA-384.
    public static let sha384 = AlgorithmID(rawValue: 0x000C)
    /// `TPM_ALG_SHA512`: SHA-512.
    public static let sha512 = AlgorithmID(rawValue: 0x000D)
    /// `TPM_ALG_NULL`: no algorithm, or "the key's own" where a scheme is asked for.
    public static let null = AlgorithmID(rawValue: 0x0010)
    /// `TPM_ALG_SM3_256`: the SM3 hash.
    public static let sm3_256 = AlgorithmID(rawValue: 0x0012)
    /// `TPM_ALG_SM4`: the SM4 block cipher.
    public static let sm4 = AlgorithmID(rawValue: 0x0013)
    /// `TPM_ALG_RSASSA`: RSASSA-PKCS1-v1_5 signatures.
    public static let rsassa = AlgorithmID(rawValue: 0x0014)
    /// `TPM_ALG_RSAES`: RSAES-PKCS1-v1_5 encryption.
    public static let rsaes = AlgorithmID(rawValue: 0x0015)
    /// `TPM_ALG_RSAPSS`: RSASSA-PSS signatures.
    public static let rsapss = AlgorithmID(rawValue: 0x0016)
    /// `TPM_ALG_OAEP`: RSAES-OAEP encryption.
    public static let oaep = AlgorithmID(rawValue: 0x0017)
    /// `TPM_ALG_ECDSA`: ECDSA signatures.
    public static let ecdsa = AlgorithmID(rawValue: 0x0018)
    /// `TPM_ALG_ECDH`: elliptic-curve Diffie-Hellman key agreement.
    public static let ecdh = AlgorithmID(rawValue: 0x0019)
    /// `TPM_ALG_ECDAA`: elliptic-curve direct anonymous attestation.
    public static let ecdaa = AlgorithmID(rawValue: 0x001A)
    /// `TPM_ALG_SM2`: SM2 signatures.
    public static let sm2 = AlgorithmID(rawValue: 0x001B)
    /// `TPM_ALG_ECSCHNORR`: elliptic-curve Schnorr signatures.
    public static let ecschnorr = AlgorithmID(rawValue: 0x001C)
    /// `TPM_ALG_KDF1_SP800_56A`: the concatenation KDF of NIST SP 800-56A.
    public static let kdf1SP800_56A = AlgorithmID(rawValue: 0x0020)
    /// `TPM_ALG_KDF2`: the KDF2 of IEEE 1363a.
    public static let kdf2 = AlgorithmID(rawValue: 0x0021)
    /// `TPM_ALG_KDF1_SP800_108`: the counter-mode KDF of NIST SP 800-108.
    public static let kdf1SP800_108 = AlgorithmID(rawValue: 0x0022)
    /// `TPM_ALG_ECC`: the elliptic-curve key type.
    public static let ecc = AlgorithmID(rawValue: 0x0023)
    /// `TPM_ALG_SYMCIPHER`: the symmetric-cipher object type.
    public static let symCipher = AlgorithmID(rawValue: 0x0025)
    /// `TPM_ALG_CAMELLIA`: the Camellia block cipher.
    public static let camellia = AlgorithmID(rawValue: 0x0026)
    /// `TPM_ALG_SHA3_256`: SHA3-256.
    public static let sha3_256 = AlgorithmID(rawValue: 0x0027)
    /// `TPM_ALG_SHA3_384`: SHA3-384.
    public static let sha3_384 = AlgorithmID(rawValue: 0x0028)
    /// `TPM_ALG_SHA3_512`: SHA3-512.
    public static let sha3_512 = AlgorithmID(rawValue: 0x0029)
    /// `TPM_ALG_CTR`: counter mode.
    public static let ctr = AlgorithmID(rawValue: 0x0040)
    /// `TPM_ALG_OFB`: output feedback mode.
    public static let ofb = AlgorithmID(rawValue: 0x0041)
    /// `TPM_ALG_CBC`: cipher block chaining mode.
    public static let cbc = AlgorithmID(rawValue: 0x0042)
    /// `TPM_ALG_CFB`: cipher feedback mode, that of the TCG EK templates' storage keys.
    public static let cfb = AlgorithmID(rawValue: 0x0043)
    /// `TPM_ALG_ECB`: electronic codebook mode.
    public static let ecb = AlgorithmID(rawValue: 0x0044)

    /// Reads a `TPM_ALG_ID`; any value is accepted, known or not.
    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt16.self, "TPM_ALG_ID")
    }

    /// Writes the 16-bit value.
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
    ///
    /// - Throws: ``TPM2Error/Code/unsupported`` for anything but SHA-1, SHA-256, SHA-384 and SHA-512.
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
    /// The 16-bit value on the wire.
    public let rawValue: UInt16
    /// Any value, named here or not: the set is open-ended.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `TPM_ECC_NONE`: no curve.
    public static let none = ECCCurve(rawValue: 0x0000)
    /// `TPM_ECC_NIST_P192`: NIST P-192 (secp192r1).
    public static let nistP192 = ECCCurve(rawValue: 0x0001)
    /// `TPM_ECC_NIST_P224`: NIST P-224 (secp224r1).
    public static let nistP224 = ECCCurve(rawValue: 0x0002)
    /// `TPM_ECC_NIST_P256`: NIST P-256 (secp256r1), the curve of ECC EKs and AKs.
    public static let nistP256 = ECCCurve(rawValue: 0x0003)
    /// `TPM_ECC_NIST_P384`: NIST P-384 (secp384r1).
    public static let nistP384 = ECCCurve(rawValue: 0x0004)
    /// `TPM_ECC_NIST_P521`: NIST P-521 (secp521r1).
    public static let nistP521 = ECCCurve(rawValue: 0x0005)
    /// `TPM_ECC_BN_P256`: a Barreto-Naehrig curve, for ECDAA.
    public static let bnP256 = ECCCurve(rawValue: 0x0010)
    /// `TPM_ECC_BN_P638`: a Barreto-Naehrig curve, for ECDAA.
    public static let bnP638 = ECCCurve(rawValue: 0x0011)
    /// `TPM_ECC_SM2_P256`: the SM2 curve.
    public static let sm2P256 = ECCCurve(rawValue: 0x0020)

    /// Reads a `TPM_ECC_CURVE`; any value is accepted, known or not.
    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt16.self, "TPM_ECC_CURVE")
    }

    /// Writes the 16-bit value.
    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }

    /// The name of a NIST curve we verify with (`nist_p256`), else its hex value.
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
