import Foundation

/// The data of the `EV_EFI_GPT_EVENT` that UEFI firmware measures into PCR 5 for the disk it boots from.
///
/// It is `UEFI_GPT_DATA` of the TCG PC Client Platform Firmware Profile.
/// As EDK2's `Tcg2MeasureGptTable` builds it: the 92 bytes of the primary GPT header
/// (`EFI_PARTITION_TABLE_HEADER`), the number of partitions in use as a 64-bit little-endian
/// integer, then each entry in use (a non-zero partition type GUID) in table order, each
/// `SizeOfPartitionEntry` bytes.
public enum GPTEventData {
    /// The logical block size of the disk: that of QEMU's virtio and SCSI disks.
    static let blockSize = 512
    /// The most partition entries read.
    static let maximumEntries = 1024

    /// Reads the primary GPT of the disk image at `path` and returns the event data, to predict PCR 5.
    public static func read(diskImage path: String) throws -> [UInt8] {
        guard let disk = FileHandle(forReadingAtPath: path) else {
            throw ImageMeasureError(.unreadable, file: path, "cannot be opened")
        }
        defer { try? disk.close() }
        let header = try read(disk, at: blockSize, count: blockSize, path, "GPT header (LBA 1)")
        guard header.starts(with: Array("EFI PART".utf8)) else {
            throw ImageMeasureError(.malformed, file: path, "LBA 1 holds no GPT header (no \"EFI PART\" signature)")
        }
        let headerSize = Int(littleEndian(header, at: 12, size: 4))
        let entriesLBA = littleEndian(header, at: 72, size: 8)
        let entryCount = Int(littleEndian(header, at: 80, size: 4))
        let entrySize = Int(littleEndian(header, at: 84, size: 4))
        guard (92...blockSize).contains(headerSize) else {
            throw ImageMeasureError(
                .malformed, file: path, "GPT HeaderSize \(headerSize) is not between 92 and \(blockSize)")
        }
        guard entryCount <= maximumEntries, entrySize >= 128, entrySize <= 4096, entrySize % 8 == 0 else {
            throw ImageMeasureError(
                .malformed, file: path,
                "GPT NumberOfPartitionEntries \(entryCount) or SizeOfPartitionEntry \(entrySize) is out of range")
        }
        guard entriesLBA >= 2, entriesLBA < UInt64(Int.max / blockSize) else {
            throw ImageMeasureError(.malformed, file: path, "GPT PartitionEntryLBA \(entriesLBA) is out of range")
        }
        let table = try read(
            disk, at: Int(entriesLBA) * blockSize, count: entryCount * entrySize, path, "GPT partition entries")
        var used: [ArraySlice<UInt8>] = []
        for index in 0..<entryCount {
            let entry = table[(index * entrySize)..<((index + 1) * entrySize)]
            if entry.prefix(16).contains(where: { $0 != 0 }) { used.append(entry) }
        }
        var data = Array(header.prefix(92))
        data += withUnsafeBytes(of: UInt64(used.count).littleEndian, Array.init)
        for entry in used { data += entry }
        return data
    }

    private static func read(
        _ file: FileHandle, at offset: Int, count: Int, _ path: String, _ what: String
    ) throws -> [UInt8] {
        do {
            try file.seek(toOffset: UInt64(offset))
            let bytes = try file.read(upToCount: count) ?? Data()
            guard bytes.count == count else {
                throw ImageMeasureError(
                    .truncated, file: path, "\(what) (\(count) bytes at \(offset)) runs past the end")
            }
            return Array(bytes)
        } catch let error as ImageMeasureError {
            throw error
        } catch {
            throw ImageMeasureError(.unreadable, file: path, "cannot read \(what): \(error.localizedDescription)")
        }
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int, size: Int) -> UInt64 {
        (0..<size).reduce(0) { $0 | UInt64(bytes[offset + $1]) << (8 * $1) }
    }
}
