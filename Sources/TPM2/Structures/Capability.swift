/// `TPM_CAP`: which kind of information `GetCapability` returns.
public struct Capability: RawRepresentable, Hashable, Sendable {
    /// The 32-bit value on the wire.
    public let rawValue: UInt32
    /// Any value, named here or not: the set is open-ended.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `TPM_CAP_HANDLES`: handles of one type, from a starting handle on.
    public static let handles = Capability(rawValue: 1)
    /// `TPM_CAP_PCRS`: the PCR banks and the PCRs allocated in each.
    public static let pcrs = Capability(rawValue: 5)
    /// `TPM_CAP_TPM_PROPERTIES`: properties, from a starting property on.
    public static let tpmProperties = Capability(rawValue: 6)
}

/// `TPM_PT`: a TPM property identifier.
public struct TPMProperty: RawRepresentable, Hashable, Sendable {
    /// The 32-bit value on the wire.
    public let rawValue: UInt32
    /// Any value, named here or not: the set is open-ended.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The first fixed property (`PT_FIXED`).
    public static let fixedStart = TPMProperty(rawValue: 0x100)
    /// `TPM_PT_MANUFACTURER`: the vendor's four-letter code, as ASCII bytes.
    public static let manufacturer = TPMProperty(rawValue: 0x105)
    /// `TPM_PT_FIRMWARE_VERSION_1`: the high 32 bits of the firmware version.
    public static let firmwareVersion1 = TPMProperty(rawValue: 0x10B)
    /// `TPM_PT_FIRMWARE_VERSION_2`: the low 32 bits of the firmware version.
    public static let firmwareVersion2 = TPMProperty(rawValue: 0x10C)
    /// `TPM_PT_PCR_COUNT`: how many PCRs the TPM has.
    public static let pcrCount = TPMProperty(rawValue: 0x112)
    /// `TPM_PT_NV_INDEX_MAX`: the largest NV index the TPM can define.
    public static let nvIndexMax = TPMProperty(rawValue: 0x117)
    /// `TPM_PT_NV_BUFFER_MAX`: the most bytes one NV_Read or NV_Write moves.
    public static let nvBufferMax = TPMProperty(rawValue: 0x12C)
    /// `TPM_PT_MAX_DIGEST`: the largest digest the TPM produces.
    public static let maxDigest = TPMProperty(rawValue: 0x120)
}

/// `TPMS_TAGGED_PROPERTY`: one property and its value.
public struct TaggedProperty: Hashable, Sendable, TPMCodable {
    /// Which property this is.
    public var property: TPMProperty
    /// The property's value.
    public var value: UInt32

    /// Pairs a property with its value.
    public init(property: TPMProperty, value: UInt32) {
        self.property = property
        self.value = value
    }

    /// Reads the property, then its value.
    public init(from reader: inout TPMReader) throws {
        property = TPMProperty(rawValue: try reader.read(UInt32.self, "TPMS_TAGGED_PROPERTY.property"))
        value = try reader.read(UInt32.self, "TPMS_TAGGED_PROPERTY.value")
    }

    /// Writes the property, then its value.
    public func encode(into writer: inout TPMWriter) {
        writer.write(property.rawValue)
        writer.write(value)
    }
}

/// `TPMS_CAPABILITY_DATA` for the capabilities this library asks for.
public enum CapabilityData: Hashable, Sendable, TPMCodable {
    /// `TPML_HANDLE`: handles of the requested type.
    case handles([Handle])
    /// `TPML_PCR_SELECTION`: the banks and the PCRs allocated in each.
    case pcrs(PCRSelectionList)
    /// `TPML_TAGGED_TPM_PROPERTY`: properties and their values.
    case properties([TaggedProperty])

    /// Reads the capability and its list, bounding the count; other capabilities are
    /// ``TPM2Error/Code/unsupported``.
    public init(from reader: inout TPMReader) throws {
        let capability = Capability(rawValue: try reader.read(UInt32.self, "TPMS_CAPABILITY_DATA.capability"))
        switch capability {
        case .handles:
            self = .handles(try reader.readList(of: Handle.self, max: TPMLimits.handles, "TPML_HANDLE"))
        case .pcrs:
            self = .pcrs(try PCRSelectionList(from: &reader))
        case .tpmProperties:
            self = .properties(
                try reader.readList(of: TaggedProperty.self, max: TPMLimits.properties, "TPML_TAGGED_TPM_PROPERTY"))
        default:
            throw TPM2Error.unsupported(
                "TPMS_CAPABILITY_DATA.capability", "capability \(capability.rawValue) is not implemented")
        }
    }

    /// Writes the capability, then its list.
    public func encode(into writer: inout TPMWriter) {
        switch self {
        case .handles(let handles):
            writer.write(Capability.handles.rawValue)
            writer.writeList(handles)
        case .pcrs(let list):
            writer.write(Capability.pcrs.rawValue)
            writer.write(list)
        case .properties(let properties):
            writer.write(Capability.tpmProperties.rawValue)
            writer.writeList(properties)
        }
    }
}
