/// `TPMT_SIGNATURE` for the schemes an attestation key uses: RSASSA, RSA-PSS and ECDSA.
/// Other schemes are rejected when parsed.
public enum Signature: Hashable, Sendable, TPMCodable {
    /// RSASSA-PKCS1-v1_5 over a digest made with `hash`.
    case rsassa(hash: AlgorithmID, signature: [UInt8])
    /// RSASSA-PSS over a digest made with `hash`.
    case rsapss(hash: AlgorithmID, signature: [UInt8])
    /// ECDSA over a digest made with `hash`: the integers `r` and `s`, big-endian.
    case ecdsa(hash: AlgorithmID, r: [UInt8], s: [UInt8])

    /// The signature scheme (`sigAlg`).
    public var scheme: AlgorithmID {
        switch self {
        case .rsassa: .rsassa
        case .rsapss: .rsapss
        case .ecdsa: .ecdsa
        }
    }

    /// The hash algorithm the signature was made over.
    public var hash: AlgorithmID {
        switch self {
        case .rsassa(let hash, _), .rsapss(let hash, _), .ecdsa(let hash, _, _): hash
        }
    }

    /// Reads a `TPMT_SIGNATURE`; schemes other than these three are ``TPM2Error/Code/unsupported``.
    public init(from reader: inout TPMReader) throws {
        let scheme = try AlgorithmID(from: &reader)
        switch scheme {
        case .rsassa, .rsapss:
            let hash = try AlgorithmID(from: &reader)
            let signature = try reader.readSized(max: TPMLimits.rsaKey, "TPMS_SIGNATURE_RSA.sig")
            self =
                scheme == .rsassa
                ? .rsassa(hash: hash, signature: signature) : .rsapss(hash: hash, signature: signature)
        case .ecdsa:
            let hash = try AlgorithmID(from: &reader)
            let r = try reader.readSized(max: TPMLimits.eccParameter, "TPMS_SIGNATURE_ECC.signatureR")
            let s = try reader.readSized(max: TPMLimits.eccParameter, "TPMS_SIGNATURE_ECC.signatureS")
            self = .ecdsa(hash: hash, r: r, s: s)
        default:
            throw TPM2Error.unsupported(
                "TPMT_SIGNATURE.sigAlg", "signature scheme \(scheme) is not RSASSA, RSAPSS or ECDSA")
        }
    }

    /// Writes the scheme, the hash and the signature.
    public func encode(into writer: inout TPMWriter) {
        writer.write(scheme)
        switch self {
        case .rsassa(let hash, let signature), .rsapss(let hash, let signature):
            writer.write(hash)
            writer.writeSized(signature)
        case .ecdsa(let hash, let r, let s):
            writer.write(hash)
            writer.writeSized(r)
            writer.writeSized(s)
        }
    }
}

/// `TPMT_SIG_SCHEME`: the scheme a caller asks the TPM to sign with (`null` = the key's own).
public struct SignatureScheme: Hashable, Sendable, TPMCodable {
    /// The scheme, or ``AlgorithmID/null`` for the key's own.
    public var scheme: AlgorithmID
    /// The hash to sign with; ``AlgorithmID/null`` with a null scheme.
    public var hash: AlgorithmID

    /// Sign with the scheme the key is restricted to, as AKs are.
    public static let keyDefault = SignatureScheme(scheme: .null, hash: .null)

    /// A scheme with its hash.
    public init(scheme: AlgorithmID, hash: AlgorithmID) {
        self.scheme = scheme
        self.hash = hash
    }

    /// Reads the scheme and, unless it is null, its hash.
    public init(from reader: inout TPMReader) throws {
        scheme = try AlgorithmID(from: &reader)
        hash = scheme == .null ? .null : try AlgorithmID(from: &reader)
    }

    /// Writes the scheme and, unless it is null, its hash.
    public func encode(into writer: inout TPMWriter) {
        writer.write(scheme)
        if scheme != .null { writer.write(hash) }
    }
}
