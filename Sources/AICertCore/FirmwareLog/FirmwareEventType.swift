/// The type of a firmware event (TCG PC Client Platform Firmware Profile, "Event Types"): an
/// open-ended set, so a type this library does not know keeps its number.
public struct FirmwareEventType: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let prebootCert = FirmwareEventType(rawValue: 0x0000_0000)
    public static let postCode = FirmwareEventType(rawValue: 0x0000_0001)
    public static let unused = FirmwareEventType(rawValue: 0x0000_0002)
    public static let noAction = FirmwareEventType(rawValue: 0x0000_0003)
    public static let separator = FirmwareEventType(rawValue: 0x0000_0004)
    public static let action = FirmwareEventType(rawValue: 0x0000_0005)
    public static let eventTag = FirmwareEventType(rawValue: 0x0000_0006)
    public static let sCRTMContents = FirmwareEventType(rawValue: 0x0000_0007)
    public static let sCRTMVersion = FirmwareEventType(rawValue: 0x0000_0008)
    public static let cpuMicrocode = FirmwareEventType(rawValue: 0x0000_0009)
    public static let platformConfigFlags = FirmwareEventType(rawValue: 0x0000_000A)
    public static let tableOfDevices = FirmwareEventType(rawValue: 0x0000_000B)
    public static let compactHash = FirmwareEventType(rawValue: 0x0000_000C)
    public static let ipl = FirmwareEventType(rawValue: 0x0000_000D)
    public static let iplPartitionData = FirmwareEventType(rawValue: 0x0000_000E)
    public static let nonhostCode = FirmwareEventType(rawValue: 0x0000_000F)
    public static let nonhostConfig = FirmwareEventType(rawValue: 0x0000_0010)
    public static let nonhostInfo = FirmwareEventType(rawValue: 0x0000_0011)
    public static let omitBootDeviceEvents = FirmwareEventType(rawValue: 0x0000_0012)
    public static let efiEventBase = FirmwareEventType(rawValue: 0x8000_0000)
    public static let efiVariableDriverConfig = FirmwareEventType(rawValue: 0x8000_0001)
    public static let efiVariableBoot = FirmwareEventType(rawValue: 0x8000_0002)
    public static let efiBootServicesApplication = FirmwareEventType(rawValue: 0x8000_0003)
    public static let efiBootServicesDriver = FirmwareEventType(rawValue: 0x8000_0004)
    public static let efiRuntimeServicesDriver = FirmwareEventType(rawValue: 0x8000_0005)
    public static let efiGPTEvent = FirmwareEventType(rawValue: 0x8000_0006)
    public static let efiAction = FirmwareEventType(rawValue: 0x8000_0007)
    public static let efiPlatformFirmwareBlob = FirmwareEventType(rawValue: 0x8000_0008)
    public static let efiHandoffTables = FirmwareEventType(rawValue: 0x8000_0009)
    public static let efiPlatformFirmwareBlob2 = FirmwareEventType(rawValue: 0x8000_000A)
    public static let efiHandoffTables2 = FirmwareEventType(rawValue: 0x8000_000B)
    public static let efiVariableBoot2 = FirmwareEventType(rawValue: 0x8000_000C)
    public static let efiHCRTMEvent = FirmwareEventType(rawValue: 0x8000_0010)
    public static let efiVariableAuthority = FirmwareEventType(rawValue: 0x8000_00E0)
    public static let efiSPDMFirmwareBlob = FirmwareEventType(rawValue: 0x8000_00E1)
    public static let efiSPDMFirmwareConfig = FirmwareEventType(rawValue: 0x8000_00E2)
    public static let efiSPDMDevicePolicy = FirmwareEventType(rawValue: 0x8000_00E3)
    public static let efiSPDMDeviceAuthority = FirmwareEventType(rawValue: 0x8000_00E4)

    private static let names: [UInt32: String] = [
        0x0000_0000: "EV_PREBOOT_CERT", 0x0000_0001: "EV_POST_CODE", 0x0000_0002: "EV_UNUSED",
        0x0000_0003: "EV_NO_ACTION", 0x0000_0004: "EV_SEPARATOR", 0x0000_0005: "EV_ACTION",
        0x0000_0006: "EV_EVENT_TAG", 0x0000_0007: "EV_S_CRTM_CONTENTS", 0x0000_0008: "EV_S_CRTM_VERSION",
        0x0000_0009: "EV_CPU_MICROCODE", 0x0000_000A: "EV_PLATFORM_CONFIG_FLAGS",
        0x0000_000B: "EV_TABLE_OF_DEVICES", 0x0000_000C: "EV_COMPACT_HASH", 0x0000_000D: "EV_IPL",
        0x0000_000E: "EV_IPL_PARTITION_DATA", 0x0000_000F: "EV_NONHOST_CODE", 0x0000_0010: "EV_NONHOST_CONFIG",
        0x0000_0011: "EV_NONHOST_INFO", 0x0000_0012: "EV_OMIT_BOOT_DEVICE_EVENTS",
        0x8000_0000: "EV_EFI_EVENT_BASE", 0x8000_0001: "EV_EFI_VARIABLE_DRIVER_CONFIG",
        0x8000_0002: "EV_EFI_VARIABLE_BOOT", 0x8000_0003: "EV_EFI_BOOT_SERVICES_APPLICATION",
        0x8000_0004: "EV_EFI_BOOT_SERVICES_DRIVER", 0x8000_0005: "EV_EFI_RUNTIME_SERVICES_DRIVER",
        0x8000_0006: "EV_EFI_GPT_EVENT", 0x8000_0007: "EV_EFI_ACTION",
        0x8000_0008: "EV_EFI_PLATFORM_FIRMWARE_BLOB", 0x8000_0009: "EV_EFI_HANDOFF_TABLES",
        0x8000_000A: "EV_EFI_PLATFORM_FIRMWARE_BLOB2", 0x8000_000B: "EV_EFI_HANDOFF_TABLES2",
        0x8000_000C: "EV_EFI_VARIABLE_BOOT2", 0x8000_0010: "EV_EFI_HCRTM_EVENT",
        0x8000_00E0: "EV_EFI_VARIABLE_AUTHORITY", 0x8000_00E1: "EV_EFI_SPDM_FIRMWARE_BLOB",
        0x8000_00E2: "EV_EFI_SPDM_FIRMWARE_CONFIG", 0x8000_00E3: "EV_EFI_SPDM_DEVICE_POLICY",
        0x8000_00E4: "EV_EFI_SPDM_DEVICE_AUTHORITY",
    ]

    /// Whether this is one of the types the specification names.
    public var isKnown: Bool { Self.names[rawValue] != nil }

    /// The specification's name, e.g. `EV_EFI_VARIABLE_BOOT`, or `unknown (0x…)` for a number it
    /// does not define.
    public var name: String {
        Self.names[rawValue] ?? "unknown (0x" + String(rawValue, radix: 16, uppercase: true) + ")"
    }

    public var description: String { name }
}
