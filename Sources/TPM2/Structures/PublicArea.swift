/// `TPMT_SYM_DEF_OBJECT`: the symmetric algorithm of a storage key, or none.
public struct SymmetricDefinition: Hashable, Sendable, TPMCodable {
    public var algorithm: AlgorithmID
    public var keyBits: UInt16
    public var mode: AlgorithmID

    public static let null = SymmetricDefinition(algorithm: .null, keyBits: 0, mode: .null)
    public static let aes128CFB = SymmetricDefinition(algorithm: .aes, keyBits: 128, mode: .cfb)

    public init(algorithm: AlgorithmID, keyBits: UInt16, mode: AlgorithmID) {
        self.algorithm = algorithm
        self.keyBits = keyBits
        self.mode = mode
    }

    public init(from reader: inout TPMReader) throws {
        algorithm = try AlgorithmID(from: &reader)
        switch algorithm {
        case .null:
            keyBits = 0
            mode = .null
        case .aes, .sm4, .camellia:
            keyBits = try reader.read(UInt16.self, "TPMT_SYM_DEF_OBJECT.keyBits")
            mode = try AlgorithmID(from: &reader)
        default:
            throw TPM2Error.unsupported("TPMT_SYM_DEF_OBJECT.algorithm", "\(algorithm) is not a symmetric object algorithm")
        }
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(algorithm)
        guard algorithm != .null else { return }
        writer.write(keyBits)
        writer.write(mode)
    }
}

/// `TPMT_RSA_SCHEME` / `TPMT_ECC_SCHEME`: a key's signing or encryption scheme, or none.
public struct AsymmetricScheme: Hashable, Sendable, TPMCodable {
    public var scheme: AlgorithmID
    public var hash: AlgorithmID
    /// Only for ECDAA: the commit counter.
    public var count: UInt16

    public static let null = AsymmetricScheme(scheme: .null, hash: .null)

    public init(scheme: AlgorithmID, hash: AlgorithmID, count: UInt16 = 0) {
        self.scheme = scheme
        self.hash = hash
        self.count = count
    }

    public init(from reader: inout TPMReader) throws {
        scheme = try AlgorithmID(from: &reader)
        count = 0
        switch scheme {
        case .null, .rsaes:
            hash = .null
        case .rsassa, .rsapss, .oaep, .ecdsa, .ecdh, .sm2, .ecschnorr:
            hash = try AlgorithmID(from: &reader)
        case .ecdaa:
            hash = try AlgorithmID(from: &reader)
            count = try reader.read(UInt16.self, "TPMS_SCHEME_ECDAA.count")
        default:
            throw TPM2Error.unsupported("TPMT_ASYM_SCHEME.scheme", "\(scheme) is not a known asymmetric scheme")
        }
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(scheme)
        switch scheme {
        case .null, .rsaes: break
        case .ecdaa:
            writer.write(hash)
            writer.write(count)
        default: writer.write(hash)
        }
    }
}

/// `TPMT_KDF_SCHEME`: the key derivation function of an ECC key, or none.
public struct KDFScheme: Hashable, Sendable, TPMCodable {
    public var scheme: AlgorithmID
    public var hash: AlgorithmID

    public static let null = KDFScheme(scheme: .null, hash: .null)

    public init(scheme: AlgorithmID, hash: AlgorithmID) {
        self.scheme = scheme
        self.hash = hash
    }

    public init(from reader: inout TPMReader) throws {
        scheme = try AlgorithmID(from: &reader)
        switch scheme {
        case .null: hash = .null
        case .mgf1, .kdf1SP800_56A, .kdf2, .kdf1SP800_108: hash = try AlgorithmID(from: &reader)
        default: throw TPM2Error.unsupported("TPMT_KDF_SCHEME.scheme", "\(scheme) is not a known KDF")
        }
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(scheme)
        if scheme != .null { writer.write(hash) }
    }
}

/// The algorithm-specific half of a public area: parameters and the public key itself.
public enum PublicKey: Hashable, Sendable {
    /// `TPMS_RSA_PARMS` and `TPM2B_PUBLIC_KEY_RSA`. An exponent of 0 means 65537.
    case rsa(symmetric: SymmetricDefinition, scheme: AsymmetricScheme, keyBits: UInt16, exponent: UInt32, modulus: [UInt8])
    /// `TPMS_ECC_PARMS` and `TPMS_ECC_POINT`.
    case ecc(symmetric: SymmetricDefinition, scheme: AsymmetricScheme, curve: ECCCurve, kdf: KDFScheme, x: [UInt8], y: [UInt8])
}

/// `TPMT_PUBLIC` for RSA and ECC keys, with the object's Name.
public struct PublicArea: Hashable, Sendable, TPMCodable {
    public var nameAlg: AlgorithmID
    public var attributes: ObjectAttributes
    public var authPolicy: [UInt8]
    public var key: PublicKey

    public init(nameAlg: AlgorithmID, attributes: ObjectAttributes, authPolicy: [UInt8] = [], key: PublicKey) {
        self.nameAlg = nameAlg
        self.attributes = attributes
        self.authPolicy = authPolicy
        self.key = key
    }

    /// `TPMI_ALG_PUBLIC`: the key type.
    public var type: AlgorithmID {
        switch key {
        case .rsa: .rsa
        case .ecc: .ecc
        }
    }

    /// The signing scheme named in the key's parameters.
    public var scheme: AsymmetricScheme {
        switch key {
        case .rsa(_, let scheme, _, _, _), .ecc(_, let scheme, _, _, _, _): scheme
        }
    }

    /// The object's Name: `nameAlg` followed by the `nameAlg` digest of the encoded public area.
    public func name() throws -> [UInt8] {
        nameAlg.tpmEncoded + (try nameAlg.hash(tpmEncoded))
    }

    public init(from reader: inout TPMReader) throws {
        let type = try AlgorithmID(from: &reader)
        nameAlg = try AlgorithmID(from: &reader)
        attributes = try ObjectAttributes(from: &reader)
        authPolicy = try reader.readSized(max: TPMLimits.digest, "TPMT_PUBLIC.authPolicy")
        switch type {
        case .rsa:
            let symmetric = try SymmetricDefinition(from: &reader)
            let scheme = try AsymmetricScheme(from: &reader)
            let keyBits = try reader.read(UInt16.self, "TPMS_RSA_PARMS.keyBits")
            let exponent = try reader.read(UInt32.self, "TPMS_RSA_PARMS.exponent")
            let modulus = try reader.readSized(max: TPMLimits.rsaKey, "TPMT_PUBLIC.unique.rsa")
            key = .rsa(symmetric: symmetric, scheme: scheme, keyBits: keyBits, exponent: exponent, modulus: modulus)
        case .ecc:
            let symmetric = try SymmetricDefinition(from: &reader)
            let scheme = try AsymmetricScheme(from: &reader)
            let curve = try ECCCurve(from: &reader)
            let kdf = try KDFScheme(from: &reader)
            let x = try reader.readSized(max: TPMLimits.eccParameter, "TPMT_PUBLIC.unique.ecc.x")
            let y = try reader.readSized(max: TPMLimits.eccParameter, "TPMT_PUBLIC.unique.ecc.y")
            key = .ecc(symmetric: symmetric, scheme: scheme, curve: curve, kdf: kdf, x: x, y: y)
        default:
            throw TPM2Error.unsupported("TPMT_PUBLIC.type", "key type \(type) is not RSA or ECC")
        }
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(type)
        writer.write(nameAlg)
        writer.write(attributes)
        writer.writeSized(authPolicy)
        switch key {
        case .rsa(let symmetric, let scheme, let keyBits, let exponent, let modulus):
            writer.write(symmetric)
            writer.write(scheme)
            writer.write(keyBits)
            writer.write(exponent)
            writer.writeSized(modulus)
        case .ecc(let symmetric, let scheme, let curve, let kdf, let x, let y):
            writer.write(symmetric)
            writer.write(scheme)
            writer.write(curve)
            writer.write(kdf)
            writer.writeSized(x)
            writer.writeSized(y)
        }
    }
}

/// `TPMS_NV_PUBLIC`: an NV index's handle, attributes and size, with the index's Name.
public struct NVPublic: Hashable, Sendable, TPMCodable {
    public var index: Handle
    public var nameAlg: AlgorithmID
    public var attributes: NVAttributes
    public var authPolicy: [UInt8]
    public var dataSize: UInt16

    public init(index: Handle, nameAlg: AlgorithmID, attributes: NVAttributes, authPolicy: [UInt8] = [], dataSize: UInt16) {
        self.index = index
        self.nameAlg = nameAlg
        self.attributes = attributes
        self.authPolicy = authPolicy
        self.dataSize = dataSize
    }

    /// The index's Name: `nameAlg` followed by the `nameAlg` digest of this structure.
    public func name() throws -> [UInt8] {
        nameAlg.tpmEncoded + (try nameAlg.hash(tpmEncoded))
    }

    public init(from reader: inout TPMReader) throws {
        index = try Handle(from: &reader)
        guard index.isNVIndex else { throw TPM2Error.invalid("TPMS_NV_PUBLIC.nvIndex", "\(index) is not an NV index handle") }
        nameAlg = try AlgorithmID(from: &reader)
        attributes = try NVAttributes(from: &reader)
        authPolicy = try reader.readSized(max: TPMLimits.digest, "TPMS_NV_PUBLIC.authPolicy")
        dataSize = try reader.read(UInt16.self, "TPMS_NV_PUBLIC.dataSize")
    }

    public func encode(into writer: inout TPMWriter) {
        writer.write(index)
        writer.write(nameAlg)
        writer.write(attributes)
        writer.writeSized(authPolicy)
        writer.write(dataSize)
    }
}
