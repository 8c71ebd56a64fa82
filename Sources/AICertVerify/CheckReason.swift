/// Why a check ended as it did: a stable code that the Swift and Python verifiers emit alike,
/// listed with its rule in docs/verification-rules.md. Tests compare codes, never details.
public enum CheckReason: String, Hashable, Sendable, Codable, CaseIterable {
    /// The check passed.
    case ok
    /// Nothing asked for the check (no policy requirement, no artifact).
    case notRequested = "not-requested"

    // timestamp
    case timestampMalformed = "timestamp-malformed"
    case timestampImprintMismatch = "timestamp-imprint-mismatch"
    case timestampSignatureInvalid = "timestamp-signature-invalid"
    case timestampPurposeMissing = "timestamp-purpose-missing"
    case timestampUntrusted = "timestamp-untrusted"

    // ak-chain
    case chainMissing = "chain-missing"
    case chainTooLong = "chain-too-long"
    case certificateUnreadable = "certificate-unreadable"
    case untrustedRoot = "untrusted-root"
    case certificateExpired = "certificate-expired"
    case akPurposeMissing = "ak-purpose-missing"
    case chainInvalid = "chain-invalid"

    // quote-signature
    case akPublicUnreadable = "ak-public-unreadable"
    case akNotRestricted = "ak-not-restricted"
    case akKeyUnacceptable = "ak-key-unacceptable"
    case akCertificateUnreadable = "ak-certificate-unreadable"
    case akKeyMismatch = "ak-key-mismatch"
    case signatureUnreadable = "signature-unreadable"
    case signatureInvalid = "signature-invalid"

    // quote-content
    case attestUnreadable = "attest-unreadable"
    case notTPMGenerated = "not-tpm-generated"
    case nonceMalformed = "nonce-malformed"
    case nonceMismatch = "nonce-mismatch"
    /// The quote does not bind its nonce to the TLS key of the channel it was asked for over.
    case channelBindingMismatch = "channel-binding-mismatch"
    /// Legacy proofs only: the format records no nonce, so freshness is unproven (a warning).
    case nonceAbsent = "nonce-absent"
    case pcrSelectionInvalid = "pcr-selection-invalid"
    case pcrValuesMalformed = "pcr-values-malformed"
    case pcrDigestMismatch = "pcr-digest-mismatch"

    // event-log
    case logGrammar = "log-grammar"
    case eventDigestMismatch = "event-digest-mismatch"
    case pcrReplayMismatch = "pcr-replay-mismatch"
    case manifestMismatch = "manifest-mismatch"
    case summaryMismatch = "summary-mismatch"
    case platformMismatch = "platform-mismatch"

    // boot-state
    case firmwareLogUnreadable = "firmware-log-unreadable"
    case pcrNotReplayed = "pcr-not-replayed"
    case bootNotMeasured = "boot-not-measured"
    case unknownImage = "unknown-image"
    case referenceMismatch = "reference-mismatch"
    case firmwareLogMissing = "firmware-log-missing"
    case bootRuleViolation = "boot-rule-violation"

    // policy
    case policyUnreadableLog = "policy-unreadable-log"
    case requirementMissing = "requirement-missing"
    case digestMismatch = "digest-mismatch"
    case commitMismatch = "commit-mismatch"

    // artifacts
    case artifactUnreadable = "artifact-unreadable"
    case artifactMismatch = "artifact-mismatch"
}
