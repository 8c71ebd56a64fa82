import AICertCore
import TPM2

/// The runner measures exactly one build per TPM reset: PCRs 14 and 15 must still be zero.
public enum BuildSlot {
    /// Why a TPM cannot take a new build.
    public struct Occupied: Error, Hashable, Sendable, CustomStringConvertible {
        /// The PCRs that are no longer zero.
        public let pcrs: [Int]
        public var description: String {
            "PCR \(pcrs.map(String.init).joined(separator: " and ")) already extended since the TPM was reset: "
                + "this runner measures one build per boot; restart the machine (or the TPM) for a new build"
        }
    }

    /// Reads PCRs 14 and 15 and throws ``Occupied`` unless both are all zeros.
    public static func requireFresh(_ tpm: TPMClient) throws {
        let pcrs = [PCRAllocation.inputs, PCRAllocation.outputs]
        let values = try tpm.readPCRs(pcrs, bank: .sha256)
        let used = pcrs.filter { pcr in values[pcr]?.contains { $0 != 0 } ?? true }
        guard used.isEmpty else { throw Occupied(pcrs: used) }
    }
}
