import AICertClient
import AICertCore
import AICertRunner
import AICertVerify
import Foundation
import TPM2
import TPMTestSupport
import Testing
import X509

/// The client's check of a runner's identity before it sends anything: real identity
/// documents from swtpm, as the runner makes them, each tampered with in one way.
@Suite(.timeLimit(.minutes(2)))
struct IdentityVerifierTests {
    static let nonce = Array(repeating: UInt8(0x3C), count: 32)
    /// The SPKI digest of the TLS key the identity's connection presented.
    static let channel = SHA256Hash.of(Array("the runner's TLS key".utf8))

    /// An identity document of a fresh TPM quoted with ``nonce``, and the CA that certified its AK.
    struct Made: Sendable {
        var identity: RunnerIdentity
        var ca: DevelopmentCA
    }

    /// An identity from a fresh TPM whose AK has `template`, after `extend` ran on the TPM.
    static func make(
        template: PublicArea = .rsaAttestationKeyTemplate, ca: DevelopmentCA? = nil, channel: SHA256Hash? = channel,
        firmwareLog: [UInt8]? = nil, extend: (TPMClient) throws -> Void = { _ in }
    ) throws -> Made {
        let ca = try ca ?? DevelopmentCA()
        let tpm = try SoftwareTPM()
        defer { tpm.stop() }
        let identity = try tpm.withClient { client in
            _ = try VirtualTPMLayout.provision(
                client, ca: ca, template: template, notBefore: Date().addingTimeInterval(-3600),
                notAfter: Date().addingTimeInterval(86_400))
            try extend(client)
            let platform = try PlatformIdentity.read(from: client, intermediates: [try ca.intermediate.derBytes])
            var runner: [String: JSONValue] = ["name": .string("aicert-runner")]
            runner[ChannelBinding.runnerEventMember] = channel.map { .string($0.hex) }
            return try Attestor(platform: PlatformKind.local.rawValue, identity: platform, tlsKeyDigest: channel)
                .identityDocument(tpm: client, nonce: nonce, runner: .object(runner), firmwareEventLog: firmwareLog)
        }
        return Made(identity: identity, ca: ca)
    }

    static let fresh = Result { try make() }

    func verify(
        _ identity: RunnerIdentity, ca: DevelopmentCA, nonce: [UInt8] = nonce, channel: SHA256Hash? = channel,
        roots: [Certificate]? = nil, platform: PlatformKind? = .local
    ) async throws -> IdentityVerifier.Accepted {
        try await IdentityVerifier.verify(
            identity, nonce: nonce, channelKeyDigest: channel, trustStore: TrustStore(roots: roots ?? [ca.root]),
            platform: platform)
    }

    /// Asserts that verifying `identity` fails `check`.
    func expectFailure(
        _ identity: RunnerIdentity, _ check: IdentityVerificationError.Check, nonce: [UInt8] = nonce,
        channel: SHA256Hash? = channel, roots: [Certificate]? = nil, platform: PlatformKind? = .local,
        ca: DevelopmentCA? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        let ca = try ca ?? Self.fresh.get().ca
        await #expect(throws: IdentityVerificationError(check, ""), sourceLocation: sourceLocation) {
            try await verify(identity, ca: ca, nonce: nonce, channel: channel, roots: roots, platform: platform)
        }
    }

    @Test func aFirmwareLogThatReplaysToTheQuotedPCRsIsAccepted() async throws {
        let made = try Self.make(firmwareLog: RealBoot.eventLog) { client in
            for event in try FirmwareEventLog(bytes: RealBoot.eventLog).events where event.isExtended {
                if let digest = event.digest(for: .sha256) { try client.extendPCR(event.pcr, digest: digest) }
            }
        }
        _ = try await verify(made.identity, ca: made.ca)
    }

    @Test func aFirmwareLogThatDoesNotExplainTheQuotedBootFailsTheBootState() async throws {
        // The log of a real boot, carried by a TPM that never booted that way.
        let made = try Self.make(firmwareLog: RealBoot.eventLog)
        try await expectFailure(made.identity, .boot, ca: made.ca)
    }

    @Test func anIdentityBoundToAnotherTLSKeyThanTheConnectionsFailsTheChannelBinding() async throws {
        // A machine in the middle relays a genuine identity: its quote binds the runner's key,
        // while the client's connection ends at the relay's.
        let relayKey = SHA256Hash.of(Array("the relay's TLS key".utf8))
        try await expectFailure(Self.fresh.get().identity, .channel, channel: relayKey)
    }

    @Test func anIdentityBindingNoTLSKeyFailsOverTLS() async throws {
        let unbound = try Self.make(channel: nil)
        try await expectFailure(unbound.identity, .channel, ca: unbound.ca)
    }

    @Test func anIdentityWhoseRunnerEventNamesAnotherKeyThanItsQuoteFailsTheChannelBinding() async throws {
        var identity = try Self.fresh.get().identity
        identity.runner = .object([
            "name": .string("aicert-runner"),
            ChannelBinding.runnerEventMember: .string(SHA256Hash.of(Array("another key".utf8)).hex),
        ])
        try await expectFailure(identity, .channel)
    }

    @Test func aFreshRunnersIdentityIsAcceptedAndNamesItsRoot() async throws {
        let made = try Self.fresh.get()
        let accepted = try await verify(made.identity, ca: made.ca)
        #expect(accepted.root == "AICert Development Root CA")
        #expect(accepted.attestationKeyCertificate.hasPrefix("AICert development AK"))
    }

    @Test func anotherPlatformThanTheOneStartedFails() async throws {
        try await expectFailure(try Self.fresh.get().identity, .platform, platform: .qemu)
    }

    @Test func anUntrustedRootFailsTheChain() async throws {
        try await expectFailure(try Self.fresh.get().identity, .chain, roots: [try DevelopmentCA().root])
    }

    @Test func anIdentityWithoutCertificatesFailsTheChainAndSaysHowManyItCarries() async throws {
        let made = try Self.fresh.get()
        var identity = made.identity
        identity.attestationKey.certificateChain = []
        do {
            _ = try await verify(identity, ca: made.ca)
            Issue.record("an identity without an AK certificate was accepted")
        } catch let error as IdentityVerificationError {
            #expect(error.check == .chain)
            #expect(error.reason == "it carries 0 certificates; 1 to 8 are expected")
        }
    }

    @Test func anUnrestrictedKeyAsTheAKFailsTheSignature() async throws {
        var template = PublicArea.rsaAttestationKeyTemplate
        template.attributes.remove(.restricted)
        let made = try Self.make(template: template, ca: try Self.fresh.get().ca)
        try await expectFailure(made.identity, .signature)
    }

    @Test func aChangedQuoteByteFailsTheSignature() async throws {
        var identity = try Self.fresh.get().identity
        identity.quote.attest.bytes[identity.quote.attest.bytes.count - 40] ^= 0x01
        try await expectFailure(identity, .signature)
    }

    @Test func anotherNonceThanTheOneSentFailsTheBindingOverTLSAndTheQuoteOverPlainHTTP() async throws {
        // Bound to a key, a quote of another nonce cannot be told from one of another key.
        try await expectFailure(try Self.fresh.get().identity, .channel, nonce: Array(repeating: 0x3D, count: 32))
        let plain = try Self.make(channel: nil)
        try await expectFailure(
            plain.identity, .quote, nonce: Array(repeating: 0x3D, count: 32), channel: nil, ca: plain.ca)
    }

    @Test func aNonceWrittenOtherwiseThanSentFailsTheQuote() async throws {
        var identity = try Self.fresh.get().identity
        identity.nonce = identity.nonce.uppercased()
        try await expectFailure(identity, .quote)
    }

    @Test func aChangedPCRValueFailsTheQuote() async throws {
        var identity = try Self.fresh.get().identity
        identity.pcrs["sha256"]?["7"] = String(repeating: "ab", count: 32)
        try await expectFailure(identity, .quote)
    }

    /// The identity document is lowercase hex, like every AICert document.
    @Test func aPCRValueInUppercaseFailsTheQuote() async throws {
        let made = try Self.make(ca: try Self.fresh.get().ca) { client in
            try client.extendPCR(7, digest: Array(repeating: 0x11, count: 32))
        }
        var identity = made.identity
        _ = try await verify(identity, ca: made.ca)
        let value = try #require(identity.pcrs["sha256"]?["7"])
        try #require(value.uppercased() != value)
        identity.pcrs["sha256"]?["7"] = value.uppercased()
        try await expectFailure(identity, .quote)
    }

    @Test func aTPMThatMeasuredABuildAlreadyIsNotFresh() async throws {
        let made = try Self.make(ca: try Self.fresh.get().ca) { client in
            try client.extendPCR(PCRAllocation.inputs, digest: Array(repeating: 0x11, count: 32))
        }
        try await expectFailure(made.identity, .freshness)
    }
}
