import AICertCore
import Foundation

extension ImageReferenceValues {
    /// A policy file (docs/policy.md) with these values as the `qemu` platform's PCRs, for `aicert verify --policy`.
    ///
    /// Comments in it say where each value came from.
    public func policyYAML() -> String {
        var lines = commentLines()
        lines += ["version: 1", "platforms:", "  qemu:", "    pcrs:", "      sha256:"]
        lines += pcrs.keys.sorted().compactMap { pcr in pcrs[pcr].map { "        \(pcr): \"\($0.hex)\"" } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A policy file whose `images` list holds this image under `identity`, to register the image.
    ///
    /// It is what `aicert image measure --register` keeps in AICERT_HOME/images/, where
    /// `aicert verify` finds the image by the identity its runner event signs.
    public func imageYAML(identity: ImageIdentity) -> String {
        var lines = commentLines()
        lines += [
            "version: 1", "images:", "  - name: \(Self.quoted(identity.name))",
            "    version: \(Self.quoted(identity.version))",
            "    uki_sha256: \"\(identity.ukiSHA256)\"", "    pcrs:", "      sha256:",
        ]
        lines += pcrs.keys.sorted().compactMap { pcr in pcrs[pcr].map { "        \(pcr): \"\($0.hex)\"" } }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar of printable ASCII.
    private static func quoted(_ text: String) -> String {
        "\"" + comment(text).replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            + "\""
    }

    /// Comments that say where each value came from.
    private func commentLines() -> [String] {
        var lines = [
            "# Reference values of an AICert base image for the qemu platform, written by `aicert image measure`.",
            "# UKI: sha256 \(image.ukiFileSHA256), Authenticode \(image.ukiAuthenticode),",
            "#      systemd-stub \(Self.comment(image.stubVersion))",
            "# PCRs \(Self.list(pcrs(from: .image))): computed from the image files (docs/qemu-platform.md).",
        ]
        if let referenceBoot {
            lines.append("# PCR \(OVMFBootModel.imaPCR): IMA's boot aggregate of PCRs 0-9.")
            lines.append(
                "# PCRs \(Self.list(pcrs(from: .referenceBoot))): the firmware's, replayed from a reference boot's "
                    + "event log (sha256 \(referenceBoot.logDigest.hex)):")
            lines += referenceBoot.firmware.map { "#   " + Self.comment($0) }
            if !differingFromReferenceBoot.isEmpty {
                lines.append(
                    "# The reference boot booted another image: its PCRs "
                        + "\(Self.list(differingFromReferenceBoot)) differ from this image's.")
            }
        } else {
            lines.append(
                "# PCRs \(Self.list(OVMFBootModel.firmwarePCRs + [OVMFBootModel.imaPCR])) depend on the firmware:")
            lines.append("# not checked; give --reference-boot DIR (image/boot.sh --capture DIR) to include them.")
        }
        return lines
    }

    /// The values, their sources, the expected events and the image summary as one JSON object, for tools.
    public func jsonDocument() throws -> String {
        struct Document: Encodable {
            let image: ImageSummary
            let pcrs: [String: [String: String]]
            let sources: [String: Source]
            let events: [ReferenceEvent]
            let referenceBoot: Reference?

            private enum CodingKeys: String, CodingKey {
                case image, pcrs, sources, events, referenceBoot = "reference_boot"
            }
        }
        struct Reference: Encodable {
            let eventLogSHA256: String
            let firmware: [String]
            let differingPCRs: [Int]

            private enum CodingKeys: String, CodingKey {
                case eventLogSHA256 = "eventlog_sha256", firmware, differingPCRs = "differing_pcrs"
            }
        }
        let document = Document(
            image: image,
            pcrs: ["sha256": Dictionary(uniqueKeysWithValues: pcrs.map { (String($0.key), $0.value.hex) })],
            sources: Dictionary(uniqueKeysWithValues: sources.map { (String($0.key), $0.value) }),
            events: events,
            referenceBoot: referenceBoot.map {
                Reference(
                    eventLogSHA256: $0.logDigest.hex, firmware: $0.firmware, differingPCRs: differingFromReferenceBoot)
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(document), as: UTF8.self) + "\n"
    }

    private func pcrs(from source: Source) -> [Int] {
        sources.filter { $0.value == source }.map(\.key).sorted()
    }

    private static func list(_ pcrs: [Int]) -> String {
        pcrs.sorted().map(String.init).joined(separator: ", ")
    }

    /// `text` made safe for a YAML comment: printable ASCII only.
    private static func comment(_ text: String) -> String {
        String(text.unicodeScalars.map { (0x20...0x7E).contains($0.value) ? Character($0) : "?" })
    }
}
