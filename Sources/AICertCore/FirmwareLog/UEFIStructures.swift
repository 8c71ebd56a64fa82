import TPM2

/// The Spec ID event (`TCG_EfiSpecIDEvent`, signature "Spec ID Event03") that opens a
/// crypto-agile log and declares its hash algorithms and their digest sizes.
public struct SpecIDEvent: Hashable, Sendable {
    /// One algorithm the log carries digests for, with the digest size the log uses for it.
    public struct Algorithm: Hashable, Sendable {
        public let algorithm: AlgorithmID
        public let digestSize: Int
    }

    public let platformClass: UInt32
    public let specVersionMajor: UInt8
    public let specVersionMinor: UInt8
    public let specErrata: UInt8
    /// 1 for UINTN of 32 bits, 2 for 64 bits.
    public let uintnSize: UInt8
    public let algorithms: [Algorithm]
    public let vendorInfo: [UInt8]

    /// The 16 bytes that start the event data: "Spec ID Event03" and a NUL.
    static let signature: [UInt8] = Array("Spec ID Event03".utf8) + [0]
    /// The most algorithms a Spec ID event may declare.
    public static let maximumAlgorithms = 16
    /// The largest digest size accepted for an algorithm this library does not know (that of SHA-512).
    public static let maximumDigestSize = 64

    /// Reads the event data of the Spec ID event, which must be consumed exactly.
    init(data: [UInt8], record: Int) throws {
        var reader = LittleEndianReader(data, record: record)
        guard try reader.readBytes(16, "event.signature") == Self.signature else {
            throw reader.error(.invalidValue, "event.signature", "not \"Spec ID Event03\"")
        }
        platformClass = try reader.read(UInt32.self, "event.platformClass")
        specVersionMinor = try reader.read(UInt8.self, "event.specVersionMinor")
        specVersionMajor = try reader.read(UInt8.self, "event.specVersionMajor")
        specErrata = try reader.read(UInt8.self, "event.specErrata")
        uintnSize = try reader.read(UInt8.self, "event.uintnSize")
        let count = try reader.readLength(UInt32.self, limit: Self.maximumAlgorithms, "event.numberOfAlgorithms")
        guard count > 0 else { throw reader.error(.invalidValue, "event.numberOfAlgorithms", "must be at least 1") }
        var algorithms: [Algorithm] = []
        for index in 0..<count {
            let field = "event.digestSizes[\(index)]"
            let algorithm = AlgorithmID(rawValue: try reader.read(UInt16.self, "\(field).algorithmId"))
            let size = Int(try reader.read(UInt16.self, "\(field).digestSize"))
            guard algorithm != AlgorithmID(rawValue: 0), algorithm != .null else {
                throw reader.error(.invalidValue, "\(field).algorithmId", "\(algorithm) is not a hash algorithm")
            }
            guard !algorithms.contains(where: { $0.algorithm == algorithm }) else {
                throw reader.error(.invalidValue, "\(field).algorithmId", "\(algorithm) is declared twice")
            }
            if let known = algorithm.digestSize {
                guard size == known else {
                    throw reader.error(
                        .invalidValue, "\(field).digestSize",
                        "\(size) for \(algorithm), whose digests are \(known) bytes")
                }
            } else {
                guard (1...Self.maximumDigestSize).contains(size) else {
                    throw reader.error(
                        .limitExceeded, "\(field).digestSize",
                        "\(size) for \(algorithm) is not between 1 and \(Self.maximumDigestSize)")
                }
            }
            algorithms.append(Algorithm(algorithm: algorithm, digestSize: size))
        }
        self.algorithms = algorithms
        let vendorInfoSize = try reader.readLength(UInt8.self, "event.vendorInfoSize")
        vendorInfo = try reader.readBytes(vendorInfoSize, "event.vendorInfo")
        try reader.expectEnd("event")
    }
}

/// An EFI GUID, written the way UEFI writes it: `8be4df61-93ca-11d2-aa0d-00e098032b8c`.
public struct EFIGUID: Hashable, Sendable, CustomStringConvertible {
    /// The 16 bytes as stored: the first three fields little-endian.
    public let bytes: [UInt8]

    /// `EFI_GLOBAL_VARIABLE`: the vendor of `SecureBoot`, `PK`, `KEK`, `BootOrder`, `Boot####`.
    public static let globalVariable = EFIGUID(bytes: [
        0x61, 0xDF, 0xE4, 0x8B, 0xCA, 0x93, 0xD2, 0x11, 0xAA, 0x0D, 0x00, 0xE0, 0x98, 0x03, 0x2B, 0x8C,
    ])
    /// `EFI_IMAGE_SECURITY_DATABASE_GUID`: the vendor of `db` and `dbx`.
    public static let imageSecurityDatabase = EFIGUID(bytes: [
        0xCB, 0xB2, 0x19, 0xD7, 0x3A, 0x3D, 0x96, 0x45, 0xA3, 0xBC, 0xDA, 0xD0, 0x0E, 0x67, 0x65, 0x6F,
    ])

    /// A GUID from its 16 stored bytes; callers read exactly 16.
    init(bytes: [UInt8]) {
        precondition(bytes.count == 16, "an EFI GUID is 16 bytes")
        self.bytes = bytes
    }

    public var description: String {
        // The first three fields are stored little-endian and written big-endian.
        let order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
        return order.map { $0 < 0 ? "-" : EFIGUID.hex(bytes[$0]) }.joined()
    }

    private static func hex(_ byte: UInt8) -> String {
        let digits = Array("0123456789abcdef")
        return String([digits[Int(byte >> 4)], digits[Int(byte & 0xF)]])
    }
}

/// `UEFI_VARIABLE_DATA`: a UEFI variable as measured (EV_EFI_VARIABLE_* events).
public struct UEFIVariable: Hashable, Sendable {
    public let vendor: EFIGUID
    public let name: String
    public let data: [UInt8]

    /// Reads the structure. Bytes after the variable data are tolerated: shim logs its `Shim`
    /// authority with 6 of them.
    init(data eventData: [UInt8], record: Int) throws {
        var reader = LittleEndianReader(eventData, record: record)
        vendor = EFIGUID(bytes: try reader.readBytes(16, "event.variableName"))
        let nameLength = try reader.read(UInt64.self, "event.unicodeNameLength")
        let dataLength = try reader.read(UInt64.self, "event.variableDataLength")
        guard let units = Int(exactly: nameLength), units <= reader.remaining / 2 else {
            throw reader.error(
                .truncated, "event.unicodeNameLength",
                "\(nameLength) characters do not fit in \(reader.remaining) byte(s)")
        }
        let nameBytes = try reader.readBytes(units * 2, "event.unicodeName")
        name = EventText.lenientUTF16(nameBytes)
        guard let count = Int(exactly: dataLength), count <= reader.remaining else {
            throw reader.error(
                .truncated, "event.variableDataLength", "\(dataLength) byte(s) do not fit in \(reader.remaining)")
        }
        data = try reader.readBytes(count, "event.variableData")
    }
}

/// `UEFI_IMAGE_LOAD_EVENT`: a PE/COFF image that the firmware measured before running it.
public struct UEFIImageLoad: Hashable, Sendable {
    public let imageAddress: UInt64
    public let imageLength: UInt64
    public let linkTimeAddress: UInt64
    /// The device path the image was loaded from, as logged.
    public let devicePath: [UInt8]

    /// Reads the structure. Bytes after the device path are tolerated: real firmware logs them.
    init(data: [UInt8], record: Int) throws {
        var reader = LittleEndianReader(data, record: record)
        imageAddress = try reader.read(UInt64.self, "event.imageLocationInMemory")
        imageLength = try reader.read(UInt64.self, "event.imageLengthInMemory")
        linkTimeAddress = try reader.read(UInt64.self, "event.imageLinkTimeAddress")
        let pathLength = try reader.readLength(UInt64.self, "event.lengthOfDevicePath")
        devicePath = try reader.readBytes(pathLength, "event.devicePath")
    }

    /// The file named by the device path's file path nodes, e.g. `\EFI\BOOT\BOOTX64.EFI`; `nil`
    /// when the device path has none or does not parse.
    public var filePath: String? { DevicePath.filePath(devicePath) }
}

/// `UEFI_PLATFORM_FIRMWARE_BLOB` (or its version 2, with a description): a region of firmware
/// that was measured.
public struct FirmwareBlob: Hashable, Sendable {
    public let base: UInt64
    public let length: UInt64
    /// The description of `UEFI_PLATFORM_FIRMWARE_BLOB2`; `nil` for version 1.
    public let blobDescription: String?

    /// Reads version 1 (`withDescription` false) or 2, which must fill the event data exactly.
    init(data: [UInt8], withDescription: Bool, record: Int) throws {
        var reader = LittleEndianReader(data, record: record)
        if withDescription {
            let size = try reader.readLength(UInt8.self, "event.blobDescriptionSize")
            blobDescription = String(decoding: try reader.readBytes(size, "event.blobDescription"), as: UTF8.self)
        } else {
            blobDescription = nil
        }
        base = try reader.read(UInt64.self, "event.blobBase")
        length = try reader.read(UInt64.self, "event.blobLength")
        try reader.expectEnd("event")
    }
}
