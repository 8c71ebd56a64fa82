/// `TPMA_OBJECT`: what an object may be used for and how it is protected.
public struct ObjectAttributes: OptionSet, Hashable, Sendable, TPMCodable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let fixedTPM = ObjectAttributes(rawValue: 1 << 1)
    public static let stClear = ObjectAttributes(rawValue: 1 << 2)
    public static let fixedParent = ObjectAttributes(rawValue: 1 << 4)
    public static let sensitiveDataOrigin = ObjectAttributes(rawValue: 1 << 5)
    public static let userWithAuth = ObjectAttributes(rawValue: 1 << 6)
    public static let adminWithPolicy = ObjectAttributes(rawValue: 1 << 7)
    public static let noDA = ObjectAttributes(rawValue: 1 << 10)
    public static let encryptedDuplication = ObjectAttributes(rawValue: 1 << 11)
    public static let restricted = ObjectAttributes(rawValue: 1 << 16)
    public static let decrypt = ObjectAttributes(rawValue: 1 << 17)
    public static let sign = ObjectAttributes(rawValue: 1 << 18)
    public static let x509Sign = ObjectAttributes(rawValue: 1 << 19)

    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt32.self, "TPMA_OBJECT")
    }

    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }
}

/// `TPMA_NV`: how an NV index is written, read and authorised.
public struct NVAttributes: OptionSet, Hashable, Sendable, TPMCodable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let ppWrite = NVAttributes(rawValue: 1 << 0)
    public static let ownerWrite = NVAttributes(rawValue: 1 << 1)
    public static let authWrite = NVAttributes(rawValue: 1 << 2)
    public static let policyWrite = NVAttributes(rawValue: 1 << 3)
    public static let policyDelete = NVAttributes(rawValue: 1 << 10)
    public static let writeLocked = NVAttributes(rawValue: 1 << 11)
    public static let writeAll = NVAttributes(rawValue: 1 << 12)
    public static let writeDefine = NVAttributes(rawValue: 1 << 13)
    public static let writeSTClear = NVAttributes(rawValue: 1 << 14)
    public static let globalLock = NVAttributes(rawValue: 1 << 15)
    public static let ppRead = NVAttributes(rawValue: 1 << 16)
    public static let ownerRead = NVAttributes(rawValue: 1 << 17)
    public static let authRead = NVAttributes(rawValue: 1 << 18)
    public static let policyRead = NVAttributes(rawValue: 1 << 19)
    public static let noDA = NVAttributes(rawValue: 1 << 25)
    public static let orderly = NVAttributes(rawValue: 1 << 26)
    public static let clearSTClear = NVAttributes(rawValue: 1 << 27)
    public static let readLocked = NVAttributes(rawValue: 1 << 28)
    public static let written = NVAttributes(rawValue: 1 << 29)
    public static let platformCreate = NVAttributes(rawValue: 1 << 30)
    public static let readSTClear = NVAttributes(rawValue: 1 << 31)

    /// `TPM_NT` (bits 4–7): the index type; 0 is an ordinary data index.
    public var indexType: UInt8 { UInt8((rawValue >> 4) & 0xF) }

    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt32.self, "TPMA_NV")
    }

    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }
}
