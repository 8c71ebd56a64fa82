import AICertCore
import TPM2

/// The quote is a `TPMS_ATTEST` of a quote that the TPM generated itself.
/// Reasons: `attest-unreadable`, `not-tpm-generated`.
///
/// A TPM puts `TPM_GENERATED_VALUE` in the magic of every structure it generates, and a
/// restricted key refuses to sign outside data that starts with it, so the magic proves that
/// the TPM, not a caller of its signing key, produced the quote.
public struct GeneratedQuoteCheck: EvidenceCheck {
    /// The rule; it has no settings.
    public init() {}

    /// Finds "a TPM-generated quote", or throws `not-tpm-generated` for another magic.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let quote = try evidence.attestation.get()
        guard quote.magic == QuoteAttestation.generatedMagic else {
            throw .failure(
                .notTPMGenerated, "magic 0x\(String(quote.magic, radix: 16)) is not TPM_GENERATED_VALUE (0xff544347)")
        }
        return "a TPM-generated quote"
    }
}

/// The quote's `extraData` is the expected nonce, so the quote is fresh; over an attested
/// channel, the nonce bound to the channel's TLS key (`ChannelBinding`).
/// Reasons: `nonce-malformed`, `nonce-mismatch`, `channel-binding-mismatch`, and
/// `nonce-absent` (a warning).
///
/// What the nonce must be comes from ``AttestationEvidence/nonce``: a certificate's own
/// (checked to follow the nonce rule first), the one a client sent, or none for a format that
/// records none. The key comes from ``AttestationEvidence/channelKeyDigest``.
public struct NonceCheck: EvidenceCheck {
    /// The rule; it has no settings.
    public init() {}

    /// Finds that the `extraData` is the expected nonce, or throws the issue; with no nonce
    /// to expect it throws the `nonce-absent` warning.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let expected: [UInt8]
        switch evidence.nonce {
        case .absent:
            throw .warning(.nonceAbsent, "the format records no nonce, so freshness is unproven")
        case .written(let text):
            guard let bytes = Hex.bytes(text), NonceRule.sizes.contains(bytes.count) else {
                throw .failure(.nonceMalformed, "the certificate's nonce is not 16 to 64 bytes of lowercase hex")
            }
            expected = bytes
        case .sent(let bytes):
            expected = bytes
        }
        let extraData = try evidence.attestation.get().extraData
        guard let key = evidence.channelKeyDigest else {
            guard extraData == expected else {
                throw .failure(.nonceMismatch, "the quote's nonce (extraData) is not the expected nonce")
            }
            return "its extraData is the expected nonce"
        }
        guard extraData == ChannelBinding.qualifyingData(nonce: expected, keyDigest: key) else {
            throw .failure(
                .channelBindingMismatch,
                "the quote's extraData is not SHA-256(\"aicert-tls-v1\" ‖ nonce ‖ \(key.hex)): it does not bind "
                    + "the nonce to the TLS key \(key.hex)")
        }
        return "its extraData binds the expected nonce to the TLS key \(key.hex)"
    }
}

/// The quote selects the SHA-256 bank only, with the PCRs it must cover.
/// Reason: `pcr-selection-invalid`.
///
/// Create one with ``including(_:)`` (a certificate's quote may cover more) or
/// ``exactly(_:)`` (a runner's identity quote must not).
public struct PCRSelectionCheck: EvidenceCheck {
    /// The SHA-256 PCRs the quote must select.
    private let required: Set<Int>
    /// Whether the quote may select SHA-256 PCRs beyond ``required``.
    private let allowsMore: Bool

    /// A selection of SHA-256 PCRs that includes `pcrs`.
    public static func including(_ pcrs: ClosedRange<Int>) -> PCRSelectionCheck {
        PCRSelectionCheck(required: Set(pcrs), allowsMore: true)
    }

    /// A selection of exactly SHA-256 PCRs `pcrs`.
    public static func exactly(_ pcrs: ClosedRange<Int>) -> PCRSelectionCheck {
        PCRSelectionCheck(required: Set(pcrs), allowsMore: false)
    }

    /// Finds the selected SHA-256 PCRs, or throws when another bank, too few or (for
    /// ``exactly(_:)``) too many PCRs are selected.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let selections = try evidence.attestation.get().quote.pcrSelection.selections.filter { !$0.pcrs.isEmpty }
        guard selections.count == 1, let selection = selections.first, selection.hash == .sha256 else {
            throw .failure(
                .pcrSelectionInvalid,
                "the quote must select exactly one bank, SHA-256; it selects \(selections.map { "\($0.hash)" })")
        }
        let missing = required.subtracting(selection.pcrs)
        guard missing.isEmpty else {
            throw .failure(.pcrSelectionInvalid, "the quote does not cover PCR \(PCRBank.ranges(missing))")
        }
        let extra = Set(selection.pcrs).subtracting(required)
        guard allowsMore || extra.isEmpty else {
            throw .failure(
                .pcrSelectionInvalid,
                "the quote covers PCR \(PCRBank.ranges(extra)) beyond PCR \(PCRBank.ranges(required))")
        }
        return "it selects SHA-256 PCR \(PCRBank.ranges(selection.pcrs))"
    }
}

/// The carried PCR values are readable and are exactly the quoted ones, bank by bank.
/// Reasons: `pcr-values-malformed`; a carried set other than the quoted one is `uncovered`.
///
/// Without it, a carried value outside the quote could pass for signed, and a quoted PCR
/// could be missing from what later checks read.
public struct PCRCoverageCheck: EvidenceCheck {
    /// The reason for carried values that are not the quoted set.
    private let uncovered: CheckReason

    /// `uncovered`: the reason for carried values that are not the quoted set (`pcr-values-malformed`
    /// for a certificate's `pcrs`; `pcr-selection-invalid` for a legacy PCR file, which has its own selection).
    public init(uncovered: CheckReason = .pcrValuesMalformed) {
        self.uncovered = uncovered
    }

    /// Finds nothing to add when every carried bank holds exactly the quoted PCRs; throws
    /// the `uncovered` reason for an extra or a missing PCR.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let banks = try evidence.banks.get()
        let selection = try evidence.attestation.get().quote.pcrSelection
        var quoted: [AlgorithmID: Set<Int>] = [:]
        for (hash, pcr) in selection.orderedPCRs { quoted[hash, default: []].insert(pcr) }
        for bank in banks {
            let extra = Set(bank.values.keys).subtracting(quoted[bank.algorithm] ?? [])
            guard extra.isEmpty else {
                throw .failure(
                    uncovered,
                    "the carried values hold \(bank.algorithm) PCR \(PCRBank.ranges(extra)), "
                        + "which the quote does not cover"
                )
            }
        }
        for selected in selection.selections {
            let carried = banks.first { $0.algorithm == selected.hash }?.pcrs ?? []
            let absent = Set(selected.pcrs).subtracting(carried)
            guard absent.isEmpty else {
                throw .failure(
                    uncovered, "the carried values lack quoted \(selected.hash) PCR \(PCRBank.ranges(absent))")
            }
        }
        return nil
    }
}

/// The quote's PCR digest is the digest of the carried values. Reason: `pcr-digest-mismatch`.
///
/// The TPM signs only a digest of the selected PCR values, so this rule is what makes the
/// carried values the signed ones: after it passes, every check may read them.
public struct PCRDigestCheck: EvidenceCheck {
    /// The rule; it has no settings.
    public init() {}

    /// Finds that the PCR digest is that of the carried values, hashed with the signature's
    /// hash (SHA-256 when the signature is unreadable), or throws `pcr-digest-mismatch`.
    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let quote = try evidence.attestation.get().quote
        let values = Dictionary(try evidence.banks.get().map { ($0.algorithm, $0.values) }) { first, _ in first }
        // The TPM hashes the PCR values with the signing scheme's hash.
        let hash = (try? evidence.signature.get())?.hash ?? .sha256
        guard let composite = try? PCRMath.compositeDigest(selection: quote.pcrSelection, values: values, hash: hash),
            composite == quote.pcrDigest
        else {
            throw .failure(
                .pcrDigestMismatch,
                "the quote's PCR digest is not the digest of the carried PCR values: a PCR value was changed")
        }
        return "the PCR digest is that of the carried values"
    }
}
