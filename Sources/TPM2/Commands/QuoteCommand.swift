/// `TPM2_Quote`: the TPM signs the digest of selected PCRs together with a caller's nonce.
public struct Quote: TPMCommand {
    /// Sent as `TPM_CC_Quote`.
    public static let code = CommandCode.quote
    /// The signing key needs a password session.
    public static let authorizedHandleCount = 1
    /// The restricted signing key (the AK) that signs the quote.
    public var signingKey: Handle
    /// The caller's nonce, returned as ``QuoteAttestation/extraData``; at most ``TPMLimits/data`` bytes.
    public var qualifyingData: [UInt8]
    /// The signing scheme; ``SignatureScheme/keyDefault`` uses the key's own.
    public var scheme: SignatureScheme
    /// The PCRs whose values the quote covers.
    public var selection: PCRSelectionList

    /// Asks `signingKey` to sign the digest of `selection` together with `qualifyingData`.
    public init(
        signingKey: Handle, qualifyingData: [UInt8], scheme: SignatureScheme = .keyDefault, selection: PCRSelectionList
    ) {
        self.signingKey = signingKey
        self.qualifyingData = qualifyingData
        self.scheme = scheme
        self.selection = selection
    }

    /// The signing key: the command's only handle.
    public var handles: [Handle] { [signingKey] }

    /// Writes the nonce, the scheme and the PCR selection.
    public func encodeParameters(into writer: inout TPMWriter) {
        writer.writeSized(qualifyingData)
        writer.write(scheme)
        writer.write(selection)
    }

    /// The signed attestation and its signature.
    public struct Response: TPMCommandResponse {
        /// The exact `TPMS_ATTEST` bytes the TPM signed.
        ///
        /// Keep and verify these bytes; a re-encoding of the parsed structure need not be identical.
        public let attestation: [UInt8]
        /// The signature over ``attestation``.
        public let signature: Signature

        /// Reads the sized `TPMS_ATTEST` bytes, kept as they are, then the signature.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            attestation = try reader.readSized(max: TPMLimits.attest, "TPM2_Quote.quoted")
            signature = try Signature(from: &reader)
        }

        /// The signed bytes, parsed.
        ///
        /// - Throws: ``TPM2Error`` when they are not a well-formed quote attestation.
        public func parsedAttestation() throws -> QuoteAttestation {
            try QuoteAttestation(tpmEncoded: attestation)
        }
    }
}

extension TPMClient {
    /// Quotes `pcrs` of one bank (SHA-256 by default) with `nonce` as the qualifying data.
    ///
    /// The signature binds the PCR values to the nonce, so a verifier that chose the nonce knows
    /// the quote is fresh.
    ///
    /// - Parameters:
    ///   - signingKey: A restricted signing key such as the AK at ``Handle/attestationKey``.
    ///   - nonce: The verifier's challenge, at most ``TPMLimits/data`` bytes.
    ///   - pcrs: The PCR indices to cover, e.g. `0...15`.
    ///   - bank: The PCR bank to quote.
    /// - Returns: The signed `TPMS_ATTEST` bytes and the signature;
    ///   ``Quote/Response/parsedAttestation()`` parses the former.
    public func quote(
        signingKey: Handle, nonce: [UInt8], pcrs: some Sequence<Int>, bank: AlgorithmID = .sha256
    ) throws -> Quote.Response {
        guard nonce.count <= TPMLimits.data else {
            throw TPM2Error.tooLarge("TPM2_Quote.qualifyingData", size: nonce.count, max: TPMLimits.data)
        }
        return try execute(
            Quote(
                signingKey: signingKey, qualifyingData: nonce,
                selection: PCRSelectionList([PCRSelection(hash: bank, pcrs: pcrs)])))
    }
}
