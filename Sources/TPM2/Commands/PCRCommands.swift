/// `TPM2_PCR_Read`: the TPM returns at most eight digests per call.
public struct PCRRead: TPMCommand {
    public static let code = CommandCode.pcrRead
    public var selection: PCRSelectionList
    public init(selection: PCRSelectionList) { self.selection = selection }
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(selection) }

    public struct Response: TPMCommandResponse {
        public let updateCounter: UInt32
        /// What the TPM actually read; may be less than what was asked.
        public let selection: PCRSelectionList
        public let values: DigestList
        public init(handles: [Handle], parameters reader: inout TPMReader) throws {
            updateCounter = try reader.read(UInt32.self, "TPM2_PCR_Read.pcrUpdateCounter")
            selection = try PCRSelectionList(from: &reader)
            values = try DigestList(from: &reader)
        }
    }
}

/// `TPM2_PCR_Extend`: `PCR := H(PCR || digest)` in each bank given.
public struct PCRExtend: TPMCommand {
    public typealias Response = EmptyResponse
    public static let code = CommandCode.pcrExtend
    public static let authorizedHandleCount = 1
    public var pcr: Int
    public var digests: TaggedDigestList

    public init(pcr: Int, digests: TaggedDigestList) {
        self.pcr = pcr
        self.digests = digests
    }

    public var handles: [Handle] { [.pcr(pcr)] }
    public func encodeParameters(into writer: inout TPMWriter) { writer.write(digests) }
}

extension TPMClient {
    /// Reads `pcrs` of one bank, in as many calls as the TPM needs.
    public func readPCRs(_ pcrs: some Sequence<Int>, bank: AlgorithmID = .sha256) throws -> [Int: [UInt8]] {
        var pending = Set(pcrs)
        var values: [Int: [UInt8]] = [:]
        while !pending.isEmpty {
            let response = try execute(PCRRead(selection: PCRSelectionList([PCRSelection(hash: bank, pcrs: pending.sorted())])))
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
    public func extendPCR(_ pcr: Int, bank: AlgorithmID = .sha256, digest: [UInt8]) throws {
        _ = try execute(PCRExtend(pcr: pcr, digests: TaggedDigestList([TaggedDigest(hash: bank, digest: digest)])))
    }
}
