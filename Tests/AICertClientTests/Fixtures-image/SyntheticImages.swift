import Foundation
import TPMTestSupport

/// A PE32+ image laid out in memory for tests: headers, sections at 512-byte file alignment,
/// optional bytes after the sections and an optional certificate table at the end.
struct SyntheticPE {
    let bytes: [UInt8]
    /// Where the optional header's CheckSum field is.
    let checksumOffset: Int
    /// Where the certificate table's data directory entry is.
    let certificateEntryOffset: Int
    let sizeOfHeaders: Int

    private static let peOffset = 0x80
    private static let optionalHeaderSize = 112 + 16 * 8

    init(sections: [(String, [UInt8])], trailing: [UInt8] = [], certificateTable: [UInt8]? = nil) {
        func align(_ value: Int, _ to: Int) -> Int { (value + to - 1) / to * to }
        let coff = Self.peOffset + 4
        let optional = coff + 20
        let table = optional + Self.optionalHeaderSize
        sizeOfHeaders = align(table + 40 * sections.count, 0x200)
        checksumOffset = optional + 64
        certificateEntryOffset = optional + 112 + 4 * 8

        var image = [UInt8](repeating: 0, count: sizeOfHeaders)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for index in 0..<size { image[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        image[0] = UInt8(ascii: "M")
        image[1] = UInt8(ascii: "Z")
        put(UInt64(Self.peOffset), at: 0x3C, size: 4)
        image.replaceSubrange(Self.peOffset..<(Self.peOffset + 4), with: Array("PE\0\0".utf8))
        put(0x8664, at: coff, size: 2)
        put(UInt64(sections.count), at: coff + 2, size: 2)
        put(UInt64(Self.optionalHeaderSize), at: coff + 16, size: 2)
        put(0x0022, at: coff + 18, size: 2)
        put(0x20B, at: optional, size: 2)
        put(0x1000, at: optional + 16, size: 4)  // AddressOfEntryPoint
        put(0x1000, at: optional + 32, size: 4)  // SectionAlignment
        put(0x200, at: optional + 36, size: 4)  // FileAlignment
        put(UInt64(sizeOfHeaders), at: optional + 60, size: 4)
        put(0x1234_5678, at: checksumOffset, size: 4)
        put(10, at: optional + 68, size: 2)  // EFI application
        put(16, at: optional + 108, size: 4)

        var virtualAddress = 0x1000
        for (index, (name, contents)) in sections.enumerated() {
            let header = table + 40 * index
            image.replaceSubrange(header..<(header + name.utf8.count), with: Array(name.utf8))
            let rawSize = align(contents.count, 0x200)
            put(UInt64(contents.count), at: header + 8, size: 4)
            put(UInt64(virtualAddress), at: header + 12, size: 4)
            put(UInt64(rawSize), at: header + 16, size: 4)
            put(UInt64(image.count), at: header + 20, size: 4)
            put(0x4000_0040, at: header + 36, size: 4)
            image += contents + [UInt8](repeating: 0, count: rawSize - contents.count)
            virtualAddress = align(virtualAddress + contents.count, 0x1000)
        }
        put(UInt64(virtualAddress), at: optional + 56, size: 4)  // SizeOfImage
        image += trailing
        if let certificateTable {
            put(UInt64(image.count), at: certificateEntryOffset, size: 4)
            put(UInt64(certificateTable.count), at: certificateEntryOffset + 4, size: 4)
            image += certificateTable
        }
        bytes = image
    }

    /// An image shaped like a kernel: code and data, nothing after them.
    static let kernelLike = SyntheticPE(sections: [
        (".text", (0..<3000).map { UInt8(truncatingIfNeeded: $0 &* 7) }), (".data", Array(repeating: 0x42, count: 500)),
    ])

    static let osRelease = Array("ID=debian\nVERSION_ID=\"12\"\nIMAGE_ID=aicert\n".utf8)
    static let commandLine = "console=ttyS0,115200 ro aicert.verity=1:ab:cd"
    static let initrd = (0..<2048).map { UInt8(truncatingIfNeeded: $0 &* 13) }

    /// A UKI shaped like image/build.sh's: a stub with its `.sdmagic`, then the added sections.
    static func uki(
        stubVersion: String = "252.39-1~deb12u2", commandLine: String = commandLine, extra: [(String, [UInt8])] = []
    ) -> SyntheticPE {
        SyntheticPE(
            sections: [
                (".text", Array(repeating: 0xC3, count: 1000)),
                (".sdmagic", Array("#### LoaderInfo: systemd-stub \(stubVersion) ####".utf8) + [0]),
                (".osrel", osRelease), (".cmdline", Array(commandLine.utf8)),
                (".linux", kernelLike.bytes), (".initrd", initrd),
            ] + extra)
    }
}

/// A disk image with a GPT (header at LBA 1, 128 entries of 128 bytes from LBA 2) holding one
/// partition.
enum SyntheticDisk {
    static var bytes: [UInt8] {
        var disk = [UInt8](repeating: 0, count: 512 * 40)
        func put(_ value: UInt64, at offset: Int, size: Int) {
            for index in 0..<size { disk[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(index))) }
        }
        disk.replaceSubrange(512..<520, with: Array("EFI PART".utf8))
        put(0x0001_0000, at: 520, size: 4)
        put(92, at: 524, size: 4)
        put(1, at: 536, size: 8)
        put(2, at: 584, size: 8)
        put(128, at: 592, size: 4)
        put(128, at: 596, size: 4)
        // One entry: an EFI system partition type GUID, a partition GUID, LBAs 34 to 39.
        let entry = 1024
        disk.replaceSubrange(
            entry..<(entry + 16),
            with: [
                0x28, 0x73, 0x2A, 0xC1, 0x1F, 0xF8, 0xD2, 0x11, 0xBA, 0x4B, 0x00, 0xA0, 0xC9, 0x3E, 0xC9, 0x3B,
            ])
        disk.replaceSubrange((entry + 16)..<(entry + 32), with: (0..<16).map { UInt8($0) })
        put(34, at: entry + 32, size: 8)
        put(39, at: entry + 40, size: 8)
        return disk
    }
}

/// pesign (Debian package `pesign`), an independent implementation of the Authenticode digest.
enum Pesign {
    static let path = "/usr/bin/pesign"
    static var isInstalled: Bool { FileManager.default.isExecutableFile(atPath: path) }

    /// `pesign --hash --in=FILE`'s SHA-256, lowercase hex.
    static func hash(_ file: String) throws -> String {
        let result = try Subprocess.run(path, ["--hash", "--in=\(file)"])
        let text = result.output
        guard result.status == 0,
            let line = text.split(separator: "\n").first(where: { $0.hasPrefix("hash: ") })
        else {
            throw PesignFailed(output: text)
        }
        return line.dropFirst("hash: ".count).lowercased()
    }

    struct PesignFailed: Error {
        let output: String
    }
}

/// A directory under the temporary directory, removed when the value is released.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-image-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory (the directory itself for "").
    func path(_ name: String) -> String {
        name.isEmpty ? url.path : url.appendingPathComponent(name).path
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}
