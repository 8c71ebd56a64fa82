import AICertCore
import TPM2

/// The quote is a `TPMS_ATTEST` of a quote that the TPM generated itself.
/// Reasons: `attest-unreadable`, `not-tpm-generated`.
public struct GeneratedQuoteCheck: EvidenceCheck {
    public init() {}

    public func check(_ evidence: AttestationEvidence) throws(EvidenceIssue) -> String? {
        let quote = try evidence.attestation.get()
        guard quote.magic == QuoteAttestation.generatedMagic else {
            throw .failure(
                .notTPMGenerated, "magic 0x\(String(quote.magic, radix: 16)) is not TPM_GENERATED_VALUE (0xff544347)")
        }
        return "a TPM-generated quote"
    }
}

/// The quote's `extraData` is the expected nonce, so the quote is fresh.
/// Reasons: `nonce-malformed`, `nonce-mismatch`, and `nonce-absent` (a warning).
public struct NonceCheck: EvidenceCheck {
    public init() {}

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
        guard try evidence.attestation.get().extraData == expected else {
            throw .failure(.nonceMismatch, "the quote's nonce (extraData) is not the expected nonce")
        }
        return "its extraData is the expected nonce"
    }
}

/// The quote selects the SHA-256 bank only, with the PCRs it must cover.
/// Reason: `pcr-selection-invalid`.
public struct PCRSelectionCheck: EvidenceCheck {
    private let required: Set<Int>
    private let allowsMore: Bool

    /// A selection of SHA-256 PCRs that includes `pcrs`.
    public static func including(_ pcrs: ClosedRange<Int>) -> PCRSelectionCheck {
        PCRSelectionCheck(required: Set(pcrs), allowsMore: true)
    }

    /// A selection of exactly SHA-256 PCRs `pcrs`.
    public static func exactly(_ pcrs: ClosedRange<Int>) -> PCRSelectionCheck {
        PCRSelectionCheck(required: Set(pcrs), allowsMore: false)
    }

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
public struct PCRCoverageCheck: EvidenceCheck {
    private let uncovered: CheckReason

    /// `uncovered`: the reason for carried values that are not the quoted set (`pcr-values-malformed`
    /// for a certificate's `pcrs`; `pcr-selection-invalid` for a legacy PCR file, which has its own selection).
    public init(uncovered: CheckReason = .pcrValuesMalformed) {
        self.uncovered = uncovered
    }

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
public struct PCRDigestCheck: EvidenceCheck {
    public init() {}

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
