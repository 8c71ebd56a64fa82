/// `TPMT_SYM_DEF_OBJECT`: the symmetric algorithm of a storage key, or none.
public struct SymmetricDefinition: Hashable, Sendable, TPMCodable {
    /// The cipher (``AlgorithmID/aes`` for storage keys), or ``AlgorithmID/null`` for none.
    public var algorithm: AlgorithmID
    /// The key size in bits; 0 when there is no cipher.
    public var keyBits: UInt16
    /// The block mode (``AlgorithmID/cfb`` for storage keys).
    public var mode: AlgorithmID

    /// No symmetric algorithm: what signing keys such as AKs have.
    public static let null = SymmetricDefinition(algorithm: .null, keyBits: 0, mode: .null)
    /// AES-128 in CFB mode: what the TCG EK templates use.
    public static let aes128CFB = SymmetricDefinition(algorithm: .aes, keyBits: 128, mode: .cfb)

    /// A cipher, its key size and its mode.
    public init(algorithm: AlgorithmID, keyBits: UInt16, mode: AlgorithmID) {
        self.algorithm = algorithm
        self.keyBits = keyBits
        self.mode = mode
    }

    /// Reads the algorithm and, unless it is null, the key size and mode; algorithms other than
    /// AES, SM4 and Camellia are ``TPM2Error/Code/unsupported``.
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
            throw TPM2Error.unsupported(
                "TPMT_SYM_DEF_OBJECT.algorithm", "\(algorithm) is not a symmetric object algorithm")
        }
    }

    /// Writes the algorithm and, unless it is null, the key size and mode.
    public func encode(into writer: inout TPMWriter) {
        writer.write(algorithm)
        guard algorithm != .null else { return }
        writer.write(keyBits)
        writer.write(mode)
    }
}

/// `TPMT_RSA_SCHEME` / `TPMT_ECC_SCHEME`: a key's signing or encryption scheme, or none.
public struct AsymmetricScheme: Hashable, Sendable, TPMCodable {
    /// The scheme (``AlgorithmID/rsassa``, ``AlgorithmID/ecdsa``…) or ``AlgorithmID/null``.
    public var scheme: AlgorithmID
    /// The hash the scheme uses; ``AlgorithmID/null`` when it takes none.
    public var hash: AlgorithmID
    /// Only for ECDAA: the commit counter.
    public var count: UInt16

    /// No scheme: the key takes one with each operation.
    public static let null = AsymmetricScheme(scheme: .null, hash: .null)

    /// A scheme with its hash, and the commit counter when it is ECDAA.
    public init(scheme: AlgorithmID, hash: AlgorithmID, count: UInt16 = 0) {
        self.scheme = scheme
        self.hash = hash
        self.count = count
    }

    /// Reads the scheme and the details it carries; unknown schemes are ``TPM2Error/Code/unsupported``.
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

    /// Writes the scheme and the details it carries.
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
    /// The key derivation function, or ``AlgorithmID/null`` for none.
    public var scheme: AlgorithmID
    /// The hash the KDF uses; ``AlgorithmID/null`` when there is no KDF.
    public var hash: AlgorithmID

    /// No KDF, as the TCG templates have.
    public static let null = KDFScheme(scheme: .null, hash: .null)

    /// A KDF with its hash.
    public init(scheme: AlgorithmID, hash: AlgorithmID) {
        self.scheme = scheme
        self.hash = hash
    }

    /// Reads the KDF and its hash; unknown KDFs are ``TPM2Error/Code/unsupported``.
    public init(from reader: inout TPMReader) throws {
        scheme = try AlgorithmID(from: &reader)
        switch scheme {
        case .null: hash = .null
        case .mgf1, .kdf1SP800_56A, .kdf2, .kdf1SP800_108: hash = try AlgorithmID(from: &reader)
        default: throw TPM2Error.unsupported("TPMT_KDF_SCHEME.scheme", "\(scheme) is not a known KDF")
        }
    }

    /// Writes the KDF and, unless it is null, its hash.
    public func encode(into writer: inout TPMWriter) {
        writer.write(scheme)
        if scheme != .null { writer.write(hash) }
    }
}

/// The algorithm-specific half of a public area: parameters and the public key itself.
public enum PublicKey: Hashable, Sendable {
    /// `TPMS_RSA_PARMS` and `TPM2B_PUBLIC_KEY_RSA`. An exponent of 0 means 65537.
    case rsa(
        symmetric: SymmetricDefinition, scheme: AsymmetricScheme, keyBits: UInt16, exponent: UInt32, modulus: [UInt8])
    /// `TPMS_ECC_PARMS` and `TPMS_ECC_POINT`.
    case ecc(
        symmetric: SymmetricDefinition, scheme: AsymmetricScheme, curve: ECCCurve, kdf: KDFScheme, x: [UInt8],
        y: [UInt8])
}

/// `TPMT_PUBLIC` for RSA and ECC keys, with the object's Name.
///
/// As a template (``rsaAttestationKeyTemplate`` and the like) it tells `TPM2_CreatePrimary`
/// what key to make; as a response it carries the public key. A verifier parses the AK's
/// public area to check its attributes and to verify the quote's signature.
public struct PublicArea: Hashable, Sendable, TPMCodable {
    /// The algorithm of the object's Name and of `authPolicy`.
    public var nameAlg: AlgorithmID
    /// What the key may do and how it is protected.
    public var attributes: ObjectAttributes
    /// The policy digest that authorizes admin use, or empty.
    public var authPolicy: [UInt8]
    /// The key type's parameters and the public key.
    public var key: PublicKey

    /// A public area; in a template, leave the public key zero or empty for the TPM to fill.
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
    ///
    /// - Throws: ``TPM2Error/Code/unsupported`` when this library does not compute `nameAlg`.
    public func name() throws -> [UInt8] {
        nameAlg.tpmEncoded + (try nameAlg.hash(tpmEncoded))
    }

    /// Reads a `TPMT_PUBLIC` for RSA or ECC; other key types are ``TPM2Error/Code/unsupported``.
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

    /// Writes the `TPMT_PUBLIC`: the bytes that ``name()`` digests.
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
    /// The NV index handle.
    public var index: Handle
    /// The algorithm of the index's Name.
    public var nameAlg: AlgorithmID
    /// How the index is written, read and authorized.
    public var attributes: NVAttributes
    /// The policy digest that may authorize access, or empty.
    public var authPolicy: [UInt8]
    /// The size of the index's data in bytes.
    public var dataSize: UInt16

    /// An index definition, as ``NVDefineSpace`` takes it.
    public init(
        index: Handle, nameAlg: AlgorithmID, attributes: NVAttributes, authPolicy: [UInt8] = [], dataSize: UInt16
    ) {
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

    /// Reads a `TPMS_NV_PUBLIC`, refusing a handle that is not an NV index.
    public init(from reader: inout TPMReader) throws {
        index = try Handle(from: &reader)
        guard index.isNVIndex else {
            throw TPM2Error.invalid("TPMS_NV_PUBLIC.nvIndex", "\(index) is not an NV index handle")
        }
        nameAlg = try AlgorithmID(from: &reader)
        attributes = try NVAttributes(from: &reader)
        authPolicy = try reader.readSized(max: TPMLimits.digest, "TPMS_NV_PUBLIC.authPolicy")
        dataSize = try reader.read(UInt16.self, "TPMS_NV_PUBLIC.dataSize")
    }

    /// Writes the `TPMS_NV_PUBLIC`: the bytes that ``name()`` digests.
    public func encode(into writer: inout TPMWriter) {
        writer.write(index)
        writer.write(nameAlg)
        writer.write(attributes)
        writer.writeSized(authPolicy)
        writer.write(dataSize)
    }
}
