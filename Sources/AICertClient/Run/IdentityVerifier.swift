import AICertCore
import AICertVerify
import Foundation
import SwiftASN1
import TPM2
import X509

/// Checks a runner's identity document before any data is sent to it: the AK certificate
/// chains to a trusted root now; the AK is a restricted signing key, the certificate's key,
/// and signed the quote; the quote is a TPM-generated quote of SHA-256 PCRs 0–15 with our
/// fresh nonce and the carried PCR values; and PCRs 14 and 15 are zero, so no build has been
/// measured on this TPM since its reset.
public enum IdentityVerifier {
    /// What an accepted identity tells: the AK certificate's subject and the root it chains to.
    public struct Accepted: Hashable, Sendable {
        public let attestationKeyCertificate: String
        public let root: String
    }

    /// Object attributes every attestation key must have: without `restricted`, the TPM would
    /// sign anything, forged quotes included.
    static let requiredAttributes: ObjectAttributes = [.fixedTPM, .sensitiveDataOrigin, .restricted, .sign]

    public static func verify(
        _ identity: RunnerIdentity, nonce: [UInt8], trustStore: TrustStore, platform: RunPlatform?
    ) async throws -> Accepted {
        if let platform, identity.platform != platform.rawValue {
            throw IdentityVerificationError(.platform, "it says platform '\(identity.platform)', but a \(platform.rawValue) one was started")
        }
        let (leaf, root) = try await chain(identity.attestationKey.certificateChain.map(\.bytes), trustStore: trustStore)
        try signature(identity, leaf: leaf)
        let values = try quote(identity, nonce: nonce)
        for pcr in [PCRAllocation.inputs, PCRAllocation.outputs] where values[pcr]?.contains(where: { $0 != 0 }) != false {
            throw IdentityVerificationError(
                .freshness, "PCR \(pcr) is not zero: this TPM has already measured a build since its reset; restart the runner's machine")
        }
        return Accepted(attestationKeyCertificate: commonName(leaf.subject), root: commonName(root.subject))
    }

    /// The AK certificate and the root it chains to, valid now.
    private static func chain(_ chain: [[UInt8]], trustStore: TrustStore) async throws -> (Certificate, Certificate) {
        guard !chain.isEmpty, chain.count <= 8 else {
            throw IdentityVerificationError(.chain, "it carries \(chain.count) certificates; 1 to 8 are expected")
        }
        let certificates = try chain.enumerated().map { index, der in
            do {
                return try Certificate(derEncoded: der)
            } catch {
                throw IdentityVerificationError(.chain, "certificate \(index) of the chain is not DER X.509")
            }
        }
        // The same chain policy as the certificate's ak-chain check, at the current time.
        var verifier = Verifier(rootCertificates: CertificateStore(trustStore.roots)) {
            RFC5280Policy()
            AttestationKeyChainPolicy()
        }
        let result = await verifier.validate(leaf: certificates[0], intermediates: CertificateStore(Array(certificates.dropFirst())))
        switch result {
        case .validCertificate(let validated):
            return (certificates[0], validated.last ?? certificates[0])
        case .couldNotValidate(let failures):
            let reason = failures.first.map { "\($0.policyFailureReason)" } ?? "no chain to a trusted root"
            throw IdentityVerificationError(.chain, "'\(certificates[0].subject)' does not chain to a trusted root: \(reason)")
        }
    }

    private static func signature(_ identity: RunnerIdentity, leaf: Certificate) throws {
        do {
            let publicArea = try PublicArea(tpmEncoded: identity.attestationKey.publicArea.bytes)
            guard requiredAttributes.isSubset(of: publicArea.attributes), !publicArea.attributes.contains(.decrypt) else {
                throw IdentityVerificationError(.signature, "the AK is not a restricted signing key bound to its TPM")
            }
            let key = try AttestationPublicKey(publicArea)
            guard try Certificate.PublicKey(derEncoded: key.derRepresentation) == leaf.publicKey else {
                throw IdentityVerificationError(.signature, "the AK is not the key of its certificate '\(leaf.subject)'")
            }
            try key.verify(try Signature(tpmEncoded: identity.quote.signature.bytes), over: identity.quote.attest.bytes)
        } catch let error as IdentityVerificationError {
            throw error
        } catch {
            throw IdentityVerificationError(.signature, "\(error)")
        }
    }

    /// The quoted PCR values, once the quote is shown to cover exactly them with our nonce.
    private static func quote(_ identity: RunnerIdentity, nonce: [UInt8]) throws -> [Int: [UInt8]] {
        let attestation: QuoteAttestation
        do {
            attestation = try QuoteAttestation(tpmEncoded: identity.quote.attest.bytes)
        } catch {
            throw IdentityVerificationError(.quote, "the quote is not a TPMS_ATTEST: \(error)")
        }
        guard attestation.magic == QuoteAttestation.generatedMagic else {
            throw IdentityVerificationError(.quote, "the quote was not generated by a TPM (magic 0x\(String(attestation.magic, radix: 16)))")
        }
        guard attestation.extraData == nonce, identity.nonce == nonce.map({ String(format: "%02x", $0) }).joined() else {
            throw IdentityVerificationError(.quote, "the quote does not carry the nonce we sent: it may be a replay")
        }
        let selections = attestation.quote.pcrSelection.selections.filter { !$0.pcrs.isEmpty }
        let expected = Array(0...PCRAllocation.outputs)
        guard selections.count == 1, selections[0].hash == .sha256, selections[0].pcrs.sorted() == expected,
            let bank = identity.pcrs["sha256"], identity.pcrs.count == 1, Set(bank.keys) == Set(expected.map(String.init))
        else {
            throw IdentityVerificationError(.quote, "the quote and the PCR values must cover exactly SHA-256 PCRs 0–15")
        }
        var values: [Int: [UInt8]] = [:]
        for pcr in expected {
            guard let value = bank[String(pcr)].flatMap(hexBytes), value.count == 32 else {
                throw IdentityVerificationError(.quote, "PCR \(pcr) is not 32 bytes of hex")
            }
            values[pcr] = value
        }
        let hash = (try? Signature(tpmEncoded: identity.quote.signature.bytes))?.hash ?? .sha256
        guard
            let composite = try? PCRMath.compositeDigest(selection: attestation.quote.pcrSelection, values: [.sha256: values], hash: hash),
            composite == attestation.quote.pcrDigest
        else {
            throw IdentityVerificationError(.quote, "the PCR values are not the ones the quote signs")
        }
        return values
    }

    /// The subject's last common name, or the whole name when it has none.
    private static func commonName(_ name: DistinguishedName) -> String {
        for rdn in name.reversed() {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                return attribute.value.description
            }
        }
        return name.description
    }

    private static func hexBytes(_ text: String) -> [UInt8]? {
        let digits = "0123456789abcdefABCDEF".utf8
        guard text.utf8.count.isMultiple(of: 2), text.utf8.allSatisfy(digits.contains) else { return nil }
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
