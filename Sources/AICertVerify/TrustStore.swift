import Foundation
import SwiftASN1
import X509

/// Why a trust root could not be read.
///
/// Thrown by ``TrustStore/certificates(in:source:)`` and ``TrustStore/add(contentsOf:source:)``.
public struct TrustRootError: Error, Hashable, Sendable, CustomStringConvertible {
    /// Where the root came from, e.g. the file named by `--trust-root`.
    public let source: String
    /// What is wrong with what the source holds.
    public let reason: String

    /// An error for the root read from `source`, explained by `reason`.
    public init(source: String, _ reason: String) {
        self.source = source
        self.reason = reason
    }

    /// `<source>: <reason>`, as the CLI prints it.
    public var description: String { "\(source): \(reason)" }
}

/// The roots a verifier trusts: the built-in platform roots plus the ones the user names.
/// Nothing a certificate carries is ever added here.
///
/// A root in the store is a trust anchor: a chain that validates to it passes `ak-chain`,
/// and ``trust(of:)`` says what that is worth. ``VerificationOptions`` builds a store from
/// ``builtIn`` and the roots the user names.
public struct TrustStore: Sendable {
    /// The trusted roots, built-in ones first when the store was made from ``builtIn``.
    public private(set) var roots: [Certificate]

    /// The built-in roots only.
    public static let builtIn = TrustStore(roots: BuiltInRoots.all)

    /// A store that trusts exactly `roots`, and not the built-in ones unless among them.
    public init(roots: [Certificate]) {
        self.roots = roots
    }

    /// What anchoring at `root` makes a chain: built-in roots are production, roots that mark
    /// themselves as AICert's development CA are development, any other is custom.
    public func trust(of root: Certificate) -> TrustLevel {
        if DevelopmentMarker.marks(root) { return .development }
        return BuiltInRoots.all.contains(root) ? .production : .custom
    }

    /// Adds roots read from PEM text (one or more `CERTIFICATE` blocks) or DER bytes.
    ///
    /// - Parameters:
    ///   - data: The file's contents, at most 1 MiB.
    ///   - source: Where `data` came from, for error messages.
    /// - Throws: ``TrustRootError`` when `data` holds no readable certificate; no root is
    ///   added then.
    public mutating func add(contentsOf data: Data, source: String) throws {
        roots += try Self.certificates(in: data, source: source)
    }

    /// Every certificate in `data`: PEM blocks if it is PEM, else one DER certificate.
    ///
    /// Text containing `-----BEGIN` is read as PEM and every block must be a certificate;
    /// anything else must be exactly one DER certificate.
    ///
    /// - Throws: ``TrustRootError`` naming `source` when `data` is over 1 MiB, holds no
    ///   `CERTIFICATE` block, or holds a block or bytes that are not an X.509 certificate.
    public static func certificates(in data: Data, source: String) throws -> [Certificate] {
        guard data.count <= 1 << 20 else { throw TrustRootError(source: source, "larger than 1 MiB") }
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
            let blocks = text.components(separatedBy: "-----BEGIN CERTIFICATE-----").dropFirst()
            guard !blocks.isEmpty else { throw TrustRootError(source: source, "holds no PEM CERTIFICATE block") }
            return try blocks.map { block in
                do {
                    return try Certificate(pemEncoded: "-----BEGIN CERTIFICATE-----" + block)
                } catch {
                    throw TrustRootError(source: source, "a CERTIFICATE block is not a valid X.509 certificate")
                }
            }
        }
        do {
            return [try Certificate(derEncoded: Array(data))]
        } catch {
            throw TrustRootError(source: source, "is neither PEM nor a DER X.509 certificate")
        }
    }
}

/// The platform roots compiled into AICert.
///
/// A root added here makes every chain to it `production`: add only a cloud provider's
/// published vTPM root, with its source and fingerprint in its documentation.
enum BuiltInRoots {
    /// Every built-in root; a PEM that no longer parses is left out rather than trusted.
    static let all: [Certificate] = [azureVirtualTPMRoot2023].compactMap { try? Certificate(pemEncoded: $0) }

    /// "Azure Virtual TPM Root Certificate Authority 2023" (Microsoft Corporation, US), valid
    /// 2023-06-01 to 2048-06-01, SHA-256 fingerprint E6:C5:96:B1:…:EF:B0:0E:95. It issues the
    /// intermediates ("Global Virtual TPM CA - NN") of Azure Trusted Launch AK certificates.
    /// Source: Microsoft's published Azure vTPM root certificate.
    static let azureVirtualTPMRoot2023 = """
        -----BEGIN CERTIFICATE-----
        MIIFsDCCA5igAwIBAgIQUfQx2iySCIpOKeDZKd5KpzANBgkqhkiG9w0BAQwFADBp
        MQswCQYDVQQGEwJVUzEeMBwGA1UEChMVTWljcm9zb2Z0IENvcnBvcmF0aW9uMTow
        OAYDVQQDEzFBenVyZSBWaXJ0dWFsIFRQTSBSb290IENlcnRpZmljYXRlIEF1dGhv
        cml0eSAyMDIzMB4XDTIzMDYwMTE4MDg1M1oXDTQ4MDYwMTE4MTU0MVowaTELMAkG
        A1UEBhMCVVMxHjAcBgNVBAoTFU1pY3Jvc29mdCBDb3Jwb3JhdGlvbjE6MDgGA1UE
        AxMxQXp1cmUgVmlydHVhbCBUUE0gUm9vdCBDZXJ0aWZpY2F0ZSBBdXRob3JpdHkg
        MjAyMzCCAiIwDQYJKoZIhvcNAQEBBQADggIPADCCAgoCggIBALoMMwvdRJ7+bW00
        adKE1VemNqJS+268Ure8QcfZXVOsVO22+PL9WRoPnWo0r5dVoomYGbobh4HC72s9
        sGY6BGRe+Ui2LMwuWnirBtOjaJ34r1ZieNMcVNJT/dXW5HN/HLlm/gSKlWzqCEx6
        gFFAQTvyYl/5jYI4Oe05zJ7ojgjK/6ZHXpFysXnyUITJ9qgjn546IJh/G5OMC3mD
        fFU7A/GAi+LYaOHSzXj69Lk1vCftNq9DcQHtB7otO0VxFkRLaULcfu/AYHM7FC/S
        q6cJb9Au8K/IUhw/5lJSXZawLJwHpcEYzETm2blad0VHsACaLNucZL5wBi8GEusQ
        9Wo8W1p1rUCMp89pufxa3Ar9sYZvWeJlvKggWcQVUlhvvIZEnT+fteEvwTdoajl5
        qSvZbDPGCPjb91rSznoiLq8XqgQBBFjnEiTL+ViaZmyZPYUsBvBY3lKXB1l2hgga
        hfBIag4j0wcgqlL82SL7pAdGjq0Fou6SKgHnkkrV5CNxUBBVMNCwUoj5mvEjd5mF
        7XPgfM98qNABb2Aqtfl+VuCkU/G1XvFoTqS9AkwbLTGFMS9+jCEU2rw6wnKuGv1T
        x9iuSdNvsXt8stx4fkVeJvnFpJeAIwBZVgKRSTa3w3099k0mW8qGiMnwCI5SfdZ2
        SJyD4uEmszsnieE6wAWd1tLLg1jvAgMBAAGjVDBSMA4GA1UdDwEB/wQEAwIBhjAP
        BgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBRL/iZalMH2M8ODSCbd8+WwZLKqlTAQ
        BgkrBgEEAYI3FQEEAwIBADANBgkqhkiG9w0BAQwFAAOCAgEALgNAyg8I0ANNO/8I
        2BhpTOsbywN2YSmShAmig5h4sCtaJSM1dRXwA+keY6PCXQEt/PRAQAiHNcOF5zbu
        OU1Bw/Z5Z7k9okt04eu8CsS2Bpc+POg9js6lBtmigM5LWJCH1goMD0kJYpzkaCzx
        1TdD3yjo0xSxgGhabk5Iu1soD3OxhUyIFcxaluhwkiVINt3Jhy7G7VJTlEwkk21A
        oOrQxUsJH0f2GXjYShS1r9qLPzLf7ykcOm62jHGmLZVZujBzLIdNk1bljP9VuGW+
        cISBwzkNeEMMFufcL2xh6s/oiUnXicFWvG7E6ioPnayYXrHy3Rh68XLnhfpzeCzv
        bz/I4yMV38qGo/cAY2OJpXUuuD/ZbI5rT+lRBEkDW1kxHP8cpwkRwGopV8+gX2KS
        UucIIN4l8/rrNDEX8T0b5U+BUqiO7Z5YnxCya/H0ZIwmQnTlLRTU2fW+OGG+xyIr
        jMi/0l6/yWPUkIAkNtvS/yO7USRVLPbtGVk3Qre6HcqacCXzEjINcJhGEVg83Y8n
        M+Y+a9J0lUnHytMSFZE85h88OseRS2QwqjozUo2j1DowmhSSUv9Na5Ae22ycciBk
        EZSq8a4rSlwqthaELNpeoTLUk6iVoUkK/iLvaMvrkdj9yJY1O/gvlfN2aiNTST/2
        bd+PA4RBToG9rXn6vNkUWdbLibU=
        -----END CERTIFICATE-----
        """
}
