import AICertCore

/// The events a boot of the base image extends into the PCRs that the image, not the firmware, determines.
///
/// The events are those OVMF (EDK2), systemd-stub 252 and Debian's Linux 6.1 make.
/// Each list, in order, is checked against a real boot's firmware event log (docs/qemu-platform.md):
///
/// - PCR 4: `EV_EFI_ACTION` "Calling EFI Application from Boot Option", `EV_SEPARATOR`, the UKI's
///   Authenticode digest, the kernel's (systemd-stub starts `.linux` with `LoadImage`).
/// - PCR 5: `EV_SEPARATOR`, `EV_EFI_GPT_EVENT` of the boot disk, `EV_EFI_ACTION` "Exit Boot Services
///   Invocation" and "… Returned with Success".
/// - PCRs 8, 12, 13: none.
/// - PCR 9: the kernel's EFI stub: `EV_EVENT_TAG` of the load options (the command line, UTF-16 with
///   its NUL), then of the initrd.
/// - PCR 10: IMA's `boot_aggregate` (the only entry without an IMA policy).
/// - PCR 11: systemd-stub: each UKI section's name and contents (``UnifiedKernelImage/sectionEvents()``).
public enum OVMFBootModel {
    /// The PCRs whose events the image alone determines.
    static let imagePCRs = [4, 5, 8, 9, 11, 12, 13]
    /// The PCRs whose events depend on the firmware build and the machine's configuration.
    static let firmwarePCRs = [0, 1, 2, 3, 6, 7]
    /// IMA's PCR, extended with a digest of PCRs 0–9.
    static let imaPCR = 10

    /// `EV_SEPARATOR` data: four zero bytes, as EDK2 measures it when no error occurred.
    static let separatorData: [UInt8] = [0, 0, 0, 0]

    /// PCR 4: the boot manager starting the UKI, which starts the kernel.
    public static func bootLoaderEvents(
        ukiAuthenticode: SHA256Hash, kernelAuthenticode: SHA256Hash
    ) -> [ReferenceEvent] {
        [
            ReferenceEvent(
                pcr: 4, type: "EV_EFI_ACTION", description: "Calling EFI Application from Boot Option",
                measuring: "Calling EFI Application from Boot Option".utf8),
            ReferenceEvent(pcr: 4, type: "EV_SEPARATOR", description: "separator", measuring: separatorData),
            ReferenceEvent(
                pcr: 4, type: "EV_EFI_BOOT_SERVICES_APPLICATION",
                description: "\\EFI\\BOOT\\BOOTX64.EFI: the UKI (Authenticode digest)", sha256: ukiAuthenticode),
            ReferenceEvent(
                pcr: 4, type: "EV_EFI_BOOT_SERVICES_APPLICATION",
                description: "the UKI's .linux kernel, loaded by systemd-stub (Authenticode digest)",
                sha256: kernelAuthenticode),
        ]
    }

    /// PCR 5: the boot disk's partition table and the end of boot services.
    public static func bootConfigurationEvents(gptEventData: [UInt8]) -> [ReferenceEvent] {
        [
            ReferenceEvent(pcr: 5, type: "EV_SEPARATOR", description: "separator", measuring: separatorData),
            ReferenceEvent(
                pcr: 5, type: "EV_EFI_GPT_EVENT", description: "the boot disk's GPT (\(gptEventData.count) bytes)",
                measuring: gptEventData),
            ReferenceEvent(
                pcr: 5, type: "EV_EFI_ACTION", description: "Exit Boot Services Invocation",
                measuring: "Exit Boot Services Invocation".utf8),
            ReferenceEvent(
                pcr: 5, type: "EV_EFI_ACTION", description: "Exit Boot Services Returned with Success",
                measuring: "Exit Boot Services Returned with Success".utf8),
        ]
    }

    /// PCR 9: what the kernel's EFI stub measures before it starts, the load options and the initrd.
    ///
    /// The load options are those systemd-stub passes: the `.cmdline` section as UTF-16LE with a
    /// terminating NUL.
    public static func kernelEvents(
        commandLine: String, initrdDigest: SHA256Hash, initrdSize: Int
    ) -> [ReferenceEvent] {
        let loadOptions = EventText.nulTerminatedUTF16LittleEndian(commandLine)
        return [
            ReferenceEvent(
                pcr: 9, type: "EV_EVENT_TAG", description: "LOADED_IMAGE::LoadOptions (the kernel command line)",
                measuring: loadOptions),
            ReferenceEvent(
                pcr: 9, type: "EV_EVENT_TAG", description: "Linux initrd (\(initrdSize) bytes)", sha256: initrdDigest),
        ]
    }

    /// PCR 10: IMA's boot aggregate, the SHA-256 of PCRs 0–9 (SHA-256 bank).
    ///
    /// It is recorded with the `ima-sig` template (Debian's default); the event digest is the
    /// SHA-256 of the template data.
    ///
    /// `pcrs` must hold PCRs 0–9; a PCR missing from it counts as zero (never extended).
    public static func imaBootAggregateEvent(pcrs: [Int: SHA256Hash]) -> ReferenceEvent {
        let zero = [UInt8](repeating: 0, count: 32)
        let aggregate = SHA256Hash.of((0...9).flatMap { pcrs[$0]?.bytes ?? zero })
        let digestField = Array("sha256:".utf8) + [0] + aggregate.bytes
        let nameField = Array("boot_aggregate".utf8) + [0]
        var templateData: [UInt8] = []
        for field in [digestField, nameField, []] {
            templateData += withUnsafeBytes(of: UInt32(field.count).littleEndian, Array.init) + field
        }
        return ReferenceEvent(
            pcr: imaPCR, type: "IMA ima-sig", description: "boot_aggregate sha256:\(aggregate.hex)",
            measuring: templateData)
    }
}
