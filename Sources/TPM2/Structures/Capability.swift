/// `TPM_CAP`: which kind of information `GetCapability` returns.
public struct Capability: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let handles = Capability(rawValue: 1)
    public static let pcrs = Capability(rawValue: 5)
    public static let tpmProperties = Capability(rawValue: 6)
}

/// `TPM_PT`: a TPM property identifier.
public struct TPMProperty: RawRepresentable, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// The first fixed property (`PT_FIXED`).
    public static let fixedStart = TPMProperty(rawValue: 0x100)
    public static let manufacturer = TPMProperty(rawValue: 0x105)
    public static let firmwareVersion1 = TPMProperty(rawValue: 0x10B)
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
public struct TaggedProperty: Hashable, Sendable {
    public var property: TPMProperty
    public var value: UInt32

    public init(property: TPMProperty, value: UInt32) {
        self.property = property
        self.value = value
    }
}

/// `TPMS_CAPABILITY_DATA` for the capabilities this library asks for.
public enum CapabilityData: Hashable, Sendable, TPMCodable {
    case handles([Handle])
    case pcrs(PCRSelectionList)
    case properties([TaggedProperty])

    public init(from reader: inout TPMReader) throws {
        let capability = Capability(rawValue: try reader.read(UInt32.self, "TPMS_CAPABILITY_DATA.capability"))
        switch capability {
        case .handles:
            let count = try reader.readCount(max: TPMLimits.handles, "TPML_HANDLE")
            var handles: [Handle] = []
            for _ in 0..<count { handles.append(try Handle(from: &reader)) }
            self = .handles(handles)
        case .pcrs:
            self = .pcrs(try PCRSelectionList(from: &reader))
        case .tpmProperties:
            let count = try reader.readCount(max: TPMLimits.properties, "TPML_TAGGED_TPM_PROPERTY")
            var properties: [TaggedProperty] = []
            for _ in 0..<count {
                let property = TPMProperty(rawValue: try reader.read(UInt32.self, "TPMS_TAGGED_PROPERTY.property"))
                let value = try reader.read(UInt32.self, "TPMS_TAGGED_PROPERTY.value")
                properties.append(TaggedProperty(property: property, value: value))
            }
            self = .properties(properties)
        default:
            throw TPM2Error.unsupported("TPMS_CAPABILITY_DATA.capability", "capability \(capability.rawValue) is not implemented")
        }
    }

    public func encode(into writer: inout TPMWriter) {
        switch self {
        case .handles(let handles):
            writer.write(Capability.handles.rawValue)
            writer.write(UInt32(handles.count))
            for handle in handles { writer.write(handle) }
        case .pcrs(let list):
            writer.write(Capability.pcrs.rawValue)
            writer.write(list)
        case .properties(let properties):
            writer.write(Capability.tpmProperties.rawValue)
            writer.write(UInt32(properties.count))
            for tagged in properties {
                writer.write(tagged.property.rawValue)
                writer.write(tagged.value)
            }
        }
    }
}
