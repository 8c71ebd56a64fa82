import AICertCore
import Crypto
import TPM2

/// What a runner in the base image insists on about the boot it runs in before it serves a
/// build. Defence in depth: the verifier still judges every certificate; this stops a genuine
/// runner from certifying builds on a boot it was not made for.
public struct BootExpectation: Hashable, Sendable {
    /// The Secure Boot state the firmware event log must show; `nil` accepts any.
    public var secureBoot: BootChain.SecureBootState?
    /// The root file system must be a dm-verity device with the root hash, salt and size that
    /// `aicert.verity=` names on the kernel command line, and that command line must be one the
    /// firmware event log measured.
    public var verityRoot: Bool

    /// The kernel command line parameter the base image's initrd maps the root with:
    /// `aicert.verity=DATA_BLOCKS:ROOT_HASH:SALT`.
    public static let verityParameter = "aicert.verity="

    public init(secureBoot: BootChain.SecureBootState? = nil, verityRoot: Bool = false) {
        self.secureBoot = secureBoot
        self.verityRoot = verityRoot
    }

    /// What a passed check established, in a line.
    public var summary: String {
        var held = ["the firmware event log replays to PCRs 0–9"]
        if let secureBoot { held.append("Secure Boot \(secureBoot.rawValue)") }
        if verityRoot { held += ["the kernel command line is the measured one", "/ is the dm-verity root it names"] }
        return held.joined(separator: ", ")
    }

    /// Checks `evidence` in order: the log is present and replays to the TPM's PCRs 0–9 (so the
    /// rest of it can be believed), Secure Boot, the command line, the root device.
    public func check(_ evidence: BootEvidence) throws(BootRefusal) {
        let log = try replayedLog(evidence)
        if let secureBoot {
            try checkSecureBootEventsHashToTheirData(log)
            let measured = log.bootChain.secureBoot
            guard measured == secureBoot else {
                throw BootRefusal(
                    .secureBoot,
                    "the firmware event log shows Secure Boot \(measured.rawValue); this runner expects it "
                        + "\(secureBoot.rawValue)"
                )
            }
        }
        if verityRoot {
            try checkCommandLineMeasured(evidence, in: log)
            try checkVerityRoot(commandLine: evidence.commandLine, rootTable: evidence.rootTable)
        }
    }

    private func replayedLog(_ evidence: BootEvidence) throws(BootRefusal) -> FirmwareEventLog {
        guard let bytes = evidence.firmwareLog else {
            throw BootRefusal(.firmwareLog, "no firmware event log at \(evidence.firmwareLogPath)")
        }
        let log: FirmwareEventLog
        do {
            log = try FirmwareEventLog(bytes: bytes)
        } catch {
            throw BootRefusal(.firmwareLog, "the firmware event log does not parse: \(error)")
        }
        guard let replayed = log.replay()["sha256"] else {
            throw BootRefusal(.firmwareLog, "the firmware event log has no SHA-256 digests to replay")
        }
        for pcr in BootEvidence.firmwarePCRs {
            let expected = replayed[pcr] ?? [UInt8](repeating: 0, count: 32)
            guard let actual = evidence.pcrs[pcr] else {
                throw BootRefusal(.firmwareLog, "the TPM gave no SHA-256 value for PCR \(pcr)")
            }
            guard actual == expected else {
                throw BootRefusal(
                    .firmwareLog,
                    "PCR \(pcr) is \(actual.hexString) in the TPM, but the firmware event log replays to "
                        + "\(expected.hexString)"
                )
            }
        }
        return log
    }

    /// The Secure Boot state is read from the `SecureBoot` variable's event data, which replay
    /// does not cover: each such event's SHA-256 digest must be the digest of its data.
    private func checkSecureBootEventsHashToTheirData(_ log: FirmwareEventLog) throws(BootRefusal) {
        for event in log.events where event.pcr == 7 && event.type == .efiVariableDriverConfig {
            guard case .variable(let variable) = event.payload, variable.vendor == .globalVariable,
                variable.name == "SecureBoot"
            else { continue }
            guard event.digest(for: .sha256) == [UInt8](SHA256.hash(data: event.data)) else {
                throw BootRefusal(
                    .secureBoot, "event \(event.index) (the SecureBoot variable) carries data its digest does not cover"
                )
            }
        }
    }

    /// The running kernel's command line must be the one measured: the load options the
    /// kernel's EFI stub extended into PCR 9 (UTF-16LE with a terminating NUL) must be it, and
    /// PCR 12 must be zero, since systemd-stub measures there the load options a boot loader
    /// passes, which replace the UKI's own command line when Secure Boot is off.
    private func checkCommandLineMeasured(_ evidence: BootEvidence, in log: FirmwareEventLog) throws(BootRefusal) {
        guard let loadOptionsPCR = evidence.pcrs[BootEvidence.loadOptionsPCR] else {
            throw BootRefusal(.commandLine, "the TPM gave no SHA-256 value for PCR \(BootEvidence.loadOptionsPCR)")
        }
        guard loadOptionsPCR.allSatisfy({ $0 == 0 }) else {
            throw BootRefusal(
                .commandLine,
                "PCR \(BootEvidence.loadOptionsPCR) is not zero: the boot loader passed load options of its own "
                    + "instead of the UKI's command line"
            )
        }
        let digest = [UInt8](SHA256.hash(data: EventText.nulTerminatedUTF16LittleEndian(evidence.commandLine)))
        let measured = log.events.contains { event in
            event.isExtended && event.pcr == 9 && event.digest(for: .sha256) == digest
        }
        guard measured else {
            throw BootRefusal(
                .commandLine, "the kernel command line is not one the firmware event log extended into PCR 9")
        }
    }

    private func checkVerityRoot(commandLine: String, rootTable: String?) throws(BootRefusal) {
        let words = commandLine.split(whereSeparator: \.isWhitespace)
        let parameters = words.filter { $0.hasPrefix(Self.verityParameter) }
        guard parameters.count == 1, let parameter = parameters.first else {
            throw BootRefusal(
                .verityRoot,
                "the kernel command line names \(parameters.count) \(Self.verityParameter) parameters; one is required")
        }
        let fields = parameter.dropFirst(Self.verityParameter.count).split(
            separator: ":", omittingEmptySubsequences: false)
        guard fields.count == 3 else {
            throw BootRefusal(.verityRoot, "\(Self.verityParameter) is not DATA_BLOCKS:ROOT_HASH:SALT")
        }
        let (blocks, rootHash, salt) = (String(fields[0]), String(fields[1]), String(fields[2]))
        guard let rootTable else {
            throw BootRefusal(.verityRoot, "the root file system is not on a device-mapper device")
        }
        let lines = rootTable.split(separator: "\n", omittingEmptySubsequences: true)
        guard lines.count == 1, let line = lines.first else {
            throw BootRefusal(
                .verityRoot, "the root device has \(lines.count) device-mapper targets; one verity target is required")
        }
        // start length verity version data-dev hash-dev data-block hash-block data-blocks hash-start
        // algorithm digest salt [options]
        let table = line.split(separator: " ").map(String.init)
        guard table.count >= 13, table[2] == "verity" else {
            throw BootRefusal(
                .verityRoot, "the root device is a device-mapper \(table.count > 2 ? table[2] : "?") target, not verity"
            )
        }
        guard table[10] == "sha256", table[11] == rootHash, table[12] == salt, table[8] == blocks else {
            throw BootRefusal(
                .verityRoot,
                "the root device verifies against root hash \(table[11]) (\(table[10]), salt \(table[12]), \(table[8]) "
                    + "blocks), "
                    + "not the command line's \(rootHash) (sha256, salt \(salt), \(blocks) blocks)")
        }
        // Without panic_on_corruption (e.g. with ignore_corruption) a changed block is served.
        let options = Array(table.dropFirst(13))
        guard options == ["1", "panic_on_corruption"] else {
            throw BootRefusal(
                .verityRoot,
                "the root device's verity options are '\(options.joined(separator: " "))', not '1 panic_on_corruption'")
        }
    }
}

/// Why a runner refuses to serve: the boot check that failed, and how.
public struct BootRefusal: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Check: String, Sendable {
        case firmwareLog = "firmware-log"
        case secureBoot = "secure-boot"
        case commandLine = "command-line"
        case verityRoot = "verity-root"
    }

    public let check: Check
    public let reason: String

    public init(_ check: Check, _ reason: String) {
        self.check = check
        self.reason = reason
    }

    public var description: String {
        "boot check \(check.rawValue) failed: \(reason); this runner does not serve builds on this boot"
    }
}
