import AICertCore
import Crypto

/// A PE/COFF image (an EFI application such as a unified kernel image), to compute what firmware measures of it.
///
/// It is parsed far enough to compute its Authenticode digest and to read its sections as a
/// loader maps them.
///
/// Every offset and size read from the file is checked against the file before it is used;
/// a file that is not a well-formed PE image throws ``ImageMeasureError`` naming the field.
public struct PEImage: Sendable {
    /// One entry of the section table.
    public struct Section: Hashable, Sendable {
        /// The 8-byte name field without its NUL padding, e.g. `.linux`.
        let name: String
        /// The section's size in memory; a loader maps this many bytes.
        let virtualSize: UInt32
        /// Where the loader maps the section, relative to the image base.
        let virtualAddress: UInt32
        /// The section's size in the file.
        let sizeOfRawData: UInt32
        /// Where the section's data starts in the file.
        let pointerToRawData: UInt32
    }

    /// The most sections the PE format allows (the COFF specification's limit).
    static let maximumSections = 96
    /// The index of the certificate table (`IMAGE_DIRECTORY_ENTRY_SECURITY`) among the data directories.
    static let certificateTableIndex = 4

    /// The whole file.
    let bytes: [UInt8]
    /// The section table, in file order, to pass to ``mappedContents(of:)``.
    public let sections: [Section]
    /// `SizeOfHeaders` of the optional header.
    let sizeOfHeaders: Int
    /// Where the optional header's `CheckSum` field is.
    let checksumOffset: Int
    /// Where the certificate table's data directory entry is, when the image has one.
    let certificateEntryOffset: Int?
    /// The certificate table's size from that entry (0 when there is none).
    let certificateTableSize: Int
    private let name: String

    /// Parses `bytes` as a PE/COFF image, checking every header field it uses; `name` names the file in errors.
    public init(bytes: [UInt8], name: String) throws {
        self.bytes = bytes
        self.name = name
        let file = ByteWindow(bytes: bytes, name: name)
        guard try file.uint16(at: 0, "DOS header e_magic") == 0x5A4D else {
            throw ImageMeasureError(.malformed, file: name, "no DOS header: the file does not start with \"MZ\"")
        }
        let peOffset = Int(try file.uint32(at: 0x3C, "DOS header e_lfanew"))
        guard try file.uint32(at: peOffset, "PE signature") == 0x0000_4550 else {
            throw ImageMeasureError(.malformed, file: name, "no \"PE\\0\\0\" signature at e_lfanew \(peOffset)")
        }
        let coff = peOffset + 4
        let sectionCount = Int(try file.uint16(at: coff + 2, "COFF NumberOfSections"))
        let optionalHeaderSize = Int(try file.uint16(at: coff + 16, "COFF SizeOfOptionalHeader"))
        guard sectionCount <= Self.maximumSections else {
            throw ImageMeasureError(
                .malformed, file: name, "COFF NumberOfSections \(sectionCount) exceeds \(Self.maximumSections)")
        }
        let optional = coff + 20
        try file.require(optional, optionalHeaderSize, "optional header")
        let directories: Int
        let directoryCountOffset: Int
        switch try file.uint16(at: optional, "optional header Magic") {
        case 0x10B:
            directoryCountOffset = optional + 92
            directories = optional + 96
        case 0x20B:
            directoryCountOffset = optional + 108
            directories = optional + 112
        case let magic:
            throw ImageMeasureError(
                .malformed, file: name, "optional header Magic 0x\(String(magic, radix: 16)) is neither PE32 nor PE32+")
        }
        guard directories <= optional + optionalHeaderSize else {
            throw ImageMeasureError(
                .malformed, file: name, "SizeOfOptionalHeader \(optionalHeaderSize) leaves no room for its fields")
        }
        let directoryCount = Int(try file.uint32(at: directoryCountOffset, "optional header NumberOfRvaAndSizes"))
        guard directoryCount <= 16, directories + directoryCount * 8 <= optional + optionalHeaderSize else {
            throw ImageMeasureError(
                .malformed, file: name,
                "NumberOfRvaAndSizes \(directoryCount) does not fit SizeOfOptionalHeader \(optionalHeaderSize)")
        }
        let sizeOfHeaders = Int(try file.uint32(at: optional + 60, "optional header SizeOfHeaders"))
        checksumOffset = optional + 64
        guard sizeOfHeaders <= bytes.count, checksumOffset + 4 <= sizeOfHeaders else {
            throw ImageMeasureError(
                .malformed, file: name,
                "SizeOfHeaders \(sizeOfHeaders) does not cover the optional header within the file")
        }
        self.sizeOfHeaders = sizeOfHeaders
        if directoryCount > Self.certificateTableIndex {
            let entry = directories + Self.certificateTableIndex * 8
            guard entry + 8 <= sizeOfHeaders else {
                throw ImageMeasureError(
                    .malformed, file: name, "the certificate table entry lies outside SizeOfHeaders")
            }
            certificateEntryOffset = entry
            certificateTableSize = Int(try file.uint32(at: entry + 4, "certificate table Size"))
        } else {
            certificateEntryOffset = nil
            certificateTableSize = 0
        }

        let table = optional + optionalHeaderSize
        try file.require(table, sectionCount * 40, "section table")
        var sections: [Section] = []
        for index in 0..<sectionCount {
            let header = table + index * 40
            let rawName = bytes[header..<(header + 8)].prefix { $0 != 0 }
            guard rawName.allSatisfy({ (0x21...0x7E).contains($0) }) else {
                throw ImageMeasureError(
                    .malformed, file: name, "section \(index) has a name that is not printable ASCII")
            }
            let section = Section(
                name: String(decoding: rawName, as: UTF8.self),
                virtualSize: try file.uint32(at: header + 8, "section \(index) VirtualSize"),
                virtualAddress: try file.uint32(at: header + 12, "section \(index) VirtualAddress"),
                sizeOfRawData: try file.uint32(at: header + 16, "section \(index) SizeOfRawData"),
                pointerToRawData: try file.uint32(at: header + 20, "section \(index) PointerToRawData"))
            try file.require(
                Int(section.pointerToRawData), Int(section.sizeOfRawData),
                "raw data of section \(index) (\(section.name))")
            sections.append(section)
        }
        self.sections = sections
    }

    /// The SHA-256 Authenticode digest of the image: what UEFI firmware measures into PCR 4 when it starts it.
    ///
    /// Per the PE/COFF specification's "Calculating the PE Image Hash" (and EDK2's
    /// `DxeTpm2MeasureBootLib`, which OVMF uses): the headers without the `CheckSum` field and
    /// the certificate table's directory entry, then each section's raw data in the order of
    /// `PointerToRawData` (empty ones skipped), then any bytes after the last section other than
    /// the certificate table at the end of the file.
    public func authenticodeDigest() throws -> SHA256Hash {
        var hash = SHA256()
        hash.update(data: bytes[0..<checksumOffset])
        if let entry = certificateEntryOffset {
            hash.update(data: bytes[(checksumOffset + 4)..<entry])
            hash.update(data: bytes[(entry + 8)..<sizeOfHeaders])
        } else {
            hash.update(data: bytes[(checksumOffset + 4)..<sizeOfHeaders])
        }
        var hashed = sizeOfHeaders
        // A stable sort: sections with equal offsets keep their table order, as in EDK2.
        let ordered = sections.enumerated().sorted {
            ($0.element.pointerToRawData, $0.offset) < ($1.element.pointerToRawData, $1.offset)
        }
        for (_, section) in ordered where section.sizeOfRawData > 0 {
            let start = Int(section.pointerToRawData)
            hash.update(data: bytes[start..<(start + Int(section.sizeOfRawData))])
            hashed += Int(section.sizeOfRawData)
        }
        if bytes.count > hashed {
            let trailing = bytes.count - hashed - certificateTableSize
            guard trailing >= 0 else {
                throw ImageMeasureError(
                    .malformed, file: name,
                    "the certificate table (\(certificateTableSize) bytes) overlaps the sections")
            }
            hash.update(data: bytes[hashed..<(hashed + trailing)])
        }
        return SHA256Hash(hash.finalize())
    }

    /// `section` as a loader maps it, its first `VirtualSize` bytes: what systemd-stub measures of it.
    ///
    /// A section whose virtual size exceeds its raw data (a zero-filled tail, as in `.bss`) is
    /// refused: no section a UKI measures has one, and refusing it bounds what a hostile header
    /// can make us allocate.
    public func mappedContents(of section: Section) throws -> [UInt8] {
        guard section.virtualSize <= section.sizeOfRawData else {
            throw ImageMeasureError(
                .unsupported, file: name,
                "section \(section.name) has a VirtualSize (\(section.virtualSize)) larger than its raw data "
                    + "(\(section.sizeOfRawData))")
        }
        let start = Int(section.pointerToRawData)
        return Array(bytes[start..<(start + Int(section.virtualSize))])
    }
}

/// Bounds-checked little-endian reads from a file's bytes.
private struct ByteWindow {
    let bytes: [UInt8]
    let name: String

    /// Throws unless `count` bytes at `offset` lie inside the file.
    func require(_ offset: Int, _ count: Int, _ field: String) throws {
        guard offset >= 0, count >= 0, offset <= bytes.count, count <= bytes.count - offset else {
            throw ImageMeasureError(
                .truncated, file: name, "\(field) (\(count) bytes at offset \(offset)) runs past the end of the file")
        }
    }

    func uint16(at offset: Int, _ field: String) throws -> UInt16 {
        try require(offset, 2, field)
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func uint32(at offset: Int, _ field: String) throws -> UInt32 {
        try require(offset, 4, field)
        return (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
