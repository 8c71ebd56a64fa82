import AICertCore
import Foundation

/// The machine's TCG firmware event log, as the kernel exposes it, for the certificate: the
/// verifier replays it against the quoted PCRs 0–9 and judges the boot chain.
public enum FirmwareLogSource {
    /// Where Linux exposes the log of the first TPM.
    public static let kernelPath = "/sys/kernel/security/tpm0/binary_bios_measurements"

    /// The log's bytes, or `nil` when the machine has none (a software TPM, no securityfs).
    /// A log larger than any the parser accepts is left out rather than truncated.
    public static func read(path: String = kernelPath) -> [UInt8]? {
        guard let data = BoundedFile.read(path, limit: FirmwareEventLog.maximumSize), !data.isEmpty,
            data.count <= FirmwareEventLog.maximumSize
        else { return nil }
        return [UInt8](data)
    }
}
