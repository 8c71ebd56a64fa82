/// `TPM2_PCR_Read`: the TPM returns at most eight digests per call.
public struct PCRRead: TPMCommand {
    /// Sent as `TPM_CC_PCR_Read`.
    public static let code = CommandCode.pcrRead
    /// The banks and PCRs to read.
    public var selection: PCRSelectionList
    /// Reads the PCRs of `selection`; the TPM may return fewer.
    public init(selection: PCRSelectionList) { self.selection = selection }
    /// Writes the selection.
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(selection) }

    /// The values read and the PCRs they belong to.
    public struct Response: TPMCommandResponse {
        /// `pcrUpdateCounter`: changes whenever a PCR is extended, so reads with equal counters agree.
        public let updateCounter: UInt32
        /// What the TPM actually read; may be less than what was asked.
        public let selection: PCRSelectionList
        /// One digest per PCR of ``selection``, in its order.
        public let values: DigestList
        /// Reads the update counter, the selection and the digests.
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            updateCounter = try reader.read(UInt32.self, "TPM2_PCR_Read.pcrUpdateCounter")
            selection = try PCRSelectionList(from: &reader)
            values = try DigestList(from: &reader)
        }
    }
}

/// `TPM2_PCR_Extend`: `PCR := H(PCR || digest)` in each bank given.
public struct PCRExtend: TPMCommand {
    /// The command returns no parameters.
    public typealias Response = EmptyResponse
    /// Sent as `TPM_CC_PCR_Extend`.
    public static let code = CommandCode.pcrExtend
    /// The PCR handle needs a password session (its password is empty).
    public static let authorizedHandleCount = 1
    /// The PCR index to extend.
    public var pcr: Int
    /// One digest per bank, each already hashed with that bank's algorithm.
    public var digests: TaggedDigestList

    /// Extends `pcr` with `digests`.
    public init(pcr: Int, digests: TaggedDigestList) {
        self.pcr = pcr
        self.digests = digests
    }

    /// The PCR's handle.
    public var handles: [Handle] { [.pcr(pcr)] }
    /// Writes the `TPML_DIGEST_VALUES`.
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(digests) }
}

extension TPMClient {
    /// Reads `pcrs` of one bank, in as many calls as the TPM needs.
    ///
    /// - Returns: Each PCR's value, keyed by index.
    /// - Throws: ``TPM2Error`` when a PCR is not allocated in `bank` or a value has the wrong size.
    public func readPCRs(_ pcrs: some Sequence<Int>, bank: AlgorithmID = .sha256) throws -> [Int: [UInt8]] {
        var pending = Set(pcrs)
        var values: [Int: [UInt8]] = [:]
        while !pending.isEmpty {
            let response = try execute(
                PCRRead(selection: PCRSelectionList([PCRSelection(hash: bank, pcrs: pending.sorted())])))
            let returned = response.selection.orderedPCRs
            guard returned.count == response.values.digests.count else {
                throw TPM2Error.invalid(
                    "TPM2_PCR_Read.pcrValues",
                    "\(response.values.digests.count) values for \(returned.count) selected PCRs")
            }
            // A TPM that returns nothing (or nothing we asked for) would otherwise loop forever.
            let progress = returned.filter { $0.hash == bank && pending.contains($0.pcr) }
            guard !progress.isEmpty else {
                let missing = pending.sorted().map(String.init).joined(separator: ",")
                throw TPM2Error.invalid("TPM2_PCR_Read", "\(bank) PCRs \(missing) are not allocated")
            }
            for (entry, value) in zip(returned, response.values.digests) where entry.hash == bank {
                guard value.count == bank.digestSize else {
                    throw TPM2Error.invalid("TPM2_PCR_Read.pcrValues", "PCR \(entry.pcr) has \(value.count) bytes")
                }
                values[entry.pcr] = value
                pending.remove(entry.pcr)
            }
        }
        return values
    }

    /// Extends `digest` (already hashed with `bank`'s algorithm) into one PCR.
    ///
    /// AICert measures inputs into PCR 14 and outputs into PCR 15; ``PCRMath/extend(_:with:bank:)``
    /// computes the same value in software.
    public func extendPCR(_ pcr: Int, bank: AlgorithmID = .sha256, digest: [UInt8]) throws {
        _ = try execute(PCRExtend(pcr: pcr, digests: TaggedDigestList([TaggedDigest(hash: bank, digest: digest)])))
    }
}
