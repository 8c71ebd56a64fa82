import Foundation
import Testing

/// `aicert eventlog` run as a user runs it, on the firmware event logs the library tests carry.
@Suite(.timeLimit(.minutes(3)))
struct EventLogCommandTests {
    /// A systemd-boot Fedora 37 log (tpm2-tools' fixture); its PCR values below are those
    /// `tpm2_eventlog` prints for it.
    static let sdBootLog = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AICertCoreTests/Vectors/eventlogs/event-sd-boot-fedora37.bin")
    static let pcr0 = "464a812afa3f88d8a5f1fe7e71df41951435ebd05edb742db8c2c0d67d62c0d1"
    static let pcr12 = "73b2090e3e72430531e7bc7d63e88826891ef4e04d6c1e250dc5c52db24f2f48"

    @Test func textListingHasALinePerEventThenTheReplayedPCRs() throws {
        let result = try runAICert(["eventlog", Self.sdBootLog.path])
        #expect(result.status == 0)
        #expect(result.errors.isEmpty)
        let lines = result.output.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // 28 events, the bank's name, 10 PCRs, and the empty string after the last newline.
        #expect(lines.count == 28 + 1 + 10 + 1)
        #expect(lines[0] == "   0 PCR  0  EV_NO_ACTION                      -                 Spec ID Event03: sha256")
        #expect(lines[4].hasPrefix("   4 PCR  7  EV_EFI_VARIABLE_DRIVER_CONFIG     ce9ce386b52e099f  SecureBoot"))
        let commandLine = #"" console=ttyS0 console=tty0 efi=debug ""#
        #expect(lines[23] == "  23 PCR 12  EV_IPL                            62cc3c5f754ef871  " + commandLine)
        #expect(lines[28] == "sha256:")
        #expect(lines[29] == "  PCR  0  \(Self.pcr0)")
        #expect(lines[38] == "  PCR 12  \(Self.pcr12)")
    }

    @Test func jsonHasSortedKeysTheEventsAndTheReplayedPCRs() throws {
        let result = try runAICert(["eventlog", "--json", Self.sdBootLog.path])
        #expect(result.status == 0)
        let specID = #"{"events":[{"details":{"algorithms":[{"algorithm":"sha256","digest_size":32}]"#
        #expect(result.output.hasPrefix(specID))
        #expect(result.output.hasSuffix("}\n"))

        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any])
        #expect(Set(document.keys) == ["events", "pcrs"])
        let pcrs = try #require(document["pcrs"] as? [String: [String: String]])
        #expect(Set(pcrs.keys) == ["sha256"])
        #expect(pcrs["sha256"]?.count == 10)
        #expect(pcrs["sha256"]?["0"] == Self.pcr0)
        #expect(pcrs["sha256"]?["12"] == Self.pcr12)

        let events = try #require(document["events"] as? [[String: Any]])
        #expect(events.count == 28)
        let variable = try #require(events[4]["details"] as? [String: Any])
        #expect(variable["kind"] as? String == "variable")
        #expect(variable["name"] as? String == "SecureBoot")
        #expect(events[4]["type"] as? String == "EV_EFI_VARIABLE_DRIVER_CONFIG")
        #expect(events[4]["pcr"] as? Int == 7)
        #expect(events[4]["index"] as? Int == 4)
        let digests = try #require(events[1]["digests"] as? [String: String])
        #expect(digests == ["sha256": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"])
        let commandLine = try #require(events[23]["details"] as? [String: Any])
        #expect(commandLine["text"] as? String == " console=ttyS0 console=tty0 efi=debug ")
        #expect(commandLine["encoding"] as? String == "UTF-16LE")
    }

    @Test func truncatedLogExitsWith2NamingTheRecordAndField() throws {
        let directory = try TemporaryDirectory()
        let bytes = try Data(contentsOf: Self.sdBootLog)
        let truncated = directory.url.appendingPathComponent("truncated.bin")
        try bytes.prefix(bytes.count - 10).write(to: truncated)
        let result = try runAICert(["eventlog", truncated.path])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.errors.contains(truncated.path))
        #expect(result.errors.contains("record 27, eventSize"))
        #expect(result.errors.split(separator: "\n").count == 1)
    }

    @Test func unreadableFileAndMissingArgumentExitWith2() throws {
        let directory = try TemporaryDirectory()
        let missing = directory.url.appendingPathComponent("missing.bin").path
        let result = try runAICert(["eventlog", missing])
        #expect(result.status == 2)
        #expect(result.output.isEmpty)
        #expect(result.errors.contains("cannot read \(missing)"))

        let usage = try runAICert(["eventlog"])
        #expect(usage.status == 2)
        #expect(usage.errors.contains("Usage: aicert eventlog"))
    }
}
