/// `TPMA_OBJECT`: what an object may be used for and how it is protected.
public struct ObjectAttributes: OptionSet, Hashable, Sendable, TPMCodable {
    /// The 32-bit `TPMA_OBJECT` bits.
    public let rawValue: UInt32
    /// Any bits, including ones this library does not name.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The object cannot be duplicated: its private key never leaves this TPM.
    public static let fixedTPM = ObjectAttributes(rawValue: 1 << 1)
    /// Saved contexts of the object cannot be loaded after `TPM2_Startup(CLEAR)`.
    public static let stClear = ObjectAttributes(rawValue: 1 << 2)
    /// The object cannot be moved to another parent.
    public static let fixedParent = ObjectAttributes(rawValue: 1 << 4)
    /// The TPM generated the private key itself when it created the object.
    public static let sensitiveDataOrigin = ObjectAttributes(rawValue: 1 << 5)
    /// The user role may be authorized with the object's password or an HMAC session.
    public static let userWithAuth = ObjectAttributes(rawValue: 1 << 6)
    /// The admin role needs a policy session that satisfies `authPolicy`.
    public static let adminWithPolicy = ObjectAttributes(rawValue: 1 << 7)
    /// Failed authorizations do not count toward dictionary-attack lockout.
    public static let noDA = ObjectAttributes(rawValue: 1 << 10)
    /// Duplicating the object requires encrypting its private part.
    public static let encryptedDuplication = ObjectAttributes(rawValue: 1 << 11)
    /// The key signs or decrypts only TPM-formatted data: a restricted signer signs only
    /// what the TPM generated, which is what makes a quote trustworthy.
    public static let restricted = ObjectAttributes(rawValue: 1 << 16)
    /// The key can decrypt.
    public static let decrypt = ObjectAttributes(rawValue: 1 << 17)
    /// The key can sign.
    public static let sign = ObjectAttributes(rawValue: 1 << 18)
    /// The key may sign X.509 certificates (`TPM2_CertifyX509`).
    public static let x509Sign = ObjectAttributes(rawValue: 1 << 19)

    /// Reads a `TPMA_OBJECT`, keeping bits this library does not name.
    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt32.self, "TPMA_OBJECT")
    }

    /// Writes the 32-bit value.
    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }
}

/// `TPMA_NV`: how an NV index is written, read and authorised.
public struct NVAttributes: OptionSet, Hashable, Sendable, TPMCodable {
    /// The 32-bit `TPMA_NV` bits, the index type included.
    public let rawValue: UInt32
    /// Any bits, including ones this library does not name.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Platform authorization may write the index.
    public static let ppWrite = NVAttributes(rawValue: 1 << 0)
    /// Owner authorization may write the index.
    public static let ownerWrite = NVAttributes(rawValue: 1 << 1)
    /// The index's own password may authorize writes.
    public static let authWrite = NVAttributes(rawValue: 1 << 2)
    /// A policy session satisfying the index's `authPolicy` may authorize writes.
    public static let policyWrite = NVAttributes(rawValue: 1 << 3)
    /// Only `TPM2_NV_UndefineSpaceSpecial`, with the index's policy, may delete the index.
    public static let policyDelete = NVAttributes(rawValue: 1 << 10)
    /// Writes are locked; set by the TPM.
    public static let writeLocked = NVAttributes(rawValue: 1 << 11)
    /// A write must cover the whole index at once.
    public static let writeAll = NVAttributes(rawValue: 1 << 12)
    /// `TPM2_NV_WriteLock` locks writes for good.
    public static let writeDefine = NVAttributes(rawValue: 1 << 13)
    /// `TPM2_NV_WriteLock` locks writes until the next `TPM2_Startup(CLEAR)`.
    public static let writeSTClear = NVAttributes(rawValue: 1 << 14)
    /// `TPM2_NV_GlobalWriteLock` locks writes too.
    public static let globalLock = NVAttributes(rawValue: 1 << 15)
    /// Platform authorization may read the index.
    public static let ppRead = NVAttributes(rawValue: 1 << 16)
    /// Owner authorization may read the index.
    public static let ownerRead = NVAttributes(rawValue: 1 << 17)
    /// The index's own password may authorize reads.
    public static let authRead = NVAttributes(rawValue: 1 << 18)
    /// A policy session satisfying the index's `authPolicy` may authorize reads.
    public static let policyRead = NVAttributes(rawValue: 1 << 19)
    /// Failed authorizations do not count toward dictionary-attack lockout.
    public static let noDA = NVAttributes(rawValue: 1 << 25)
    /// The TPM may keep the index in RAM and store it only at an orderly shutdown.
    public static let orderly = NVAttributes(rawValue: 1 << 26)
    /// `TPMA_NV_WRITTEN` is cleared at every `TPM2_Startup(CLEAR)`.
    public static let clearSTClear = NVAttributes(rawValue: 1 << 27)
    /// Reads are locked; set by the TPM.
    public static let readLocked = NVAttributes(rawValue: 1 << 28)
    /// The index has been written; set by the TPM.
    public static let written = NVAttributes(rawValue: 1 << 29)
    /// The platform hierarchy defined the index, and only it may delete it.
    public static let platformCreate = NVAttributes(rawValue: 1 << 30)
    /// `TPM2_NV_ReadLock` locks reads until the next `TPM2_Startup(CLEAR)`.
    public static let readSTClear = NVAttributes(rawValue: 1 << 31)

    /// `TPM_NT` (bits 4–7): the index type; 0 is an ordinary data index.
    public var indexType: UInt8 { UInt8((rawValue >> 4) & 0xF) }

    /// Reads a `TPMA_NV`, keeping bits this library does not name.
    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt32.self, "TPMA_NV")
    }

    /// Writes the 32-bit value.
    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }
}
