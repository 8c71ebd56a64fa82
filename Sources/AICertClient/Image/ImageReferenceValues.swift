import AICertCore
import Foundation

/// The reference values of a base image on the `qemu` platform: the SHA-256 value PCRs 0–13
/// must hold after it booted, where each value comes from, and the events behind those the
/// image determines.
///
/// PCRs 4, 5, 8, 9, 11, 12 and 13 are computed from the image files (``OVMFBootModel``).
/// PCRs 0–3, 6 and 7 depend on the firmware build and the virtual machine's devices; they come
/// from a ``ReferenceBoot``'s event log, and without one they are left out. PCR 10 (IMA's boot
/// aggregate) is computed from PCRs 0–9 once all of them are known.
public struct ImageReferenceValues: Sendable {
    /// Where a PCR's reference value comes from.
    public enum Source: String, Sendable, Encodable {
        /// Computed from the image files.
        case image
        /// Replayed from the firmware event log of a reference boot.
        case referenceBoot = "reference-boot"
        /// Computed from the values of other PCRs.
        case derived
    }

    /// What was measured of the image.
    public struct ImageSummary: Sendable, Encodable {
        /// SHA-256 of `aicert.efi`.
        public let ukiFileSHA256: String
        /// The UKI's Authenticode digest, which the firmware measures into PCR 4.
        public let ukiAuthenticode: String
        /// The `.linux` section's Authenticode digest, which PCR 4 gets when the stub starts it.
        public let kernelAuthenticode: String
        /// systemd-stub's version from `.sdmagic`.
        public let stubVersion: String
        /// The `.cmdline` section.
        public let commandLine: String

        private enum CodingKeys: String, CodingKey {
            case ukiFileSHA256 = "uki_sha256", ukiAuthenticode = "uki_authenticode"
            case kernelAuthenticode = "kernel_authenticode", stubVersion = "systemd_stub", commandLine = "command_line"
        }
    }

    /// The largest UKI read, in bytes.
    public static let maximumUKISize = 512 << 20

    public let image: ImageSummary
    /// The expected events of the PCRs computed here (image PCRs, and PCR 10 when known), in order.
    public let events: [ReferenceEvent]
    /// The reference value of each PCR known.
    public let pcrs: [Int: SHA256Hash]
    /// Where each value of ``pcrs`` comes from.
    public let sources: [Int: Source]
    /// The reference boot the firmware PCRs were taken from, when one was given.
    public let referenceBoot: ReferenceBoot?
    /// The image's PCRs whose events in the reference boot's log differ from the image's: the
    /// reference boot booted another image (its firmware values may still serve). Empty when
    /// they agree or there is no reference boot.
    public let differingFromReferenceBoot: [Int]

    /// Computes the values for the image in `imageDirectory` (`aicert.efi` and `disk.raw`, as
    /// image/build.sh writes them) and, when given, the firmware's from `referenceBoot`.
    public static func compute(imageDirectory: String, referenceBoot: ReferenceBoot?) throws -> ImageReferenceValues {
        let directory = URL(fileURLWithPath: imageDirectory)
        let ukiPath = directory.appendingPathComponent("aicert.efi").path
        let uki = try UnifiedKernelImage(bytes: try readFile(ukiPath), name: ukiPath)
        guard let kernel = try uki.section(named: ".linux"), let initrd = try uki.section(named: ".initrd"),
            let commandLineBytes = try uki.section(named: ".cmdline")
        else {
            throw ImageMeasureError(
                .malformed, file: ukiPath, "a base image UKI has .linux, .initrd and .cmdline sections")
        }
        let commandLine = try Self.commandLine(commandLineBytes, path: ukiPath)
        let ukiAuthenticode = try uki.pe.authenticodeDigest()
        let kernelAuthenticode = try PEImage(bytes: kernel, name: "\(ukiPath) .linux").authenticodeDigest()
        let gpt = try GPTEventData.read(diskImage: directory.appendingPathComponent("disk.raw").path)

        var events = OVMFBootModel.bootLoaderEvents(
            ukiAuthenticode: ukiAuthenticode, kernelAuthenticode: kernelAuthenticode)
        events += OVMFBootModel.bootConfigurationEvents(gptEventData: gpt)
        events += OVMFBootModel.kernelEvents(commandLine: commandLine, initrdDigest: .of(initrd), initrdSize: initrd.count)
        events += try uki.sectionEvents()

        let replayed = ReferenceEvent.replay(events)
        var pcrs: [Int: SHA256Hash] = [:]
        var sources: [Int: Source] = [:]
        for pcr in OVMFBootModel.imagePCRs {
            pcrs[pcr] = replayed[pcr] ?? .zero
            sources[pcr] = .image
        }
        var differing: [Int] = []
        if let referenceBoot {
            for pcr in OVMFBootModel.firmwarePCRs {
                pcrs[pcr] = referenceBoot.replayed[pcr] ?? .zero
                sources[pcr] = .referenceBoot
            }
            let aggregate = OVMFBootModel.imaBootAggregateEvent(pcrs: pcrs)
            events.append(aggregate)
            pcrs[OVMFBootModel.imaPCR] = ReferenceEvent.replay([aggregate])[OVMFBootModel.imaPCR]
            sources[OVMFBootModel.imaPCR] = .derived
            differing = OVMFBootModel.imagePCRs.filter { pcr in
                referenceBoot.digests(of: pcr) != events.filter { $0.pcr == pcr }.map(\.sha256)
            }
        }
        let summary = ImageSummary(
            ukiFileSHA256: SHA256Hash.of(uki.pe.bytes).hex, ukiAuthenticode: ukiAuthenticode.hex,
            kernelAuthenticode: kernelAuthenticode.hex, stubVersion: uki.stubVersion, commandLine: commandLine)
        return ImageReferenceValues(
            image: summary, events: events, pcrs: pcrs, sources: sources, referenceBoot: referenceBoot,
            differingFromReferenceBoot: differing)
    }

    /// The `.cmdline` section as text. Only printable ASCII is accepted: the load options the
    /// kernel measures are systemd-stub's UTF-16 conversion of it, which is exact for ASCII.
    private static func commandLine(_ bytes: [UInt8], path: String) throws -> String {
        guard !bytes.isEmpty, bytes.allSatisfy({ (0x20...0x7E).contains($0) }), bytes.last != 0x20 else {
            throw ImageMeasureError(
                .unsupported, file: path,
                "the .cmdline section must be printable ASCII without trailing spaces (no newline, no NUL)")
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func readFile(_ path: String) throws -> [UInt8] {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        guard let size = attributes?[.size] as? Int else {
            throw ImageMeasureError(.unreadable, file: path, "cannot be read (build the image with image/build.sh)")
        }
        guard size <= maximumUKISize else {
            throw ImageMeasureError(.malformed, file: path, "is \(size) bytes, more than \(maximumUKISize)")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ImageMeasureError(.unreadable, file: path, "cannot be read")
        }
        return Array(data)
    }
}
