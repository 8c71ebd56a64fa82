import AICertVerify
import Crypto
import Foundation
import SwiftASN1
import X509

/// The local platform's certificate authority: a P-256 root and an intermediate that issues
/// AK certificates, laid out like a cloud vTPM's chain (root → intermediate → AK).
///
/// Certificates it issues are for development only: a verifier trusts them only when the root
/// is passed explicitly (`aicert verify --trust-root`), and reports them as `development`
/// because every certificate here carries ``DevelopmentMarker``'s certificate policy. Unchecked Sendable: every stored
/// property is an immutable value (swift-crypto's keys do not declare Sendable themselves).
public struct DevelopmentCA: @unchecked Sendable {
    public let root: Certificate
    public let intermediate: Certificate
    private let rootKey: P256.Signing.PrivateKey
    private let intermediateKey: P256.Signing.PrivateKey

    /// File names inside the CA directory; the key files are created with mode 0600.
    static let rootFile = "root.pem", rootKeyFile = "root-key.pem"
    static let intermediateFile = "intermediate.pem", intermediateKeyFile = "intermediate-key.pem"

    /// A new CA in memory, valid from `notBefore` for `years`.
    public init(
        name: String = "AICert Development", notBefore: Date = Date().addingTimeInterval(-3600), years: Int = 10
    ) throws {
        let notAfter = notBefore.addingTimeInterval(Double(years) * 365.25 * 86_400)
        let rootKey = P256.Signing.PrivateKey()
        let intermediateKey = P256.Signing.PrivateKey()
        self.rootKey = rootKey
        self.intermediateKey = intermediateKey
        root = try Self.authorityCertificate(
            key: rootKey, name: "\(name) Root CA", issuer: nil, maxPathLength: 1, from: notBefore, to: notAfter)
        intermediate = try Self.authorityCertificate(
            key: intermediateKey, name: "\(name) AK Issuing CA", issuer: (root.subject, rootKey), maxPathLength: 0,
            from: notBefore, to: notAfter)
    }

    /// A CA certificate of `key` for the organisation AICert and the common name `name`, signed
    /// by `issuer` (whose key it names as its authority), or by itself when `issuer` is `nil`.
    private static func authorityCertificate(
        key: P256.Signing.PrivateKey, name: String, issuer: (name: DistinguishedName, key: P256.Signing.PrivateKey)?,
        maxPathLength: Int, from notBefore: Date, to notAfter: Date
    ) throws -> Certificate {
        let subject = try DistinguishedName {
            OrganizationName("AICert")
            CommonName(name)
        }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: issuer?.name ?? subject,
            subject: subject, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: maxPathLength))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: .init(key.publicKey))
                if let issuer {
                    AuthorityKeyIdentifier(
                        keyIdentifier: SubjectKeyIdentifier(hash: .init(issuer.key.publicKey)).keyIdentifier)
                }
                DevelopmentMarker.certificatePoliciesExtension()
            },
            issuerPrivateKey: .init(issuer?.key ?? key))
    }

    /// The CA kept in `directory`, created there on first use, and made anew when the kept one
    /// predates the development marker (its certificates would not be reported as development).
    public static func loadOrCreate(in directory: URL) throws -> DevelopmentCA {
        let rootURL = directory.appendingPathComponent(rootFile)
        if FileManager.default.fileExists(atPath: rootURL.path) {
            let kept = try load(from: directory)
            if DevelopmentMarker.marks(kept.root) { return kept }
        }
        let ca = try DevelopmentCA()
        try ca.save(in: directory)
        return ca
    }

    /// Writes the CA: certificates world-readable, keys 0600, each file written atomically.
    public func save(in directory: URL) throws {
        try FileManager.default.createDirectory(
            at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        try Self.write(rootKey.pemRepresentation, to: directory.appendingPathComponent(Self.rootKeyFile), mode: 0o600)
        try Self.write(
            intermediateKey.pemRepresentation, to: directory.appendingPathComponent(Self.intermediateKeyFile),
            mode: 0o600)
        try Self.write(
            try intermediate.pemString, to: directory.appendingPathComponent(Self.intermediateFile), mode: 0o644)
        // The root last: its presence is what marks the CA as complete.
        try Self.write(try root.pemString, to: directory.appendingPathComponent(Self.rootFile), mode: 0o644)
    }

    /// Reads a CA saved by ``save(in:)``; refuses key files others can read.
    public static func load(from directory: URL) throws -> DevelopmentCA {
        func text(_ name: String) throws -> String {
            let url = directory.appendingPathComponent(name)
            do {
                return try String(contentsOf: url, encoding: .utf8)
            } catch {
                throw LocalPlatformError(url.path, "cannot be read")
            }
        }
        func key(_ name: String) throws -> P256.Signing.PrivateKey {
            let url = directory.appendingPathComponent(name)
            let attributes = try? FileManager.default.attributesOfItem(atPath: url.path)
            if let mode = attributes?[.posixPermissions] as? Int, mode & 0o077 != 0 {
                throw LocalPlatformError(
                    url.path, "is readable by others (mode \(String(mode, radix: 8))); chmod 600 it")
            }
            do {
                return try P256.Signing.PrivateKey(pemRepresentation: try text(name))
            } catch let error as LocalPlatformError {
                throw error
            } catch {
                throw LocalPlatformError(url.path, "is not a P-256 private key in PEM")
            }
        }
        func certificate(_ name: String) throws -> Certificate {
            do {
                return try Certificate(pemEncoded: try text(name))
            } catch let error as LocalPlatformError {
                throw error
            } catch {
                throw LocalPlatformError(directory.appendingPathComponent(name).path, "is not a PEM certificate")
            }
        }
        return try DevelopmentCA(
            root: certificate(rootFile), intermediate: certificate(intermediateFile),
            rootKey: key(rootKeyFile), intermediateKey: key(intermediateKeyFile))
    }

    private init(
        root: Certificate, intermediate: Certificate, rootKey: P256.Signing.PrivateKey,
        intermediateKey: P256.Signing.PrivateKey
    )
        throws
    {
        guard root.publicKey == Certificate.PublicKey(rootKey.publicKey),
            intermediate.publicKey == Certificate.PublicKey(intermediateKey.publicKey)
        else {
            throw LocalPlatformError("development CA", "its keys do not match its certificates")
        }
        self.root = root
        self.intermediate = intermediate
        self.rootKey = rootKey
        self.intermediateKey = intermediateKey
    }

    /// The TCG key purpose of an attestation key certificate (`tcg-kp-AIKCertificate`).
    public static let attestationKeyPurpose = ExtendedKeyUsage.Usage(oid: [2, 23, 133, 8, 3])

    /// Issues the certificate of an attestation key given as DER SubjectPublicKeyInfo, for the
    /// TCG AK purpose unless `purposes` says otherwise (as a test of that rule does).
    public func issueAttestationKeyCertificate(
        subjectPublicKeyInfo: [UInt8], commonName: String, notBefore: Date = Date().addingTimeInterval(-3600),
        notAfter: Date = Date().addingTimeInterval(365 * 86_400),
        purposes: [ExtendedKeyUsage.Usage] = [attestationKeyPurpose]
    ) throws -> Certificate {
        let publicKey = try Certificate.PublicKey(derEncoded: subjectPublicKeyInfo)
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: publicKey,
            notValidBefore: notBefore, notValidAfter: notAfter, issuer: intermediate.subject,
            subject: try DistinguishedName {
                OrganizationName("AICert")
                CommonName(commonName)
            },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                try ExtendedKeyUsage(purposes)
                AuthorityKeyIdentifier(
                    keyIdentifier: SubjectKeyIdentifier(hash: .init(intermediateKey.publicKey)).keyIdentifier)
                DevelopmentMarker.certificatePoliciesExtension()
            },
            issuerPrivateKey: .init(intermediateKey))
    }

    private static func write(_ text: String, to url: URL, mode: Int) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).\(UUID().uuidString)")
        guard
            FileManager.default.createFile(
                atPath: temporary.path, contents: Data(text.utf8), attributes: [.posixPermissions: mode])
        else {
            throw LocalPlatformError(url.path, "cannot be written")
        }
        // rename(2), not FileManager.replaceItemAt, which on Linux fails when `url` does not exist yet.
        guard rename(temporary.path, url.path) == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: temporary)
            throw LocalPlatformError(url.path, "cannot be written: \(reason)")
        }
    }
}
