import TPM2

/// What a firmware event log says booted: firmware version, Secure Boot state, the EFI
/// applications run, the kernel command lines, and the separators that close each PCR.
///
/// A summary for people and policies, read from event data that the log's digests do not all
/// cover: trust it only once the log has replayed to quoted PCR values.
public struct BootChain: Hashable, Sendable {
    /// The state the `SecureBoot` variable measured into PCR 7 shows.
    public enum SecureBootState: String, Hashable, Sendable {
        /// `SecureBoot` is 1.
        case enabled
        /// `SecureBoot` is 0, or absent (measured with no data).
        case disabled
        /// Not measured, measured more than once with different values, or not 0 or 1.
        case unknown
    }

    /// An EFI application (`EV_EFI_BOOT_SERVICES_APPLICATION`): boot loader, shim, kernel.
    public struct Application: Hashable, Sendable {
        /// The index of its event in the log.
        public let eventIndex: Int
        public let pcr: Int
        /// The file its device path names, e.g. `\EFI\BOOT\BOOTX64.EFI`; `nil` when it names none.
        public let filePath: String?
        /// The SHA-256 Authenticode digest the firmware measured; `nil` in a log without that bank.
        public let sha256: [UInt8]?
    }

    /// The S-CRTM version (`EV_S_CRTM_VERSION`) as text, or as a GUID when logged as one.
    public let firmwareVersion: String?
    public let secureBoot: SecureBootState
    /// The number of signatures in each of `PK`, `KEK`, `db` and `dbx` as measured into PCR 7;
    /// a variable whose signature lists do not parse is left out.
    public let signatureCounts: [String: Int]
    public let applications: [Application]
    /// Kernel command lines: GRUB's `kernel_cmdline:` strings in PCR 8, and the UTF-16 strings
    /// that systemd-boot and systemd-stub log in PCR 8 or 12.
    public let kernelCommandLines: [String]
    /// For each PCR, the values of its `EV_SEPARATOR` events in order (0 normal, 1 error).
    public let separators: [Int: [UInt32]]

    private static let grubCommandLinePrefix = "kernel_cmdline: "

    public init(log: FirmwareEventLog) {
        var firmwareVersion: String?
        var secureBootValues: Set<[UInt8]> = []
        var signatureCounts: [String: Int] = [:]
        var applications: [Application] = []
        var commandLines: [String] = []
        var separators: [Int: [UInt32]] = [:]
        for event in log.events {
            switch (event.type, event.payload) {
            case (.sCRTMVersion, .text(let text)) where firmwareVersion == nil && !text.value.isEmpty:
                firmwareVersion = text.value
            case (.sCRTMVersion, .guid(let guid)) where firmwareVersion == nil:
                firmwareVersion = guid.description
            case (.efiVariableDriverConfig, .variable(let variable)) where event.pcr == 7:
                if variable.vendor == .globalVariable && variable.name == "SecureBoot" {
                    secureBootValues.insert(variable.data)
                }
                if BootChain.isSignatureDatabase(variable), let count = BootChain.signatureCount(variable.data) {
                    signatureCounts[variable.name] = count
                }
            case (.efiBootServicesApplication, .imageLoad(let image)):
                applications.append(
                    Application(
                        eventIndex: event.index, pcr: event.pcr, filePath: image.filePath,
                        sha256: event.digest(for: .sha256)))
            case (.ipl, .text(let text)):
                if event.pcr == 8 && text.encoding == .utf8 && text.value.hasPrefix(BootChain.grubCommandLinePrefix) {
                    commandLines.append(String(text.value.dropFirst(BootChain.grubCommandLinePrefix.count)))
                } else if (event.pcr == 8 || event.pcr == 12) && text.encoding == .utf16LittleEndian {
                    commandLines.append(text.value)
                }
            case (.separator, .separator(let value)):
                separators[event.pcr, default: []].append(value)
            default:
                break
            }
        }
        self.firmwareVersion = firmwareVersion
        self.secureBoot = BootChain.secureBootState(secureBootValues)
        self.signatureCounts = signatureCounts
        self.applications = applications
        self.kernelCommandLines = commandLines
        self.separators = separators
    }

    private static func secureBootState(_ values: Set<[UInt8]>) -> SecureBootState {
        guard values.count == 1, let value = values.first else { return .unknown }
        switch value {
        case [], [0]: return .disabled
        case [1]: return .enabled
        default: return .unknown
        }
    }

    private static func isSignatureDatabase(_ variable: UEFIVariable) -> Bool {
        switch variable.name {
        case "PK", "KEK": variable.vendor == .globalVariable
        case "db", "dbx": variable.vendor == .imageSecurityDatabase
        default: false
        }
    }

    /// The number of signatures in a sequence of `EFI_SIGNATURE_LIST`s, or `nil` when it does not parse.
    private static func signatureCount(_ data: [UInt8]) -> Int? {
        let listHeaderSize = 28
        let ownerSize = 16
        var reader = LittleEndianReader(data, record: nil)
        var count = 0
        do {
            while !reader.isAtEnd {
                try reader.skip(16, "signatureType")
                let listSize = Int(try reader.read(UInt32.self, "signatureListSize"))
                let headerSize = Int(try reader.read(UInt32.self, "signatureHeaderSize"))
                let signatureSize = Int(try reader.read(UInt32.self, "signatureSize"))
                guard listSize >= listHeaderSize + headerSize, signatureSize >= ownerSize else { return nil }
                let signaturesSize = listSize - listHeaderSize - headerSize
                guard signaturesSize % signatureSize == 0 else { return nil }
                try reader.skip(listSize - listHeaderSize, "signatures")
                count += signaturesSize / signatureSize
            }
        } catch {
            return nil
        }
        return count
    }
}
