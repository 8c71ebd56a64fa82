/// The data of a firmware event, decoded for the event types that a boot-state check judges.
///
/// Types with a fixed structure must hold exactly that structure, or the log is rejected;
/// strings that are not printable text, and types not listed here, stay ``undecoded``.
public enum FirmwareEventPayload: Hashable, Sendable {
    /// The Spec ID event that opens a crypto-agile log.
    case specID(SpecIDEvent)
    /// `EV_NO_ACTION` "StartupLocality": the locality that sent `TPM2_Startup`, which PCR 0 starts with.
    case startupLocality(UInt8)
    /// Another `EV_NO_ACTION` event, with its 16-byte signature when that is printable text.
    case noAction(signature: String?)
    /// `UEFI_VARIABLE_DATA` of the `EV_EFI_VARIABLE_*` types.
    case variable(UEFIVariable)
    /// `UEFI_IMAGE_LOAD_EVENT` of EFI applications and drivers.
    case imageLoad(UEFIImageLoad)
    /// `UEFI_PLATFORM_FIRMWARE_BLOB(2)`, also the 16-byte form of `EV_POST_CODE` and `EV_S_CRTM_CONTENTS`.
    case firmwareBlob(FirmwareBlob)
    /// A string: actions, `EV_IPL`, `EV_POST_CODE`, `EV_S_CRTM_VERSION`, `EV_EFI_HCRTM_EVENT`.
    case text(EventText)
    /// A GUID: `EV_S_CRTM_VERSION` when the firmware logs its version that way.
    case guid(EFIGUID)
    /// `EV_SEPARATOR`: 0 normally, 1 when the firmware reports an error.
    case separator(UInt32)
    /// `TCG_PCClientTaggedEvent` of `EV_EVENT_TAG`.
    case taggedEvent(id: UInt32, data: [UInt8])
    /// Not decoded; the bytes are in ``FirmwareEvent/data``.
    case undecoded

    private static let startupLocalitySignature: [UInt8] = Array("StartupLocality".utf8) + [0]
    private static let hcrtmData: [UInt8] = Array("HCRTM".utf8)
    /// The highest TPM locality.
    static let maximumLocality: UInt8 = 4

    /// Decodes the data of an event of `type` (other than the Spec ID event), throwing when a
    /// structured type does not hold its structure exactly.
    init(type: FirmwareEventType, data: [UInt8], record: Int) throws {
        let reader = LittleEndianReader(data, record: record)
        switch type {
        case .noAction:
            self = try Self.noAction(data, reader)
        case .efiVariableDriverConfig, .efiVariableBoot, .efiVariableBoot2, .efiVariableAuthority:
            self = .variable(try UEFIVariable(data: data, record: record))
        case .efiBootServicesApplication, .efiBootServicesDriver, .efiRuntimeServicesDriver:
            self = .imageLoad(try UEFIImageLoad(data: data, record: record))
        case .efiPlatformFirmwareBlob:
            self = .firmwareBlob(try FirmwareBlob(data: data, withDescription: false, record: record))
        case .efiPlatformFirmwareBlob2:
            self = .firmwareBlob(try FirmwareBlob(data: data, withDescription: true, record: record))
        case .postCode, .sCRTMContents:
            // Either a blob (the PC Client profile) or a string such as "ACPI DATA".
            if data.count == 16 {
                self = .firmwareBlob(try FirmwareBlob(data: data, withDescription: false, record: record))
            } else {
                self = EventText(decoding: data).map(Self.text) ?? .undecoded
            }
        case .sCRTMVersion:
            if let text = EventText(decoding: data) {
                self = .text(text)
            } else if data.count == 16 {
                self = .guid(EFIGUID(bytes: data))
            } else {
                self = .undecoded
            }
        case .action, .efiAction, .ipl:
            self = EventText(decoding: data).map(Self.text) ?? .undecoded
        case .efiHCRTMEvent:
            guard data == Self.hcrtmData else {
                throw reader.error(.invalidValue, "event", "an H-CRTM event holds the string \"HCRTM\"")
            }
            self = EventText(decoding: data).map(Self.text) ?? .undecoded
        case .separator:
            guard data.count == 4 else {
                throw reader.error(.invalidValue, "event", "a separator is 4 bytes, not \(data.count)")
            }
            var reader = reader
            self = .separator(try reader.read(UInt32.self, "event"))
        case .eventTag:
            var reader = reader
            let id = try reader.read(UInt32.self, "event.taggedEventID")
            let size = try reader.readLength(UInt32.self, "event.taggedEventDataSize")
            let tagged = try reader.readBytes(size, "event.taggedEventData")
            try reader.expectEnd("event")
            self = .taggedEvent(id: id, data: tagged)
        default:
            self = .undecoded
        }
    }

    private static func noAction(_ data: [UInt8], _ reader: LittleEndianReader) throws -> FirmwareEventPayload {
        guard data.count >= 16 else { return .noAction(signature: nil) }
        let signature = Array(data[0..<16])
        if signature == startupLocalitySignature {
            guard data.count == 17 else {
                throw reader.error(.invalidValue, "event", "a StartupLocality event is 17 bytes, not \(data.count)")
            }
            guard data[16] <= maximumLocality else {
                throw reader.error(.invalidValue, "event.startupLocality", "locality \(data[16]) does not exist")
            }
            return .startupLocality(data[16])
        }
        return .noAction(signature: EventText(decoding: signature).map(\.value))
    }
}
