import AICertCore
/// A unified kernel image (UKI) and what its systemd-stub measures of it into PCR 11.
///
/// A UKI is systemd-stub with the kernel, its command line, the initrd and the OS release added
/// as PE sections.
///
/// systemd-stub measures each section it knows, in a fixed order, as two `EV_IPL` events in
/// PCR 11: the section name with its terminating NUL, then the section's contents as mapped in
/// memory (`VirtualSize` bytes). Which sections it knows depends on its release, so only the
/// releases listed in `measuredSectionsByStubRelease` are accepted.
public struct UnifiedKernelImage: Sendable {
    /// The sections systemd-stub measures, in its order, per major release of the stub.
    ///
    /// systemd 252 (Debian 12) `src/fundamental/tpm-pcr.h`: every unified section but the PCR
    /// signature `.pcrsig`. Later releases add sections (`.uname`, `.sbat`, `.ucode`, …) and are
    /// not accepted until their list is checked against a boot.
    static let measuredSectionsByStubRelease: [Int: [String]] = [
        252: [".linux", ".osrel", ".cmdline", ".initrd", ".splash", ".dtb", ".pcrpkey"]
    ]

    /// PCR 11, where systemd-stub measures the UKI's sections.
    static let sectionPCR = 11

    /// The image as a PE file.
    let pe: PEImage
    /// The stub's version from its `.sdmagic` section, e.g. `252.39-1~deb12u2`: what decides the sections measured.
    public let stubVersion: String
    private let stubRelease: Int

    /// Reads the UKI in `bytes`, whose name in errors is `name`.
    ///
    /// It throws unless it is a PE image with a systemd-stub of a supported release and no
    /// measured section twice.
    public init(bytes: [UInt8], name: String) throws {
        pe = try PEImage(bytes: bytes, name: name)
        guard let magicSection = pe.sections.first(where: { $0.name == ".sdmagic" }) else {
            throw ImageMeasureError(.unsupported, file: name, "no .sdmagic section: not a systemd-stub UKI")
        }
        let magic = String(decoding: try pe.mappedContents(of: magicSection).prefix { $0 != 0 }, as: UTF8.self)
        let prefix = "#### LoaderInfo: systemd-stub "
        guard magic.hasPrefix(prefix), magic.hasSuffix(" ####") else {
            throw ImageMeasureError(
                .unsupported, file: name,
                "the .sdmagic section does not name a systemd-stub: \(TerminalText.escaped(magic))")
        }
        stubVersion = String(magic.dropFirst(prefix.count).dropLast(" ####".count))
        guard let release = Int(stubVersion.prefix { $0.isNumber }),
            let measured = Self.measuredSectionsByStubRelease[release]
        else {
            throw ImageMeasureError(
                .unsupported, file: name,
                "systemd-stub \(TerminalText.escaped(stubVersion)): the sections this release measures "
                    + "are not known (supported: "
                    + Self.measuredSectionsByStubRelease.keys.sorted().map(String.init).joined(separator: ", ") + ")")
        }
        stubRelease = release
        // systemd-stub 252 matches a section by the first bytes of its name only (and takes the
        // last match): `.initrdX` would be measured and used as `.initrd`.
        for section in measured {
            let matching = pe.sections.filter { $0.name.hasPrefix(section) }
            if matching.count > 1 {
                let names = matching.map { TerminalText.escaped($0.name) }.joined(separator: ", ")
                throw ImageMeasureError(
                    .malformed, file: name,
                    "sections \(names) all answer to \(section): systemd-stub matches names by prefix")
            }
            if let only = matching.first, only.name != section {
                throw ImageMeasureError(
                    .malformed, file: name,
                    "section \(TerminalText.escaped(only.name)) would be taken as \(section): "
                        + "systemd-stub matches names by prefix")
            }
        }
    }

    /// The section named `name`, as mapped in memory; `nil` when the image has none.
    func section(named name: String) throws -> [UInt8]? {
        try pe.sections.first { $0.name == name }.map { try pe.mappedContents(of: $0) }
    }

    /// The events systemd-stub extends into PCR 11 for this image, in order: the image's PCR 11 reference.
    public func sectionEvents() throws -> [ReferenceEvent] {
        var events: [ReferenceEvent] = []
        for name in Self.measuredSectionsByStubRelease[stubRelease] ?? [] {
            // The stub skips a section that is absent or empty.
            guard let contents = try section(named: name), !contents.isEmpty else { continue }
            events.append(
                ReferenceEvent(
                    pcr: Self.sectionPCR, type: "EV_IPL", description: "\(name) section name",
                    measuring: Array(name.utf8) + [0]))
            events.append(
                ReferenceEvent(
                    pcr: Self.sectionPCR, type: "EV_IPL", description: "\(name) section (\(contents.count) bytes)",
                    measuring: contents))
        }
        return events
    }
}
