import AICertCore
import Foundation
import TPM2

/// A reference boot, the source of the reference values that depend on the firmware.
///
/// It is what `image/boot.sh --capture DIR` kept of one boot of a base image on the `qemu` platform.
///
/// The directory holds `eventlog.bin` (the firmware event log, required), `pcrs.txt` (the
/// SHA-256 PCRs as the booted kernel read them, `INDEX HEX` per line; optional, and checked
/// against the log's replay when present) and `firmware.txt` (the OVMF and QEMU versions, kept
/// with the values as their provenance; optional).
public struct ReferenceBoot: Sendable {
    /// The firmware event log.
    let log: FirmwareEventLog
    /// The SHA-256 of `eventlog.bin`.
    let logDigest: SHA256Hash
    /// The lines of `firmware.txt`, empty when there is none.
    let firmware: [String]
    /// The SHA-256 value of each PCR the log extends, from its replay.
    let replayed: [Int: SHA256Hash]

    /// The largest `pcrs.txt` or `firmware.txt` read.
    static let maximumTextSize = 64 << 10

    /// Reads the reference boot in `directory`, the source of the firmware's reference values.
    ///
    /// A log that does not parse, or that replays to other values than `pcrs.txt` records for
    /// PCRs 0–9, throws ``ImageMeasureError``.
    public static func load(directory: String) throws -> ReferenceBoot {
        let base = URL(fileURLWithPath: directory)
        let logPath = base.appendingPathComponent("eventlog.bin").path
        guard let data = BoundedFile.read(logPath, limit: FirmwareEventLog.maximumSize) else {
            throw ImageMeasureError(.unreadable, file: logPath, "cannot be read (make it with image/boot.sh --capture)")
        }
        guard data.count <= FirmwareEventLog.maximumSize else {
            throw ImageMeasureError(.malformed, file: logPath, "is larger than \(FirmwareEventLog.maximumSize) bytes")
        }
        let log: FirmwareEventLog
        do {
            log = try FirmwareEventLog(bytes: Array(data))
        } catch {
            throw ImageMeasureError(.malformed, file: logPath, "is not a firmware event log: \(error)")
        }
        let replayed = (log.replay()["sha256"] ?? [:]).compactMapValues { SHA256Hash(bytes: $0) }
        guard log.format == .cryptoAgile, !replayed.isEmpty else {
            throw ImageMeasureError(
                .unsupported, file: logPath, "has no SHA-256 digests (a crypto-agile log is needed)")
        }
        let pcrsPath = base.appendingPathComponent("pcrs.txt").path
        if let text = try text(at: pcrsPath) {
            let read = try parsePCRs(text, path: pcrsPath)
            for pcr in 0...9 {
                let expected = replayed[pcr] ?? SHA256Hash.zero
                guard let value = read[pcr] else { continue }
                guard value == expected else {
                    throw ImageMeasureError(
                        .inconsistent, file: pcrsPath,
                        "PCR \(pcr) was read as \(value.hex) but the event log replays to \(expected.hex)")
                }
            }
        }
        let firmwarePath = base.appendingPathComponent("firmware.txt").path
        let firmware =
            try text(at: firmwarePath).map {
                $0.split(separator: "\n").map { String($0) }.filter { !$0.isEmpty }
            } ?? []
        return ReferenceBoot(log: log, logDigest: .of(data), firmware: firmware, replayed: replayed)
    }

    /// The SHA-256 digests the log extends `pcr` with, in order.
    func digests(of pcr: Int) -> [SHA256Hash] {
        log.events.filter { $0.pcr == pcr && $0.isExtended }.compactMap {
            $0.digest(for: .sha256).flatMap { SHA256Hash(bytes: $0) }
        }
    }

    private static func text(at path: String) throws -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = BoundedFile.read(path, limit: maximumTextSize), data.count <= maximumTextSize,
            let text = String(data: data, encoding: .utf8)
        else {
            throw ImageMeasureError(
                .unreadable, file: path, "cannot be read as UTF-8 text of at most \(maximumTextSize) bytes")
        }
        return text
    }

    /// `INDEX HEX` lines, as image/boot.sh writes them from the kernel's
    /// `/sys/class/tpm/tpm0/pcr-sha256/INDEX`.
    static func parsePCRs(_ text: String, path: String) throws -> [Int: SHA256Hash] {
        var values: [Int: SHA256Hash] = [:]
        for (number, line) in text.split(separator: "\n").enumerated() where !line.isEmpty {
            let fields = line.split(separator: " ")
            guard fields.count == 2, let pcr = Int(fields[0]), (0..<24).contains(pcr),
                let value = SHA256Hash(hex: fields[1])
            else {
                throw ImageMeasureError(.malformed, file: path, "line \(number + 1) is not \"INDEX SHA256-HEX\"")
            }
            values[pcr] = value
        }
        return values
    }
}

extension SHA256Hash {
    /// Thirty-two zero bytes: the value of a PCR nothing extended.
    static let zero: SHA256Hash = {
        guard let zero = SHA256Hash(bytes: [UInt8](repeating: 0, count: 32)) else {
            preconditionFailure("32 bytes always make a SHA-256 value")
        }
        return zero
    }()
}
