/// The arithmetic of PCRs, done in software the way the TPM does it.
public enum PCRMath {
    /// `new = H(old || digest)`: what `TPM2_PCR_Extend` computes.
    public static func extend(_ old: [UInt8], with digest: [UInt8], bank: AlgorithmID) throws -> [UInt8] {
        try bank.hash(old + digest)
    }

    /// The value of a PCR that starts at zero and is extended with `digests` in order.
    public static func replay(_ digests: some Sequence<[UInt8]>, bank: AlgorithmID) throws -> [UInt8] {
        guard let size = bank.digestSize else {
            throw TPM2Error.unsupported("PCR bank", "\(bank) is not a hash algorithm")
        }
        var value = [UInt8](repeating: 0, count: size)
        for digest in digests { value = try extend(value, with: digest, bank: bank) }
        return value
    }

    /// A quote's `pcrDigest`: the hash (with `hash`, the signing scheme's algorithm) of the
    /// selected PCR values concatenated in selection order — banks in list order, PCRs ascending.
    ///
    /// `values` maps each bank to its PCR values; a selected PCR missing from it is an error.
    public static func compositeDigest(
        selection: PCRSelectionList, values: [AlgorithmID: [Int: [UInt8]]], hash: AlgorithmID = .sha256
    ) throws -> [UInt8] {
        var concatenated: [UInt8] = []
        for (bank, pcr) in selection.orderedPCRs {
            guard let value = values[bank]?[pcr] else {
                throw TPM2Error.invalid("PCR values", "no value for \(bank) PCR \(pcr), which the selection covers")
            }
            concatenated += value
        }
        return try hash.hash(concatenated)
    }
}
