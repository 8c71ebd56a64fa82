/// `TPM_HANDLE`: a 32-bit reference to a TPM entity (hierarchy, PCR, NV index, object, session).
public struct Handle: RawRepresentable, Hashable, Sendable, TPMCodable, CustomStringConvertible {
    /// The 32-bit value; its first byte is the handle type (``kind``).
    public let rawValue: UInt32
    /// Any handle, named here or not.
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// Any handle, without the label: `Handle(0x8100_0003)`.
    public init(_ rawValue: UInt32) { self.rawValue = rawValue }

    /// `TPM_RH_OWNER`: the storage hierarchy, which authorizes NV indices and persistence.
    public static let owner = Handle(0x4000_0001)
    /// `TPM_RH_NULL`: no hierarchy; keys under it vanish at every reset.
    public static let null = Handle(0x4000_0007)
    /// The password authorization session (`TPM_RS_PW`).
    public static let passwordSession = Handle(0x4000_0009)
    /// `TPM_RH_LOCKOUT`: the authority over dictionary-attack lockout.
    public static let lockout = Handle(0x4000_000A)
    /// `TPM_RH_ENDORSEMENT`: the hierarchy of the EK and, in AICert, the AK.
    public static let endorsement = Handle(0x4000_000B)
    /// `TPM_RH_PLATFORM`: the platform firmware's hierarchy.
    public static let platform = Handle(0x4000_000C)

    /// The handle of PCR `index`.
    public static func pcr(_ index: Int) -> Handle { Handle(UInt32(index)) }

    /// The first byte of the handle says what it refers to (`TPM_HT`).
    public var kind: UInt8 { UInt8(rawValue >> 24) }
    /// Whether this is an NV index (`TPM_HT_NV_INDEX`, `0x01`).
    public var isNVIndex: Bool { kind == 0x01 }
    /// Whether this is a persistent object (`TPM_HT_PERSISTENT`, `0x81`).
    public var isPersistent: Bool { kind == 0x81 }
    /// Whether this is a transient object (`TPM_HT_TRANSIENT`, `0x80`).
    public var isTransient: Bool { kind == 0x80 }

    /// Reads a `TPM_HANDLE`.
    public init(from reader: inout TPMReader) throws {
        rawValue = try reader.read(UInt32.self, "TPM_HANDLE")
    }

    /// Writes the 32-bit value.
    public func encode(into writer: inout TPMWriter) { writer.write(rawValue) }

    /// Hex, as tpm2-tools prints handles: `0x81000003`.
    public var description: String { "0x" + String(rawValue, radix: 16, uppercase: true) }
}

/// Well-known locations of the platform's keys and certificates.
extension Handle {
    /// Where Azure (and our local platform) persist the attestation key.
    public static let attestationKey = Handle(0x8100_0003)
    /// NV index of the AK certificate on Azure vTPMs (and our local platform).
    public static let attestationKeyCertificateNV = Handle(0x01C1_01D0)
    /// TCG NV index of the RSA 2048 EK certificate.
    public static let rsaEKCertificateNV = Handle(0x01C0_0002)
    /// TCG NV index of the ECC NIST P-256 EK certificate.
    public static let eccP256EKCertificateNV = Handle(0x01C0_000A)
    /// TCG NV index of the ECC NIST P-384 EK certificate (high range).
    public static let eccP384EKCertificateNV = Handle(0x01C0_0016)
}
