import Crypto
import Foundation
import TPM2
import _CryptoExtras

/// Why a TPM signature could not be accepted.
///
/// Thrown by ``AttestationPublicKey`` while reading a key or checking a signature. Tests and
/// callers compare the ``code``; the ``reason`` is a sentence for people and may change.
/// Equality and hashing use the code only, as swift-asn1's and swift-certificates' errors do.
public struct SignatureError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What kind of failure this is: a closed set of values compared by identity, kept as a
    /// struct so that new codes can be added without breaking exhaustive switches.
    public struct Code: Hashable, Sendable {
        /// The code's private tag; only the static members below create codes.
        private let value: UInt8
        /// A code with tag `value`.
        private init(_ value: UInt8) { self.value = value }
        /// The key's type, curve or size is not one we verify with.
        public static let unsupportedKey = Code(1)
        /// The signature's scheme or hash differs from the one the key is restricted to.
        public static let schemeMismatch = Code(2)
        /// The signature does not verify over the message with this key.
        public static let invalidSignature = Code(3)
    }

    /// The kind of failure; compare this, never ``reason``.
    public let code: Code
    /// A sentence saying what was wrong with the key or signature, for people.
    public let reason: String

    /// An error of kind `code` explained by `reason`; only this module creates them.
    init(_ code: Code, _ reason: String) {
        self.code = code
        self.reason = reason
    }

    /// The ``reason``, so that the error prints as its sentence.
    public var description: String { reason }
    /// Whether two errors have the same ``code``; their reasons are not compared.
    public static func == (lhs: Self, rhs: Self) -> Bool { lhs.code == rhs.code }
    /// Hashes the ``code`` only, consistently with `==`.
    public func hash(into hasher: inout Hasher) { hasher.combine(code) }
}

/// A TPM key's public area turned into a key swift-crypto can verify with.
///
/// Supports what attestation keys use: RSA (2048 bits or more) with RSASSA or RSA-PSS, and
/// ECDSA on NIST P-256, P-384 and P-521.
///
/// The key is read and validated once, when it is created: a key that swift-crypto would
/// refuse, or an RSA modulus shorter than ``minimumRSABits``, fails there with
/// ``SignatureError/Code/unsupportedKey``, so that ``verify(_:over:)`` only judges signatures.
/// The key keeps its TPM public area, whose signing scheme (if any) restricts the signatures
/// it accepts.
public struct AttestationPublicKey: Sendable {
    /// The validated key material; swift-crypto keys are rebuilt from it where needed.
    private enum Material: Sendable {
        /// An RSA modulus and public exponent, big-endian without leading zeros.
        case rsa(n: [UInt8], e: [UInt8])
        /// An uncompressed elliptic-curve point (`04 || x || y`) on `curve`.
        case ecc(curve: ECCCurve, point: [UInt8])
    }

    /// The key's TPM public area (`TPMT_PUBLIC`), as given or as built from a certificate key.
    ///
    /// Its scheme restricts the signatures ``verify(_:over:)`` accepts; a `null` scheme
    /// accepts any scheme of the key's type.
    public let publicArea: PublicArea
    /// The key's numbers, checked when the key was created.
    private let material: Material
    /// The key as DER SubjectPublicKeyInfo, for comparison with an X.509 certificate's key.
    public let derRepresentation: [UInt8]
    /// The key as a PEM `PUBLIC KEY` (SubjectPublicKeyInfo), as OpenSSL and tpm2-tools read it.
    public let pemRepresentation: String

    /// RSA keys below this size are refused: they can be factored.
    public static let minimumRSABits = 2048

    /// Reads the key of a TPM public area, such as an attestation key's `TPMT_PUBLIC`.
    ///
    /// An RSA exponent of zero means the TPM default, 65537. The declared key size must
    /// match the modulus, and ECC coordinates must fit the curve.
    ///
    /// - Parameter publicArea: The key's public area; its attributes are not judged here.
    /// - Throws: ``SignatureError`` with ``SignatureError/Code/unsupportedKey`` when the key's
    ///   type, curve or size is not accepted, or its numbers are not a valid key.
    public init(_ publicArea: PublicArea) throws {
        self.publicArea = publicArea
        switch publicArea.key {
        case .rsa(_, _, let keyBits, let exponent, let modulus):
            guard modulus.count * 8 >= Self.minimumRSABits, Int(keyBits) == modulus.count * 8 else {
                throw SignatureError(
                    .unsupportedKey,
                    "RSA key with a \(modulus.count * 8)-bit modulus (declared \(keyBits) bits) is not accepted; "
                        + "at least \(Self.minimumRSABits) bits are required")
            }
            let e = exponent == 0 ? UInt32(65537) : exponent
            let exponentBytes = Array(e.bigEndianBytes.drop { $0 == 0 })
            do {
                let key = try _RSA.Signing.PublicKey(n: modulus, e: exponentBytes)
                material = .rsa(n: modulus, e: exponentBytes)
                derRepresentation = Array(key.derRepresentation)
                pemRepresentation = key.pemRepresentation
            } catch {
                throw SignatureError(
                    .unsupportedKey, "RSA key with a \(modulus.count * 8)-bit modulus is not accepted: \(error)")
            }
        case .ecc(_, _, let curve, _, let x, let y):
            guard let size = curve.coordinateSize, x.count <= size, y.count <= size else {
                throw SignatureError(
                    .unsupportedKey, "ECC key on \(curve) is not supported (NIST P-256, P-384, P-521 are)")
            }
            let point: [UInt8] = [0x04] + Self.leftPad(x, to: size) + Self.leftPad(y, to: size)
            do {
                switch curve {
                case .nistP256:
                    let key = try P256.Signing.PublicKey(x963Representation: point)
                    (derRepresentation, pemRepresentation) = (Array(key.derRepresentation), key.pemRepresentation)
                case .nistP384:
                    let key = try P384.Signing.PublicKey(x963Representation: point)
                    (derRepresentation, pemRepresentation) = (Array(key.derRepresentation), key.pemRepresentation)
                default:
                    let key = try P521.Signing.PublicKey(x963Representation: point)
                    (derRepresentation, pemRepresentation) = (Array(key.derRepresentation), key.pemRepresentation)
                }
                material = .ecc(curve: curve, point: point)
            } catch {
                throw SignatureError(.unsupportedKey, "the ECC point is not on \(curve): \(error)")
            }
        }
    }

    /// Checks `signature` over `message` (the exact signed bytes, e.g. `TPMS_ATTEST`).
    ///
    /// The message is hashed with the signature's hash (SHA-256, SHA-384 or SHA-512) and the
    /// signature verified over that digest: RSASSA-PKCS1-v1_5 or RSA-PSS for RSA keys, ECDSA
    /// for ECC keys. Verify over the bytes exactly as signed, never over a re-encoded copy.
    ///
    /// - Parameters:
    ///   - signature: The TPM signature (`TPMT_SIGNATURE`), already parsed.
    ///   - message: The signed bytes.
    /// - Throws: ``SignatureError`` with ``SignatureError/Code/schemeMismatch`` when the
    ///   signature's scheme or hash is not the one the key is restricted to or does not fit the
    ///   key's type, ``SignatureError/Code/unsupportedKey`` for an unaccepted hash, and
    ///   ``SignatureError/Code/invalidSignature`` when the signature is malformed or false.
    public func verify(_ signature: Signature, over message: [UInt8]) throws {
        let restricted = publicArea.scheme
        if restricted.scheme != .null, restricted.scheme != signature.scheme || restricted.hash != signature.hash {
            throw SignatureError(
                .schemeMismatch,
                "the key signs with \(restricted.scheme)/\(restricted.hash) "
                    + "but the signature is \(signature.scheme)/\(signature.hash)"
            )
        }
        let valid: Bool
        switch (material, signature) {
        case (.rsa(let n, let e), .rsassa(let hash, let bytes)):
            valid = try Self.verifyRSA(n: n, e: e, bytes, message, hash: hash, padding: .insecurePKCS1v1_5)
        case (.rsa(let n, let e), .rsapss(let hash, let bytes)):
            valid = try Self.verifyRSA(n: n, e: e, bytes, message, hash: hash, padding: .PSS)
        case (.ecc(let curve, let point), .ecdsa(let hash, let r, let s)):
            valid = try Self.verifyECDSA(curve: curve, point: point, r: r, s: s, message, hash: hash)
        default:
            throw SignatureError(
                .schemeMismatch, "a \(signature.scheme) signature cannot come from a \(publicArea.type) key")
        }
        guard valid else {
            throw SignatureError(
                .invalidSignature, "the \(signature.scheme)/\(signature.hash) signature does not verify with the key")
        }
    }

    /// Whether `bytes` is an RSA signature, with `padding`, by the key `(n, e)` over the
    /// `hash` digest of `message`.
    private static func verifyRSA(
        n: [UInt8], e: [UInt8], _ bytes: [UInt8], _ message: [UInt8], hash: AlgorithmID, padding: _RSA.Signing.Padding
    ) throws -> Bool {
        let key = try _RSA.Signing.PublicKey(n: n, e: e)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: bytes)
        return try withDigest(message, hash) { key.isValidSignature(signature, for: $0, padding: padding) }
    }

    /// Whether `r` and `s` are an ECDSA signature, by the key at `point` on `curve`, over the
    /// `hash` digest of `message`; `r` and `s` are left-padded to the curve's coordinate size.
    private static func verifyECDSA(
        curve: ECCCurve, point: [UInt8], r: [UInt8], s: [UInt8], _ message: [UInt8], hash: AlgorithmID
    ) throws -> Bool {
        let size = curve.coordinateSize ?? 0
        guard r.count <= size, s.count <= size else {
            throw SignatureError(.invalidSignature, "ECDSA r or s is longer than the curve's \(size) bytes")
        }
        let raw = leftPad(r, to: size) + leftPad(s, to: size)
        return try withDigest(message, hash) { digest in
            switch curve {
            case .nistP256:
                try P256.Signing.PublicKey(x963Representation: point)
                    .isValidSignature(P256.Signing.ECDSASignature(rawRepresentation: raw), for: digest)
            case .nistP384:
                try P384.Signing.PublicKey(x963Representation: point)
                    .isValidSignature(P384.Signing.ECDSASignature(rawRepresentation: raw), for: digest)
            default:
                try P521.Signing.PublicKey(x963Representation: point)
                    .isValidSignature(P521.Signing.ECDSASignature(rawRepresentation: raw), for: digest)
            }
        }
    }

    /// Hashes `message` with `hash` and hands the typed digest to `body`.
    private static func withDigest(_ message: [UInt8], _ hash: AlgorithmID, _ body: (any Digest) throws -> Bool) throws
        -> Bool
    {
        do {
            switch hash {
            case .sha256: return try body(SHA256.hash(data: message))
            case .sha384: return try body(SHA384.hash(data: message))
            case .sha512: return try body(SHA512.hash(data: message))
            default:
                throw SignatureError(
                    .unsupportedKey, "signatures over \(hash) are not accepted (SHA-256, SHA-384, SHA-512 are)")
            }
        } catch let error as SignatureError {
            throw error
        } catch {
            throw SignatureError(.invalidSignature, "the signature is malformed: \(error)")
        }
    }

    /// `bytes` with zeros prepended up to `size` bytes, as fixed-size encodings want them.
    private static func leftPad(_ bytes: [UInt8], to size: Int) -> [UInt8] {
        [UInt8](repeating: 0, count: max(0, size - bytes.count)) + bytes
    }
}

extension UInt32 {
    /// The four bytes of the value, most significant first.
    fileprivate var bigEndianBytes: [UInt8] {
        [UInt8(self >> 24), UInt8((self >> 16) & 0xFF), UInt8((self >> 8) & 0xFF), UInt8(self & 0xFF)]
    }
}

extension AttestationPublicKey {
    /// The key of an X.509 certificate (DER SubjectPublicKeyInfo), as an unrestricted TPM key
    /// that accepts any signature scheme of its type. For formats that carry no `TPMT_PUBLIC`.
    ///
    /// - Parameter der: A DER `SubjectPublicKeyInfo` holding an RSA key or an ECDSA key on
    ///   P-256, P-384 or P-521.
    /// - Throws: ``SignatureError`` with ``SignatureError/Code/unsupportedKey`` when the key
    ///   is of another type, or fails the checks of ``init(_:)``.
    public init(subjectPublicKeyInfo der: [UInt8]) throws {
        if let rsa = try? _RSA.Signing.PublicKey(derRepresentation: der) {
            let primitives = try rsa.getKeyPrimitives()
            let modulus = Array(primitives.modulus.drop { $0 == 0 })
            let exponent = primitives.publicExponent.reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            guard exponent <= UInt64(UInt32.max) else {
                throw SignatureError(.unsupportedKey, "the RSA exponent is too large")
            }
            try self.init(
                PublicArea(
                    nameAlg: .sha256, attributes: [.sign],
                    key: .rsa(
                        symmetric: .null, scheme: .null, keyBits: UInt16(truncatingIfNeeded: modulus.count * 8),
                        exponent: UInt32(exponent), modulus: modulus)))
            return
        }
        let point: [UInt8]
        let curve: ECCCurve
        if let key = try? P256.Signing.PublicKey(derRepresentation: der) {
            (point, curve) = (Array(key.x963Representation), .nistP256)
        } else if let key = try? P384.Signing.PublicKey(derRepresentation: der) {
            (point, curve) = (Array(key.x963Representation), .nistP384)
        } else if let key = try? P521.Signing.PublicKey(derRepresentation: der) {
            (point, curve) = (Array(key.x963Representation), .nistP521)
        } else {
            throw SignatureError(.unsupportedKey, "the certificate's key is not RSA or ECDSA on P-256, P-384 or P-521")
        }
        let size = (point.count - 1) / 2
        try self.init(
            PublicArea(
                nameAlg: .sha256, attributes: [.sign],
                key: .ecc(
                    symmetric: .null, scheme: .null, curve: curve, kdf: .null,
                    x: Array(point[1...size]), y: Array(point[(size + 1)...]))))
    }
}
