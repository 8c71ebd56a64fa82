/// `TPM_CC`: the command codes this library sends.
///
/// Each ``TPMCommand`` names its code; ``TPMClient`` puts it in the command header and in
/// error messages, where ``description`` gives the specification's name.
public struct CommandCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 32-bit value in the command header.
    public let rawValue: UInt32
    /// Any value, named here or not: the set is open-ended.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `TPM_CC_EvictControl`: sent by ``EvictControl``.
    public static let evictControl = CommandCode(rawValue: 0x120)
    /// `TPM_CC_NV_UndefineSpace`: sent by ``NVUndefineSpace``.
    public static let nvUndefineSpace = CommandCode(rawValue: 0x122)
    /// `TPM_CC_NV_DefineSpace`: sent by ``NVDefineSpace``.
    public static let nvDefineSpace = CommandCode(rawValue: 0x12A)
    /// `TPM_CC_CreatePrimary`: sent by ``CreatePrimary``.
    public static let createPrimary = CommandCode(rawValue: 0x131)
    /// `TPM_CC_NV_Write`: sent by ``NVWrite``.
    public static let nvWrite = CommandCode(rawValue: 0x137)
    /// `TPM_CC_Startup`: sent by ``Startup``.
    public static let startup = CommandCode(rawValue: 0x144)
    /// `TPM_CC_NV_Read`: sent by ``NVRead``.
    public static let nvRead = CommandCode(rawValue: 0x14E)
    /// `TPM_CC_Quote`: sent by ``Quote``.
    public static let quote = CommandCode(rawValue: 0x158)
    /// `TPM_CC_FlushContext`: sent by ``FlushContext``.
    public static let flushContext = CommandCode(rawValue: 0x165)
    /// `TPM_CC_NV_ReadPublic`: sent by ``NVReadPublic``.
    public static let nvReadPublic = CommandCode(rawValue: 0x169)
    /// `TPM_CC_ReadPublic`: sent by ``ReadPublic``.
    public static let readPublic = CommandCode(rawValue: 0x173)
    /// `TPM_CC_GetCapability`: sent by ``GetCapability``.
    public static let getCapability = CommandCode(rawValue: 0x17A)
    /// `TPM_CC_GetRandom`: sent by ``GetRandom``.
    public static let getRandom = CommandCode(rawValue: 0x17B)
    /// `TPM_CC_PCR_Read`: sent by ``PCRRead``.
    public static let pcrRead = CommandCode(rawValue: 0x17E)
    /// `TPM_CC_PCR_Extend`: sent by ``PCRExtend``.
    public static let pcrExtend = CommandCode(rawValue: 0x182)

    /// The command's name as the specification spells it (`TPM2_NV_DefineSpace`), or its hex value.
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
    /// The 16-bit value on the wire.
    public let rawValue: UInt16
    /// Any value, named here or not: the set is open-ended.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// `TPM_ST_NO_SESSIONS`: a command or response without an authorization area.
    public static let noSessions = StructureTag(rawValue: 0x8001)
    /// `TPM_ST_SESSIONS`: a command or response with an authorization area.
    public static let sessions = StructureTag(rawValue: 0x8002)
    /// `TPM_ST_ATTEST_NV`: an attestation of an NV index's contents.
    public static let attestNV = StructureTag(rawValue: 0x8014)
    /// `TPM_ST_ATTEST_COMMAND_AUDIT`: an attestation of the command audit digest.
    public static let attestCommandAudit = StructureTag(rawValue: 0x8015)
    /// `TPM_ST_ATTEST_SESSION_AUDIT`: an attestation of a session's audit digest.
    public static let attestSessionAudit = StructureTag(rawValue: 0x8016)
    /// `TPM_ST_ATTEST_CERTIFY`: an attestation that a key is loaded in the TPM.
    public static let attestCertify = StructureTag(rawValue: 0x8017)
    /// `TPM_ST_ATTEST_QUOTE`: a quote of PCR values, the only attestation parsed here.
    public static let attestQuote = StructureTag(rawValue: 0x8018)
    /// `TPM_ST_ATTEST_TIME`: an attestation of the TPM's clock.
    public static let attestTime = StructureTag(rawValue: 0x8019)
    /// `TPM_ST_ATTEST_CREATION`: an attestation of an object's creation data.
    public static let attestCreation = StructureTag(rawValue: 0x801A)
    /// `TPM_ST_CREATION`: the tag of a creation ticket.
    public static let creation = StructureTag(rawValue: 0x8021)
    /// `TPM_ST_HASHCHECK`: the tag of a hash-check ticket.
    public static let hashCheck = StructureTag(rawValue: 0x8024)

    /// Reads a `TPM_ST`; any value is accepted, known or not.
    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt16.self, "TPM_ST")
    }

    /// Writes the 16-bit value.
    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }
}
