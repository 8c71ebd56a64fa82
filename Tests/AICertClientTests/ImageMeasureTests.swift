import AICertClient
import AICertCore
import AICertImage
import AICertVerify
import Crypto
import Foundation
import TPM2
import TPMTestSupport
import Testing

/// `aicert image measure`: the PE parser and its Authenticode digest (against pesign), the UKI
/// section events, the boot event model (against a real boot's event log) and the policy file.
@Suite("base image reference values")
struct ImageMeasureTests {
    // MARK: Authenticode

    @Test func authenticodeDigestExcludesChecksumAndCertificateTable() throws {
        let certificate: [UInt8] = [0x10, 0, 0, 0, 0x00, 0x02, 0x02, 0x00] + [UInt8](repeating: 0xA5, count: 8)
        let file = SyntheticPE(
            sections: [(".text", Array(repeating: 0x90, count: 700)), (".data", Array("data".utf8))],
            trailing: Array("unsigned extra".utf8), certificateTable: certificate)
        let bytes = file.bytes
        // The specification's ranges, written out: headers without CheckSum and the certificate
        // table entry, sections in file order, trailing bytes before the certificate table.
        var expected = Array(bytes[0..<file.checksumOffset])
        expected += bytes[(file.checksumOffset + 4)..<file.certificateEntryOffset]
        expected += bytes[(file.certificateEntryOffset + 8)..<file.sizeOfHeaders]
        expected += bytes[file.sizeOfHeaders..<(bytes.count - certificate.count)]
        let image = try PEImage(bytes: bytes, name: "synthetic.efi")
        #expect(try image.authenticodeDigest() == SHA256Hash.of(expected))

        // Changing the checksum or the certificate table does not change the digest; a section byte does.
        var changed = bytes
        changed[file.checksumOffset] ^= 0xFF
        changed[bytes.count - 1] ^= 0xFF
        #expect(try PEImage(bytes: changed, name: "x").authenticodeDigest() == SHA256Hash.of(expected))
        changed[file.sizeOfHeaders + 3] ^= 0xFF
        #expect(try PEImage(bytes: changed, name: "x").authenticodeDigest() != SHA256Hash.of(expected))
    }

    /// pesign (Debian package `pesign`) computes the same digest, independently, for a synthetic
    /// image and, where installed, for systemd-stub and the base image's UKI.
    @Test func authenticodeDigestMatchesPesign() throws {
        try #require(Pesign.isInstalled, "pesign is the reference (apt-get install pesign; scripts/install-deps does)")
        let directory = try TemporaryDirectory()
        var files: [String] = []
        let synthetic = directory.path("synthetic.efi")
        try Data(SyntheticPE.kernelLike.bytes).write(to: URL(fileURLWithPath: synthetic))
        files.append(synthetic)
        for path in ["/usr/lib/systemd/boot/efi/linuxx64.efi.stub", "/usr/lib/systemd/boot/efi/systemd-bootx64.efi"]
        where FileManager.default.fileExists(atPath: path) {
            files.append(path)
        }
        if let image = ProcessInfo.processInfo.environment["AICERT_IMAGE_DIR"] {
            files.append(image + "/aicert.efi")
        }
        for file in files {
            let bytes = try #require(FileManager.default.contents(atPath: file))
            let ours = try PEImage(bytes: Array(bytes), name: file).authenticodeDigest()
            #expect(ours.hex == (try Pesign.hash(file)), "\(file)")
        }
    }

    /// The synthetic kernel-like image's digest as pesign 0.112 computed it, for runs without pesign.
    @Test func authenticodeDigestOfSyntheticImageIsPesigns() throws {
        let digest = try PEImage(bytes: SyntheticPE.kernelLike.bytes, name: "synthetic.efi").authenticodeDigest()
        #expect(digest.hex == "eca204ce0dae80cd9aabac40fe0160b23d8cad0998885aae4a2c64916b4bc95e")
    }

    @Test func everyPrefixOfAnImageFailsToParse() throws {
        let bytes = SyntheticPE.kernelLike.bytes
        _ = try PEImage(bytes: bytes, name: "whole")
        for length in 0..<bytes.count {
            #expect(throws: ImageMeasureError.self) { try PEImage(bytes: Array(bytes.prefix(length)), name: "prefix") }
        }
    }

    @Test func hostileHeadersAreErrorsNotCrashes() throws {
        let bytes = SyntheticPE.kernelLike.bytes
        var generator = SplitMix64(seed: 9)
        for _ in 0..<2_000 {
            var mutated = bytes
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                // Mostly in the headers, where the offsets and counts are.
                let index = Int.random(in: 0..<min(mutated.count, 0x400), using: &generator)
                mutated[index] = UInt8.random(in: 0...255, using: &generator)
            }
            if let image = try? PEImage(bytes: mutated, name: "mutated") {
                _ = try? image.authenticodeDigest()
                for section in image.sections { _ = try? image.mappedContents(of: section) }
            }
        }
        var huge = bytes
        huge[0x3C] = 0xFF
        huge[0x3D] = 0xFF
        huge[0x3E] = 0xFF
        huge[0x3F] = 0x7F
        #expect(throws: ImageMeasureError.truncated) { try PEImage(bytes: huge, name: "huge e_lfanew") }
        #expect(throws: ImageMeasureError.malformed) { try PEImage(bytes: Array("ELF".utf8) + bytes, name: "not PE") }
    }

    // MARK: UKI sections (PCR 11)

    @Test func sectionEventsFollowSystemdStub252() throws {
        let uki = try UnifiedKernelImage(bytes: SyntheticPE.uki().bytes, name: "uki.efi")
        #expect(uki.stubVersion == "252.39-1~deb12u2")
        let events = try uki.sectionEvents()
        let sections = [
            (".linux", SyntheticPE.kernelLike.bytes), (".osrel", SyntheticPE.osRelease),
            (".cmdline", Array(SyntheticPE.commandLine.utf8)), (".initrd", SyntheticPE.initrd),
        ]
        let expected = sections.flatMap { name, contents in
            [SHA256Hash.of(Array(name.utf8) + [0]), SHA256Hash.of(contents)]
        }
        #expect(events.map(\.sha256) == expected)
        #expect(events.allSatisfy { $0.pcr == 11 && $0.type == "EV_IPL" })
    }

    @Test func unknownStubReleasesAndDuplicateSectionsAreRefused() throws {
        #expect(throws: ImageMeasureError.unsupported) {
            try UnifiedKernelImage(bytes: SyntheticPE.uki(stubVersion: "255.4-1").bytes, name: "uki.efi")
        }
        #expect(throws: ImageMeasureError.unsupported) {
            try UnifiedKernelImage(bytes: SyntheticPE.kernelLike.bytes, name: "kernel.efi")
        }
        #expect(throws: ImageMeasureError.malformed) {
            try UnifiedKernelImage(bytes: SyntheticPE.uki(extra: [(".linux", [1, 2, 3])]).bytes, name: "uki.efi")
        }
        // systemd-stub 252 compares only the first bytes of a name and takes the last match, so
        // `.initrdX` would be booted as the initrd while the measurement read `.initrd`.
        let shadowed = #expect(throws: ImageMeasureError.self) {
            try UnifiedKernelImage(bytes: SyntheticPE.uki(extra: [(".initrdX", [1, 2, 3])]).bytes, name: "uki.efi")
        }
        #expect(
            shadowed?.description.contains("sections .initrd, .initrdX all answer to .initrd") == true,
            "\(String(describing: shadowed))")
    }

    // MARK: A real boot

    /// The event log and PCRs of a real boot of the base image agree with the boot event model,
    /// given the image's digests. See ``RealBoot`` for how they were obtained.
    @Test func bootEventModelPredictsARealBoot() throws {
        let log = try FirmwareEventLog(bytes: RealBoot.eventLog)
        let replayed = try #require(log.replay()["sha256"])
        let zero = [UInt8](repeating: 0, count: 32)
        for (pcr, value) in RealBoot.pcrs where pcr <= 9 || pcr == 11 {
            #expect(SHA256Hash(bytes: replayed[pcr] ?? zero) == value, "PCR \(pcr)")
        }
        let gpt = try #require(log.events.first { $0.type == .efiGPTEvent }).data
        var predicted = OVMFBootModel.bootLoaderEvents(
            ukiAuthenticode: RealBoot.ukiAuthenticode, kernelAuthenticode: RealBoot.kernelAuthenticode)
        predicted += OVMFBootModel.bootConfigurationEvents(gptEventData: gpt)
        let initrd = try #require(RealBoot.sections.first { $0.name == ".initrd" })
        predicted += OVMFBootModel.kernelEvents(
            commandLine: RealBoot.commandLine, initrdDigest: initrd.digest, initrdSize: RealBoot.initrdSize)
        for section in RealBoot.sections {
            let name = SHA256Hash.of(Array(section.name.utf8) + [0])
            predicted.append(ReferenceEvent(pcr: 11, type: "EV_IPL", description: section.name, sha256: name))
            predicted.append(ReferenceEvent(pcr: 11, type: "EV_IPL", description: section.name, sha256: section.digest))
        }
        for pcr in [4, 5, 9, 11] {
            let logged = log.events.filter { $0.pcr == pcr && $0.isExtended }.compactMap { $0.digest(for: .sha256) }
            #expect(logged == predicted.filter { $0.pcr == pcr }.map(\.sha256.bytes), "PCR \(pcr)")
        }
        let values = ReferenceEvent.replay(predicted)
        for pcr in [4, 5, 9, 11] { #expect(values[pcr] == RealBoot.pcrs[pcr], "PCR \(pcr)") }
        for pcr in [8, 12, 13] { #expect(RealBoot.pcrs[pcr] == SHA256Hash(bytes: zero), "PCR \(pcr)") }

        let aggregate = OVMFBootModel.imaBootAggregateEvent(pcrs: RealBoot.pcrs.filter { $0.key <= 9 })
        #expect(ReferenceEvent.replay([aggregate])[10] == RealBoot.pcrs[10])
    }

    @Test func gptEventDataIsReadFromTheDisk() throws {
        let log = try FirmwareEventLog(bytes: RealBoot.eventLog)
        let logged = try #require(log.events.first { $0.type == .efiGPTEvent }).data
        // A disk with the logged header at LBA 1 and its entries in use at LBA 2 onwards.
        var disk = [UInt8](repeating: 0, count: 512 * 40)
        disk.replaceSubrange(512..<(512 + 92), with: logged[0..<92])
        let used = Int(logged[92])
        disk.replaceSubrange(1024..<(1024 + used * 128), with: logged[100..<(100 + used * 128)])
        let directory = try TemporaryDirectory()
        try Data(disk).write(to: URL(fileURLWithPath: directory.path("disk.raw")))
        let read = try GPTEventData.read(diskImage: directory.path("disk.raw"))
        #expect(read == logged)
        let events = OVMFBootModel.bootConfigurationEvents(gptEventData: read)
        #expect(events[1].sha256.bytes == log.events.first { $0.type == .efiGPTEvent }?.digest(for: .sha256))
    }

    // MARK: The policy file

    @Test func measureWritesAPolicyThatVerifyAccepts() throws {
        let directory = try TemporaryDirectory()
        try Data(SyntheticPE.uki().bytes).write(to: URL(fileURLWithPath: directory.path("aicert.efi")))
        try Data(SyntheticDisk.bytes).write(to: URL(fileURLWithPath: directory.path("disk.raw")))
        let values = try ImageReferenceValues.compute(imageDirectory: directory.path(""), referenceBoot: nil)
        #expect(values.pcrs.keys.sorted() == [4, 5, 8, 9, 11, 12, 13])
        let policyPath = directory.path("policy.yaml")
        try values.policyYAML().write(toFile: policyPath, atomically: true, encoding: .utf8)
        let policy = try PolicyFile.load(policyPath)
        let qemu = try #require(policy.policy.referencePCRs["qemu"])
        #expect(qemu.count == 7)
        for (pcr, value) in values.pcrs { #expect(qemu[pcr] == [value.hex]) }
        let sections = try UnifiedKernelImage(bytes: SyntheticPE.uki().bytes, name: "uki.efi").sectionEvents()
        #expect(values.pcrs[11] == ReferenceEvent.replay(sections)[11])
    }

    /// A UKI with another kernel command line (say, another verity root hash) changes PCRs 4
    /// (its Authenticode digest), 9 (the load options) and 11 (the .cmdline section), nothing else.
    @Test func aChangedCommandLineChangesPCRs4And9And11() throws {
        let directory = try TemporaryDirectory()
        try Data(SyntheticDisk.bytes).write(to: URL(fileURLWithPath: directory.path("disk.raw")))
        var computed: [[Int: SHA256Hash]] = []
        for commandLine in [SyntheticPE.commandLine, SyntheticPE.commandLine + " init=/bin/sh"] {
            let uki = SyntheticPE.uki(commandLine: commandLine).bytes
            try Data(uki).write(to: URL(fileURLWithPath: directory.path("aicert.efi")))
            let values = try ImageReferenceValues.compute(imageDirectory: directory.path(""), referenceBoot: nil)
            computed.append(values.pcrs)
        }
        #expect(computed[0].keys.filter { computed[0][$0] != computed[1][$0] }.sorted() == [4, 9, 11])
    }

    @Test func aReferenceBootAddsTheFirmwarePCRs() throws {
        let directory = try TemporaryDirectory()
        try Data(SyntheticPE.uki().bytes).write(to: URL(fileURLWithPath: directory.path("aicert.efi")))
        try Data(SyntheticDisk.bytes).write(to: URL(fileURLWithPath: directory.path("disk.raw")))
        let boot = directory.path("boot")
        try FileManager.default.createDirectory(atPath: boot, withIntermediateDirectories: true)
        try Data(RealBoot.eventLog).write(to: URL(fileURLWithPath: boot + "/eventlog.bin"))
        try "ovmf 2022.11-6+deb12u2\n".write(toFile: boot + "/firmware.txt", atomically: true, encoding: .utf8)
        let pcrsText = RealBoot.pcrs.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value.hex.uppercased())" }
        try (pcrsText.joined(separator: "\n") + "\n").write(
            toFile: boot + "/pcrs.txt", atomically: true, encoding: .utf8)

        let values = try ImageReferenceValues.compute(
            imageDirectory: directory.path(""), referenceBoot: try ReferenceBoot.load(directory: boot))
        #expect(values.pcrs.keys.sorted() == Array(0...13))
        for pcr in [0, 1, 2, 3, 6, 7] { #expect(values.pcrs[pcr] == RealBoot.pcrs[pcr]) }
        // The synthetic image is not the one that booted: its own PCRs differ from the log's.
        #expect(values.differingFromReferenceBoot == [4, 5, 9, 11])
        #expect(values.policyYAML().contains("#   ovmf 2022.11-6+deb12u2"))

        // A pcrs.txt that disagrees with the event log is refused.
        let wrong = pcrsText.map { $0.hasPrefix("0 ") ? "0 " + String(repeating: "AB", count: 32) : $0 }
        try (wrong.joined(separator: "\n") + "\n").write(toFile: boot + "/pcrs.txt", atomically: true, encoding: .utf8)
        #expect(throws: ImageMeasureError.inconsistent) { try ReferenceBoot.load(directory: boot) }
    }
}
