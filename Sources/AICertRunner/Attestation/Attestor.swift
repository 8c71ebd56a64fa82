import AICertCore
import Foundation
import TPM2

/// Makes the `aicert/v1` certificate of a finished build: quotes PCRs 0–15 with the client's
/// nonce (bound to the runner's TLS key) and gathers the log, manifests, PCR values and the
/// platform identity.
public struct Attestor: Sendable {
    public let platform: String
    public let identity: PlatformIdentity
    /// The digest of the TLS key every quote binds with its nonce (``ChannelBinding``); `nil`
    /// quotes the nonce itself (plain HTTP in tests).
    public let tlsKeyDigest: SHA256Hash?

    /// Refuses a nonce of a size other than ``NonceRule/sizes``: fresh enough, and within what a
    /// quote's `extraData` holds.
    private static func checkNonce(_ nonce: [UInt8]) throws {
        guard NonceRule.sizes.contains(nonce.count) else {
            throw Failure(description: NonceRule.Invalid.size(nonce.count).description)
        }
    }

    /// Why no certificate was made.
    public struct Failure: Error, Hashable, Sendable, CustomStringConvertible {
        public let description: String
    }

    public init(platform: String, identity: PlatformIdentity, tlsKeyDigest: SHA256Hash?) {
        self.platform = platform
        self.identity = identity
        self.tlsKeyDigest = tlsKeyDigest
    }

    /// The certificate for `records` (a complete build log) quoted with `nonce`.
    public func certificate(
        tpm: TPMClient, nonce: [UInt8], records: [EventRecord], manifests: AICertificate.Manifests,
        firmwareEventLog: [UInt8]? = nil, now: Date = Date()
    ) throws -> AICertificate {
        try Self.checkNonce(nonce)
        let summary: BuildSummary
        do {
            summary = try BuildLog.summarize(records)
        } catch {
            throw Failure(description: "the event log is not complete: \(error)")
        }
        let quoted = try quote(tpm: tpm, nonce: nonce)
        return AICertificate(
            platform: platform, runnerTime: RFC3339.string(from: now), nonce: nonce.hexString, eventLog: records,
            manifests: manifests, quote: quoted.quote, pcrs: quoted.pcrs,
            attestationKey: .init(publicArea: identity.publicAreaBytes, certificateChain: identity.certificateChain),
            summary: summary, firmwareEventLog: firmwareEventLog)
    }

    /// The runner's identity (`runner` is its `aicert/runner` event content) quoted with `nonce`,
    /// with the firmware event log of its boot, if any.
    public func identityDocument(
        tpm: TPMClient, nonce: [UInt8], runner: JSONValue, firmwareEventLog: [UInt8]? = nil, now: Date = Date()
    ) throws -> RunnerIdentity {
        try Self.checkNonce(nonce)
        let quoted = try quote(tpm: tpm, nonce: nonce)
        return RunnerIdentity(
            platform: platform, runnerTime: RFC3339.string(from: now), runner: runner, nonce: nonce.hexString,
            quote: quoted.quote, pcrs: quoted.pcrs,
            attestationKey: .init(publicArea: identity.publicAreaBytes, certificateChain: identity.certificateChain),
            firmwareEventLog: firmwareEventLog)
    }

    /// A quote over PCRs 0–15 (SHA-256) and the values it covers, re-read until they match the
    /// quote's digest so that the pair is consistent by construction.
    private func quote(tpm: TPMClient, nonce: [UInt8]) throws -> (
        quote: AICertificate.Quote, pcrs: [String: [String: String]]
    ) {
        let pcrs = Array(0...PCRAllocation.outputs)
        for _ in 0..<3 {
            let qualifyingData =
                tlsKeyDigest.map { ChannelBinding.qualifyingData(nonce: nonce, keyDigest: $0) } ?? nonce
            let quote = try tpm.quote(signingKey: .attestationKey, nonce: qualifyingData, pcrs: pcrs, bank: .sha256)
            let values = try tpm.readPCRs(pcrs, bank: .sha256)
            let attestation = try quote.parsedAttestation()
            let composite = try PCRMath.compositeDigest(
                selection: attestation.quote.pcrSelection, values: [.sha256: values], hash: quote.signature.hash)
            guard composite == attestation.quote.pcrDigest else { continue }
            var signature = TPMWriter()
            quote.signature.encode(into: &signature)
            return (
                AICertificate.Quote(attest: quote.attestation, signature: signature.bytes),
                ["sha256": Dictionary(uniqueKeysWithValues: pcrs.map { (String($0), values[$0]?.hexString ?? "") })]
            )
        }
        throw Failure(description: "the PCR values kept changing while they were quoted")
    }

}
