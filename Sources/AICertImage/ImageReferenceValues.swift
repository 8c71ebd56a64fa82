import AICertCore
import Foundation

/// The reference values of a base image on the `qemu` platform, for a policy that recognises its boots.
///
/// They are the SHA-256 value PCRs 0–13 must hold after it booted, where each value comes from,
/// and the events behind those the image determines.
///
/// PCRs 4, 5, 8, 9, 11, 12 and 13 are computed from the image files (``OVMFBootModel``).
/// PCRs 0–3, 6 and 7 depend on the firmware build and the virtual machine's devices; they come
/// from a ``ReferenceBoot``'s event log, and without one they are left out. PCR 10 (IMA's boot
/// aggregate) is computed from PCRs 0–9 once all of them are known.
public struct ImageReferenceValues: Sendable {
    /// Where a PCR's reference value comes from.
    enum Source: String, Sendable, Encodable {
        /// Computed from the image files.
        case image
        /// Replayed from the firmware event log of a reference boot.
        case referenceBoot = "reference-boot"
        /// Computed from the values of other PCRs.
        case derived
    }

    /// What was measured of the image, for people and for the image's registration.
    public struct ImageSummary: Sendable, Encodable {
        /// SHA-256 of `aicert.efi`, the identity an image's runner signs, to match on registration.
        public let ukiFileSHA256: String
        /// The UKI's Authenticode digest, which the firmware measures into PCR 4.
        let ukiAuthenticode: String
        /// The `.linux` section's Authenticode digest, which PCR 4 gets when the stub starts it.
        let kernelAuthenticode: String
        /// systemd-stub's version from `.sdmagic`.
        let stubVersion: String
        /// The `.cmdline` section.
        let commandLine: String

        private enum CodingKeys: String, CodingKey {
            case ukiFileSHA256 = "uki_sha256", ukiAuthenticode = "uki_authenticode"
            case kernelAuthenticode = "kernel_authenticode", stubVersion = "systemd_stub", commandLine = "command_line"
        }
    }

    /// The largest UKI read, in bytes.
    static let maximumUKISize = 512 << 20

    /// What was measured of the image, to identify it.
    public let image: ImageSummary
    /// The expected events of the PCRs computed here (image PCRs, and PCR 10 when known), in order.
    let events: [ReferenceEvent]
    /// The reference value of each PCR known: what a boot of the image must leave in the SHA-256 bank.
    public let pcrs: [Int: SHA256Hash]
    /// Where each value of ``pcrs`` comes from.
    let sources: [Int: Source]
    /// The reference boot the firmware PCRs were taken from, when one was given.
    let referenceBoot: ReferenceBoot?
    /// The image's PCRs whose events in the reference boot's log differ from the image's, to warn of a mix-up.
    ///
    /// They mean the reference boot booted another image (its firmware values may still serve).
    /// Empty when they agree or there is no reference boot.
    public let differingFromReferenceBoot: [Int]

    /// Computes the values for the image in `imageDirectory`, and the firmware's from `referenceBoot` when given.
    ///
    /// The directory holds `aicert.efi` and `disk.raw`, as image/build.sh writes them.
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
        events += OVMFBootModel.kernelEvents(
            commandLine: commandLine, initrdDigest: .of(initrd), initrdSize: initrd.count)
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
