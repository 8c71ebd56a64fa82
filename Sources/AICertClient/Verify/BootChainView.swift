import AICertCore
import Foundation

/// The boot chain a certificate's firmware event log describes, as `aicert inspect` shows it:
/// a few readable lines, or JSON.
struct BootChainView: Encodable {
    struct Application: Encodable {
        var pcr: Int
        var path: String?
        var sha256: String?
    }

    var events: Int
    var firmwareVersion: String?
    var secureBoot: String
    var signatureCounts: [String: Int]
    var applications: [Application]
    var commandLines: [String]

    enum CodingKeys: String, CodingKey {
        case events, applications
        case firmwareVersion = "firmware_version"
        case secureBoot = "secure_boot"
        case signatureCounts = "signature_counts"
        case commandLines = "command_lines"
    }

    init(log: FirmwareEventLog) {
        let chain = BootChain(log: log)
        events = log.events.count
        firmwareVersion = chain.firmwareVersion
        secureBoot = chain.secureBoot.rawValue
        signatureCounts = chain.signatureCounts
        applications = chain.applications.map {
            Application(pcr: $0.pcr, path: $0.filePath, sha256: $0.sha256?.hexString)
        }
        commandLines = chain.kernelCommandLines
    }

    /// The lines `inspect` prints under a `boot:` heading, to be escaped when printed (see
    /// ``TerminalText``): event data comes from the log and is not all covered by its digests.
    var lines: [String] {
        var lines = ["boot:      firmware event log of \(events) events (what it claims; `aicert verify` replays it)"]
        if let firmwareVersion { lines.append("  firmware      \(firmwareVersion)") }
        let counts = ["PK", "KEK", "db", "dbx"].compactMap { name in signatureCounts[name].map { "\(name) \($0)" } }
        lines.append(
            "  secure boot   \(secureBoot)" + (counts.isEmpty ? "" : " (\(counts.joined(separator: ", ")) signatures)"))
        for application in applications {
            let digest = application.sha256.map { "sha256 \($0)" } ?? "no SHA-256 digest"
            lines.append("  application   PCR \(application.pcr) \(application.path ?? "(no file path)")  \(digest)")
        }
        for line in commandLines { lines.append("  command line  \(line)") }
        return lines
    }
}
