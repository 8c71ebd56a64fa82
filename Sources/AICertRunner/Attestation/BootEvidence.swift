import AICertCore
import Foundation
import TPM2

/// What the machine says about its own boot, gathered for a ``BootExpectation``: the firmware
/// event log, the TPM's PCRs 0–9, the running kernel's command line and the device-mapper table
/// of the root file system.
public struct BootEvidence: Sendable {
    /// The PCRs the firmware event log covers.
    public static let firmwarePCRs = Array(0...9)
    /// Where systemd-stub measures load options passed to the UKI; zero when none were.
    public static let loadOptionsPCR = 12
    /// The longest kernel command line read; Linux allows at most a few KiB.
    static let maximumCommandLine = 64 * 1024
    /// The largest mount table read; the base image has a few dozen mounts.
    static let maximumMountInfo = 1 << 20

    public var firmwareLog: [UInt8]?
    /// Where the log was read from, for messages.
    public var firmwareLogPath: String
    /// SHA-256 bank values of ``firmwarePCRs`` and ``loadOptionsPCR``.
    public var pcrs: [Int: [UInt8]]
    /// `/proc/cmdline` without its trailing newline.
    public var commandLine: String
    /// `dmsetup table` of the device mounted at `/`; `nil` when it is not a device-mapper device.
    public var rootTable: String?

    public init(
        firmwareLog: [UInt8]?, firmwareLogPath: String, pcrs: [Int: [UInt8]], commandLine: String, rootTable: String?
    ) {
        self.firmwareLog = firmwareLog
        self.firmwareLogPath = firmwareLogPath
        self.pcrs = pcrs
        self.commandLine = commandLine
        self.rootTable = rootTable
    }

    /// Reads the evidence of the machine this process runs on. Throws ``BootRefusal`` when a
    /// piece cannot be read.
    static func read(tpm: TPMClient, firmwareLog path: String) async throws -> BootEvidence {
        let pcrs = try tpm.readPCRs(firmwarePCRs + [loadOptionsPCR], bank: .sha256)
        guard let commandLineBytes = BoundedFile.read("/proc/cmdline", limit: maximumCommandLine),
            commandLineBytes.count <= maximumCommandLine
        else {
            throw BootRefusal(.commandLine, "cannot read /proc/cmdline (or it is over \(maximumCommandLine) bytes)")
        }
        var commandLine = String(decoding: commandLineBytes, as: UTF8.self)
        while commandLine.hasSuffix("\n") { commandLine.removeLast() }
        return BootEvidence(
            firmwareLog: FirmwareLogSource.read(path: path), firmwareLogPath: path, pcrs: pcrs,
            commandLine: commandLine,
            rootTable: try await rootDeviceTable())
    }

    /// The device-mapper table of the file system mounted at `/`, from `dmsetup`.
    private static func rootDeviceTable() async throws -> String? {
        guard let mountInfo = BoundedFile.read("/proc/self/mountinfo", limit: maximumMountInfo),
            mountInfo.count <= maximumMountInfo
        else {
            throw BootRefusal(.verityRoot, "cannot read /proc/self/mountinfo (or it is over \(maximumMountInfo) bytes)")
        }
        // ID PARENT MAJOR:MINOR ROOT MOUNT-POINT …; the last mount at / is the one in effect.
        let root = String(decoding: mountInfo, as: UTF8.self).split(separator: "\n")
            .map { $0.split(separator: " ") }
            .last { $0.count > 4 && $0[4] == "/" }
        guard let device = root?[2], case let numbers = device.split(separator: ":"), numbers.count == 2,
            let major = Int(numbers[0]), let minor = Int(numbers[1])
        else {
            throw BootRefusal(.verityRoot, "/proc/self/mountinfo names no device for /")
        }
        guard FileManager.default.fileExists(atPath: "/sys/dev/block/\(major):\(minor)/dm") else { return nil }
        guard
            let dmsetup = ["/usr/sbin/dmsetup", "/sbin/dmsetup"].first(
                where: FileManager.default.isExecutableFile(atPath:))
        else {
            throw BootRefusal(.verityRoot, "dmsetup is not installed, so the root device's table cannot be read")
        }
        let output: ChildProcess.Output
        do {
            output = try await ChildProcess.run(
                dmsetup, ["table", "--major", String(major), "--minor", String(minor)],
                environment: ["PATH": "/usr/sbin:/usr/bin"],
                timeout: .seconds(10))
        } catch {
            throw BootRefusal(.verityRoot, "cannot run \(dmsetup): \(error)")
        }
        guard output.termination.status == 0, !output.timedOut else {
            throw BootRefusal(.verityRoot, "dmsetup table failed for \(major):\(minor): \(output.text.prefix(200))")
        }
        return output.text
    }
}
