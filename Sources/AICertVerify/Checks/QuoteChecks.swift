import AICertCore

/// The report's quote checks, composed of the rules over ``AttestationEvidence``.
///
/// Each constant is a named check of the report: the certificate verifier, the legacy
/// verifier and the identity verifier run these same rule lists, so a rule changes in one
/// place.
extension ComposedCheck {
    /// `quote-signature`: the AK is acceptable and certified, and it signed the quote.
    ///
    /// Runs ``AttestationKeyCheck`` then ``QuoteSignatureCheck``.
    public static let quoteSignature = ComposedCheck(.quoteSignature, [AttestationKeyCheck(), QuoteSignatureCheck()])

    /// `quote-content` of an `aicert/v1` certificate: a TPM-generated quote with the
    /// certificate's nonce, of SHA-256 PCRs 0–15 (or more), whose digest is that of `pcrs`.
    ///
    /// Runs ``GeneratedQuoteCheck``, ``NonceCheck``, ``PCRSelectionCheck`` (including PCRs
    /// 0–15), ``PCRCoverageCheck`` and ``PCRDigestCheck``, in that order.
    public static let quoteContent = ComposedCheck(
        .quoteContent,
        [
            GeneratedQuoteCheck(), NonceCheck(), PCRSelectionCheck.including(0...PCRAllocation.outputs),
            PCRCoverageCheck(), PCRDigestCheck(),
        ])

    /// `quote-content` of a legacy proof: a TPM-generated quote whose selection and digest are
    /// those of its PCR file; it has no nonce, so it warns at best.
    static let legacyQuoteContent = ComposedCheck(
        .quoteContent,
        [GeneratedQuoteCheck(), PCRCoverageCheck(uncovered: .pcrSelectionInvalid), PCRDigestCheck(), NonceCheck()])
}
