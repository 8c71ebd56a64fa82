import AICertCore
import Foundation
import TPM2
import X509

/// Checks a runner's identity document before any data is sent to it: the AK certificate
/// chains to a trusted root now; the AK is a restricted signing key, the certificate's key,
/// and signed the quote; the quote is a TPM-generated quote of exactly SHA-256 PCRs 0–15 with
/// our fresh nonce bound to the TLS key of the connection it came over, and the carried PCR
/// values; PCRs 14 and 15 are zero, so no build has been measured on this TPM since its
/// reset; and the boot is consistent: a carried firmware event log replays to the quoted PCRs,
/// and a known image the runner names has its reference values.
///
/// It composes the checks of a certificate's verification over the identity's
/// ``AttestationEvidence`` (the `ak-chain` check at the current time,
/// ``ComposedCheck/quoteSignature``, the quote-content rules) and throws the first failure as
/// an ``IdentityVerificationError``.
public enum IdentityVerifier {
    /// What an accepted identity tells: the AK certificate's subject and the root it chains to.
    public struct Accepted: Hashable, Sendable {
        /// The common name of the AK certificate's subject (the whole subject when it has none).
        public let attestationKeyCertificate: String
        /// The common name of the trusted root the AK certificate chains to.
        public let root: String
    }

    /// `quote-content` of an identity: our nonce, and exactly the PCRs a runner quotes.
    static let quoteContent = ComposedCheck(
        .quoteContent,
        [
            GeneratedQuoteCheck(), NonceCheck(), PCRSelectionCheck.exactly(0...PCRAllocation.outputs),
            PCRCoverageCheck(), PCRDigestCheck(),
        ])

    /// Verifies `identity`, which must carry `nonce` bound to `channelKeyDigest`, against
    /// `trustStore` at the current time; `platform`, when given, is the kind of platform the
    /// client started.
    ///
    /// The platform is compared first, then the checks run in the order above and the first
    /// failure is thrown. The identity's `nonce` member must also be `nonce` in lowercase hex,
    /// and its runner event must name the same TLS key.
    ///
    /// - Parameters:
    ///   - identity: The identity document the runner answered with.
    ///   - nonce: The fresh nonce the client sent.
    ///   - channelKeyDigest: The SHA-256 of the SPKI of the TLS certificate the connection the
    ///     identity came over presented; the quote's `extraData` must bind it to `nonce`
    ///     (`ChannelBinding`). `nil` only over plain loopback HTTP in tests: the `extraData`
    ///     must then be `nonce` itself.
    ///   - trustStore: The roots the AK certificate may chain to.
    ///   - platform: The kind of platform the client started, or `nil` not to compare.
    ///   - knownImages: The images whose reference values the boot must have when the runner
    ///     names one of them. A boot without reference values passes here: the certificate's
    ///     verifier judges it.
    /// - Returns: The AK certificate's subject and the root it chains to.
    /// - Throws: ``IdentityVerificationError`` naming the first check that failed.
    public static func verify(
        _ identity: RunnerIdentity, nonce: [UInt8], channelKeyDigest: SHA256Hash?, trustStore: TrustStore,
        platform: PlatformKind?, knownImages: [KnownImage] = []
    ) async throws -> Accepted {
        if let platform, identity.platform != platform.rawValue {
            throw IdentityVerificationError(
                .platform, "it says platform '\(identity.platform)', but a \(platform.rawValue) one was started")
        }
        let chain = identity.attestationKey.certificateChain.map(\.bytes)
        let anchor = await ChainCheck.run(chain: chain, trustStore: trustStore, at: Date())
        guard anchor.result.status == .pass, let root = anchor.root else {
            throw IdentityVerificationError(.chain, message(anchor.result, chainLength: chain.count))
        }
        let evidence = AttestationEvidence(identity: identity, sentNonce: nonce, channelKeyDigest: channelKeyDigest)
        for (check, failure) in [
            (ComposedCheck.quoteSignature, IdentityVerificationError.Check.signature), (quoteContent, .quote),
        ] {
            let result = check.run(evidence)
            guard result.status == .pass else {
                let check = result.reason == .channelBindingMismatch ? .channel : failure
                throw IdentityVerificationError(check, message(result))
            }
        }
        guard identity.nonce == nonce.hexString else {
            throw IdentityVerificationError(.quote, replay)
        }
        guard identity.runner[ChannelBinding.runnerEventMember]?.stringValue == channelKeyDigest?.hex else {
            throw IdentityVerificationError(.channel, relayed)
        }
        for pcr in [PCRAllocation.inputs, PCRAllocation.outputs]
        where evidence.bank(.sha256)?[pcr]?.contains(where: { $0 != 0 }) != false {
            throw IdentityVerificationError(
                .freshness,
                "PCR \(pcr) is not zero: this TPM has already measured a build since its reset; "
                    + "restart the runner's machine"
            )
        }
        let boot = BootStateCheck.run(
            platform: identity.platform, image: identity.runner["image"].flatMap(ImageIdentity.init(jsonValue:)),
            pcrs: evidence.bank(.sha256), firmwareLog: identity.firmwareEventLog?.bytes,
            options: VerificationOptions(knownImages: knownImages, allowUnmeasuredBoot: true))
        guard boot.status != .fail else { throw IdentityVerificationError(.boot, boot.detail) }
        return Accepted(attestationKeyCertificate: evidence.akCertificate?.commonName ?? "", root: root.commonName)
    }

    /// The reason for a quote without our nonce.
    private static let replay = "the quote does not carry the nonce we sent: it may be a replay"
    /// The reason for a quote bound to another TLS key than our connection's.
    private static let relayed =
        "it is bound to another TLS key than the one this connection presented: a machine in the middle may be "
        + "relaying another runner's answer"

    /// The identity's words for a failed check: its own where it says more to a builder, the
    /// check's detail otherwise.
    private static func message(_ result: CheckResult, chainLength: Int = 0) -> String {
        switch result.reason {
        case .chainMissing, .chainTooLong:
            "it carries \(chainLength) certificates; 1 to \(ChainCheck.maximumChainLength) are expected"
        case .akNotRestricted: "the AK is not a restricted signing key bound to its TPM"
        case .nonceMalformed, .nonceMismatch: replay
        case .channelBindingMismatch: relayed
        case .pcrSelectionInvalid: "the quote and the PCR values must cover exactly SHA-256 PCRs 0–15"
        case .pcrDigestMismatch: "the PCR values are not the ones the quote signs"
        default: result.detail
        }
    }
}
