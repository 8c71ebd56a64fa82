/// The arithmetic of PCRs, done in software the way the TPM does it.
///
/// A verifier uses it to replay an event log into the values a quote should cover, and to
/// recompute a quote's `pcrDigest` from carried PCR values, without any TPM.
public enum PCRMath {
    /// `new = H(old || digest)`: what `TPM2_PCR_Extend` computes.
    ///
    /// - Parameters:
    ///   - old: The PCR's current value.
    ///   - digest: The measurement, already hashed with the bank's algorithm.
    ///   - bank: The PCR bank, whose hash algorithm extends.
    /// - Throws: ``TPM2Error/Code/unsupported`` for a bank whose hash this library does not compute.
    public static func extend(_ old: [UInt8], with digest: [UInt8], bank: AlgorithmID) throws -> [UInt8] {
        try bank.hash(old + digest)
    }

    /// The value of a PCR that starts at zero and is extended with `digests` in order.
    ///
    /// This is how an event log is checked: replaying its digests must give the quoted value.
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
