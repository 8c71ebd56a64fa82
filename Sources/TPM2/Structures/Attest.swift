/// `TPMS_CLOCK_INFO`: the TPM's clock and reset counters at the time of attestation.
public struct ClockInfo: Hashable, Sendable, TPMCodable {
    /// Milliseconds the TPM has been powered since it was manufactured (or its clock last set).
    public var clock: UInt64
    /// How many TPM Resets (boots without saved state) since the TPM was cleared.
    public var resetCount: UInt32
    /// How many TPM Restarts or Resumes since the last TPM Reset.
    public var restartCount: UInt32
    /// Whether `clock` has never gone backwards (`TPMI_YES_NO`).
    public var safe: Bool

    /// A clock info with the given values, for tests and fixtures.
    public init(clock: UInt64, resetCount: UInt32, restartCount: UInt32, safe: Bool) {
        self.clock = clock
        self.resetCount = resetCount
        self.restartCount = restartCount
        self.safe = safe
    }

    /// Reads a `TPMS_CLOCK_INFO`, refusing a `safe` byte other than 0 or 1.
    public init(from reader: inout TPMReader) throws {
        clock = try reader.read(UInt64.self, "TPMS_CLOCK_INFO.clock")
        resetCount = try reader.read(UInt32.self, "TPMS_CLOCK_INFO.resetCount")
        restartCount = try reader.read(UInt32.self, "TPMS_CLOCK_INFO.restartCount")
        let safeByte = try reader.read(UInt8.self, "TPMS_CLOCK_INFO.safe")
        guard safeByte <= 1 else { throw TPM2Error.invalid("TPMS_CLOCK_INFO.safe", "\(safeByte) is not YES or NO") }
        safe = safeByte == 1
    }

    /// Writes the fields in wire order.
    public func encode(into writer: inout TPMWriter) {
        writer.write(clock)
        writer.write(resetCount)
        writer.write(restartCount)
        writer.write(UInt8(safe ? 1 : 0))
    }
}

/// `TPMS_QUOTE_INFO`: the PCRs a quote covers and the digest of their values.
public struct QuoteInfo: Hashable, Sendable, TPMCodable {
    /// The banks and PCRs the quote covers.
    public var pcrSelection: PCRSelectionList
    /// The digest of their values in selection order; see
    /// ``PCRMath/compositeDigest(selection:values:hash:)``.
    public var pcrDigest: [UInt8]

    /// A quote body with the given selection and digest, for tests and fixtures.
    public init(pcrSelection: PCRSelectionList, pcrDigest: [UInt8]) {
        self.pcrSelection = pcrSelection
        self.pcrDigest = pcrDigest
    }

    /// Reads a `TPMS_QUOTE_INFO`, refusing a digest over ``TPMLimits/digest`` bytes.
    public init(from reader: inout TPMReader) throws {
        pcrSelection = try PCRSelectionList(from: &reader)
        pcrDigest = try reader.readSized(max: TPMLimits.digest, "TPMS_QUOTE_INFO.pcrDigest")
    }

    /// Writes the selection, then the sized digest.
    public func encode(into writer: inout TPMWriter) {
        writer.write(pcrSelection)
        writer.writeSized(pcrDigest)
    }
}

/// `TPMS_ATTEST` with a quote body; other attestation types are rejected when parsed.
///
/// Keep the bytes the TPM signed (``QuoteAttestation/init(tpmEncoded:)`` callers should retain
/// their input) and verify signatures over those, never over a re-encoding.
public struct QuoteAttestation: Hashable, Sendable, TPMCodable {
    /// `TPM_GENERATED_VALUE`: the TPM puts this in everything it signs itself.
    public static let generatedMagic: UInt32 = 0xFF54_4347

    /// Must be ``generatedMagic`` in anything the TPM signed; verifiers check it.
    public var magic: UInt32
    /// Always ``StructureTag/attestQuote``: parsing refuses any other type.
    public var type: StructureTag
    /// The qualified Name of the key that signed (`qualifiedSigner`).
    public var qualifiedSigner: [UInt8]
    /// The caller's nonce (`qualifyingData` of the Quote command).
    public var extraData: [UInt8]
    /// The TPM's clock and counters when it signed.
    public var clockInfo: ClockInfo
    /// The TPM vendor's firmware version.
    public var firmwareVersion: UInt64
    /// The PCR selection and digest the quote covers.
    public var quote: QuoteInfo

    /// A quote attestation with the given fields, for tests and fixtures.
    public init(
        magic: UInt32 = QuoteAttestation.generatedMagic, qualifiedSigner: [UInt8], extraData: [UInt8],
        clockInfo: ClockInfo, firmwareVersion: UInt64, quote: QuoteInfo
    ) {
        self.magic = magic
        self.type = .attestQuote
        self.qualifiedSigner = qualifiedSigner
        self.extraData = extraData
        self.clockInfo = clockInfo
        self.firmwareVersion = firmwareVersion
        self.quote = quote
    }

    /// Reads a `TPMS_ATTEST`, refusing attestation types other than a quote and oversized fields.
    public init(from reader: inout TPMReader) throws {
        magic = try reader.read(UInt32.self, "TPMS_ATTEST.magic")
        type = StructureTag(rawValue: try reader.read(UInt16.self, "TPMS_ATTEST.type"))
        guard type == .attestQuote else {
            throw TPM2Error.unsupported(
                "TPMS_ATTEST.type",
                "attestation type 0x\(String(type.rawValue, radix: 16)) is not a quote (TPM_ST_ATTEST_QUOTE)")
        }
        qualifiedSigner = try reader.readSized(max: TPMLimits.name, "TPMS_ATTEST.qualifiedSigner")
        extraData = try reader.readSized(max: TPMLimits.data, "TPMS_ATTEST.extraData")
        clockInfo = try ClockInfo(from: &reader)
        firmwareVersion = try reader.read(UInt64.self, "TPMS_ATTEST.firmwareVersion")
        quote = try QuoteInfo(from: &reader)
    }

    /// Writes the fields in wire order; verify signatures over the TPM's own bytes, not these.
    public func encode(into writer: inout TPMWriter) {
        writer.write(magic)
        writer.write(type)
        writer.writeSized(qualifiedSigner)
        writer.writeSized(extraData)
        writer.write(clockInfo)
        writer.write(firmwareVersion)
        writer.write(quote)
    }
}
