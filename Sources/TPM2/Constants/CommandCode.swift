/// `TPM_CC`: the command codes this library sends.
public struct CommandCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let evictControl = CommandCode(rawValue: 0x120)
    public static let nvUndefineSpace = CommandCode(rawValue: 0x122)
    public static let nvDefineSpace = CommandCode(rawValue: 0x12A)
    public static let createPrimary = CommandCode(rawValue: 0x131)
    public static let nvWrite = CommandCode(rawValue: 0x137)
    public static let startup = CommandCode(rawValue: 0x144)
    public static let nvRead = CommandCode(rawValue: 0x14E)
    public static let quote = CommandCode(rawValue: 0x158)
    public static let flushContext = CommandCode(rawValue: 0x165)
    public static let nvReadPublic = CommandCode(rawValue: 0x169)
    public static let readPublic = CommandCode(rawValue: 0x173)
    public static let getCapability = CommandCode(rawValue: 0x17A)
    public static let getRandom = CommandCode(rawValue: 0x17B)
    public static let pcrRead = CommandCode(rawValue: 0x17E)
    public static let pcrExtend = CommandCode(rawValue: 0x182)

    public var description: String {
        switch self {
        case .evictControl: "TPM2_EvictControl"
        case .nvUndefineSpace: "TPM2_NV_UndefineSpace"
        case .nvDefineSpace: "TPM2_NV_DefineSpace"
        case .createPrimary: "TPM2_CreatePrimary"
        case .nvWrite: "TPM2_NV_Write"
        case .startup: "TPM2_Startup"
        case .nvRead: "TPM2_NV_Read"
        case .quote: "TPM2_Quote"
        case .flushContext: "TPM2_FlushContext"
        case .nvReadPublic: "TPM2_NV_ReadPublic"
        case .readPublic: "TPM2_ReadPublic"
        case .getCapability: "TPM2_GetCapability"
        case .getRandom: "TPM2_GetRandom"
        case .pcrRead: "TPM2_PCR_Read"
        case .pcrExtend: "TPM2_PCR_Extend"
        default: "command 0x" + String(rawValue, radix: 16, uppercase: true)
        }
    }
}

/// `TPM_ST`: structure tags used on the wire.
public struct StructureTag: RawRepresentable, Hashable, Sendable, TPMCodable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let noSessions = StructureTag(rawValue: 0x8001)
    public static let sessions = StructureTag(rawValue: 0x8002)
    public static let attestNV = StructureTag(rawValue: 0x8014)
    public static let attestCommandAudit = StructureTag(rawValue: 0x8015)
    public static let attestSessionAudit = StructureTag(rawValue: 0x8016)
    public static let attestCertify = StructureTag(rawValue: 0x8017)
    public static let attestQuote = StructureTag(rawValue: 0x8018)
    public static let attestTime = StructureTag(rawValue: 0x8019)
    public static let attestCreation = StructureTag(rawValue: 0x801A)
    public static let creation = StructureTag(rawValue: 0x8021)
    public static let hashCheck = StructureTag(rawValue: 0x8024)

    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt16.self, "TPM_ST")
    }

    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }
}
