/// `TPM2_Quote`: the TPM signs the digest of selected PCRs together with a caller's nonce.
public struct Quote: TPMCommand {
    public static let code = CommandCode.quote
    public static let authorizedHandleCount = 1
    public var signingKey: Handle
    public var qualifyingData: [UInt8]
    public var scheme: SignatureScheme
    public var selection: PCRSelectionList

    public init(signingKey: Handle, qualifyingData: [UInt8], scheme: SignatureScheme = .keyDefault, selection: PCRSelectionList) {
        self.signingKey = signingKey
        self.qualifyingData = qualifyingData
        self.scheme = scheme
        self.selection = selection
    }

    public var handles: [Handle] { [signingKey] }

    public func encodeParameters(into writer: inout TPMWriter) {
        writer.writeSized(qualifyingData)
        writer.write(scheme)
        writer.write(selection)
    }

    public struct Response: TPMCommandResponse {
        /// The exact `TPMS_ATTEST` bytes the TPM signed.
        public let attestation: [UInt8]
        public let signature: Signature

        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            attestation = try reader.readSized(max: TPMLimits.attest, "TPM2_Quote.quoted")
            signature = try Signature(from: &reader)
        }

        /// The signed bytes, parsed.
        public func parsedAttestation() throws -> QuoteAttestation {
            try QuoteAttestation(tpmEncoded: attestation)
        }
    }
}

extension TPMClient {
    /// Quotes `pcrs` of the SHA-256 bank with `nonce` as the qualifying data.
    public func quote(
        signingKey: Handle, nonce: [UInt8], pcrs: some Sequence<Int>, bank: AlgorithmID = .sha256
    ) throws -> Quote.Response {
        guard nonce.count <= TPMLimits.data else {
            throw TPM2Error.tooLarge("TPM2_Quote.qualifyingData", size: nonce.count, max: TPMLimits.data)
        }
        return try execute(
            Quote(signingKey: signingKey, qualifyingData: nonce,
                  selection: PCRSelectionList([PCRSelection(hash: bank, pcrs: pcrs)])))
    }
}
