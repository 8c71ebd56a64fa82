import Crypto
import Foundation
import SwiftASN1
import Testing
import X509

@testable import AICertVerify

/// Azure's real vTPM chain material: its intermediates let AK certificates through the AK purpose
/// rule, its root is built in and anchors `production`, and the set is refreshed before it expires.
struct AzureChainTests {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Vectors/azure-trust")

    static func certificate(_ name: String) throws -> Certificate {
        try Certificate(pemEncoded: String(contentsOf: directory.appendingPathComponent(name), encoding: .utf8))
    }

    static let intermediates = [
        "azure-global-virtual-tpm-ca-03.pem", "azure-cloud-virtual-tpm-ca-2025.pem",
        "azure-cloud-virtual-tpm-ca-11.pem",
    ]

    @Test(arguments: intermediates)
    func everyAzureIntermediateAllowsTheAttestationKeyPurpose(name: String) throws {
        let intermediate = try Self.certificate(name)
        #expect(try intermediate.extensions.extendedKeyUsage != nil, "Azure's intermediates restrict purposes")
        #expect(ChainCheck.allowsAttestation(intermediate, required: false))
    }

    @Test func anIssuerRestrictedToOtherPurposesRefusesTheAttestationKeyPurpose() throws {
        let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
        let name = try DistinguishedName { CommonName("TLS only CA") }
        let issuer = try Certificate(
            version: .v3, serialNumber: .init(), publicKey: key.publicKey, notValidBefore: Date(),
            notValidAfter: Date() + 3600,
            issuer: name, subject: name, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { try ExtendedKeyUsage([.serverAuth]) }, issuerPrivateKey: key)
        #expect(!ChainCheck.allowsAttestation(issuer, required: false))
        #expect(!ChainCheck.allowsAttestation(issuer, required: true))
    }

    @Test func theBuiltInAzureRootIsTheCommittedOneAndAnchorsProduction() throws {
        let root = try Self.certificate("azure-virtual-tpm-root-ca-2023.pem")
        #expect(TrustStore.builtIn.roots.contains(root))
        #expect(TrustStore.builtIn.trust(of: root) == .production)
    }

    @Test func theIntermediatesAreRefreshedBeforeTheyExpire() throws {
        let soonest = try Self.intermediates.map { try Self.certificate($0).notValidAfter }.min()!
        #expect(
            Date().addingTimeInterval(60 * 86_400) < soonest,
            "refresh Vectors/azure-trust and the built-in chain material")
    }
}
