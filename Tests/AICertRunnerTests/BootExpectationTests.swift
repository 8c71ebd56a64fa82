import AICertClient
import AICertCore
import AICertRunner
import Crypto
import Foundation
import TPM2
import TPMTestSupport
import Testing

/// The runner's own boot checks (defence in depth for the base image), against the firmware event
/// log of a real boot of the base image replayed into a software TPM.
@Suite("The runner's boot expectation")
struct BootExpectationTests {
    /// The base image's: Secure Boot off in the OVMF build it boots with, the root on dm-verity.
    static let baseImage = BootExpectation(secureBoot: .disabled, verityRoot: true)

    /// `dmsetup table` of the root device the initrd maps from `RealBoot.commandLine`.
    static let verityTable =
        "0 801736 verity 1 254:2 254:3 4096 4096 100217 0 sha256 "
        + "88926c763402d1b1648e9970b31a52fede165188801d2341b58011c95b76a7a0 "
        + "26cf441ca4f1e14de3da65a2a4d06e5948db1ecb3e98a89e24cafce161d7545d 1 panic_on_corruption\n"

    /// A software TPM whose PCRs 0–9 hold what the real boot's firmware measured, or nothing;
    /// `loadOptions` extends PCR 12 as systemd-stub does for options a boot loader passes.
    static func withBootedTPM<T>(
        replaying: Bool = true, loadOptions: [UInt8]? = nil, _ body: (SoftwareTPM, [Int: [UInt8]]) throws -> T
    ) throws -> T {
        let swtpm = try SoftwareTPM()
        defer { swtpm.stop() }
        return try swtpm.withClient { client in
            if replaying {
                for event in try FirmwareEventLog(bytes: RealBoot.eventLog).events where event.isExtended {
                    if let digest = event.digest(for: .sha256) { try client.extendPCR(event.pcr, digest: digest) }
                }
            }
            if let loadOptions {
                try client.extendPCR(BootEvidence.loadOptionsPCR, digest: [UInt8](SHA256.hash(data: loadOptions)))
            }
            return try body(
                swtpm, try client.readPCRs(BootEvidence.firmwarePCRs + [BootEvidence.loadOptionsPCR], bank: .sha256))
        }
    }

    static func evidence(
        pcrs: [Int: [UInt8]], log: [UInt8]? = RealBoot.eventLog, commandLine: String = RealBoot.commandLine,
        rootTable: String? = verityTable
    ) -> BootEvidence {
        BootEvidence(
            firmwareLog: log, firmwareLogPath: "eventlog.bin", pcrs: pcrs, commandLine: commandLine,
            rootTable: rootTable)
    }

    static func refusal(_ evidence: BootEvidence, expecting expectation: BootExpectation = baseImage) -> BootRefusal? {
        do {
            try expectation.check(evidence)
            return nil
        } catch {
            return error
        }
    }

    @Test func theBaseImagesOwnBootPasses() throws {
        try Self.withBootedTPM { _, pcrs in
            #expect(Self.refusal(Self.evidence(pcrs: pcrs)) == nil)
        }
    }

    @Test func aLogThatDoesNotReplayToTheTPMIsRefusedNamingThePCR() throws {
        try Self.withBootedTPM(replaying: false) { _, pcrs in
            let refusal = Self.refusal(Self.evidence(pcrs: pcrs))
            #expect(refusal?.check == .firmwareLog)
            #expect(refusal?.reason.contains("PCR 0 is 0000") == true, "\(String(describing: refusal))")
        }
    }

    @Test func aMissingLogIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            let refusal = Self.refusal(Self.evidence(pcrs: pcrs, log: nil))
            #expect(refusal?.check == .firmwareLog)
            #expect(refusal?.reason.contains("no firmware event log at eventlog.bin") == true)
        }
    }

    @Test func aSecureBootStateOtherThanExpectedIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            let refusal = Self.refusal(Self.evidence(pcrs: pcrs), expecting: BootExpectation(secureBoot: .enabled))
            #expect(refusal?.check == .secureBoot)
            #expect(refusal?.reason.contains("shows Secure Boot disabled; this runner expects it enabled") == true)
        }
    }

    /// The Secure Boot state is read from event data that replay does not cover: a log whose
    /// SecureBoot event says 1 under the digest of 0 still replays, and is refused.
    @Test func secureBootDataItsDigestDoesNotCoverIsRefused() throws {
        var forged = RealBoot.eventLog
        // The name is logged without its NUL.
        let name = Array(EventText.nulTerminatedUTF16LittleEndian("SecureBoot").dropLast(2))
        let at = try #require(forged.indices.first { forged[$0...].starts(with: name) })
        #expect(forged[at + name.count] == 0)
        forged[at + name.count] = 1
        #expect(try FirmwareEventLog(bytes: forged).bootChain.secureBoot == .enabled)
        try Self.withBootedTPM { _, pcrs in
            for expected in [BootChain.SecureBootState.enabled, .disabled] {
                let refusal = Self.refusal(
                    Self.evidence(pcrs: pcrs, log: forged), expecting: BootExpectation(secureBoot: expected))
                #expect(refusal?.check == .secureBoot)
                #expect(
                    refusal?.reason.contains("carries data its digest does not cover") == true,
                    "\(String(describing: refusal))")
            }
        }
    }

    /// A kernel command line the log never measured (as if the host's edit went unrecorded).
    @Test func aCommandLineTheLogDidNotMeasureIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            let other = RealBoot.commandLine.replacingOccurrences(of: "panic=-1", with: "panic=-2")
            let refusal = Self.refusal(Self.evidence(pcrs: pcrs, commandLine: other))
            #expect(refusal?.check == .commandLine)
            #expect(refusal?.reason.contains("not one the firmware event log extended into PCR 9") == true)
        }
    }

    /// With Secure Boot off, systemd-stub takes load options a boot loader passes instead of the
    /// UKI's command line and measures them into PCR 12; the kernel then measures them into PCR 9
    /// as usual. A runner booted that way refuses, even with its own command line measured.
    @Test func loadOptionsPassedByABootLoaderAreRefused() throws {
        let options = Array((RealBoot.commandLine + " systemd.debug_shell").utf8)
        try Self.withBootedTPM(loadOptions: options) { _, pcrs in
            let refusal = Self.refusal(Self.evidence(pcrs: pcrs))
            #expect(refusal?.check == .commandLine)
            #expect(refusal?.reason.contains("PCR 12 is not zero") == true, "\(String(describing: refusal))")
        }
    }

    @Test func aRootWithAnotherRootHashIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            let table = Self.verityTable.replacingOccurrences(of: "88926c76", with: "88926c77")
            let refusal = Self.refusal(Self.evidence(pcrs: pcrs, rootTable: table))
            #expect(refusal?.check == .verityRoot)
            #expect(refusal?.reason.contains("root hash 88926c77") == true, "\(String(describing: refusal))")
        }
    }

    @Test func aRootWithAnotherSaltOrSizeIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            let salt = Self.verityTable.replacingOccurrences(of: "26cf441c", with: "26cf441d")
            #expect(Self.refusal(Self.evidence(pcrs: pcrs, rootTable: salt))?.check == .verityRoot)
            let size = Self.verityTable.replacingOccurrences(of: " 100217 ", with: " 100216 ")
            #expect(Self.refusal(Self.evidence(pcrs: pcrs, rootTable: size))?.check == .verityRoot)
        }
    }

    /// `ignore_corruption` (or no option) would serve changed blocks of the genuine root.
    @Test func aVerityRootThatDoesNotPanicOnCorruptionIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            for options in [
                "1 ignore_corruption", "1 restart_on_corruption", "0", "2 panic_on_corruption check_at_most_once",
            ] {
                let table = Self.verityTable.replacingOccurrences(of: "1 panic_on_corruption", with: options)
                let refusal = Self.refusal(Self.evidence(pcrs: pcrs, rootTable: table))
                #expect(refusal?.check == .verityRoot)
                #expect(
                    refusal?.reason.contains("verity options are '\(options)'") == true,
                    "\(String(describing: refusal))")
            }
        }
    }

    @Test func aRootThatIsNotVerityIsRefused() throws {
        try Self.withBootedTPM { _, pcrs in
            let linear = Self.refusal(Self.evidence(pcrs: pcrs, rootTable: "0 801736 linear 254:2 0\n"))
            #expect(linear?.check == .verityRoot)
            #expect(linear?.reason.contains("linear target, not verity") == true)
            let plain = Self.refusal(Self.evidence(pcrs: pcrs, rootTable: nil))
            #expect(plain?.reason.contains("not on a device-mapper device") == true)
            let stacked = Self.refusal(Self.evidence(pcrs: pcrs, rootTable: Self.verityTable + "801736 8 zero\n"))
            #expect(stacked?.reason.contains("2 device-mapper targets") == true)
        }
    }

    /// `serve` with an expectation checks before it listens: a runner on a TPM the logged boot
    /// did not measure into never opens.
    @Test func aRunnerOnABootItDoesNotExpectNeverOpens() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-boot-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("eventlog.bin")
        try Data(RealBoot.eventLog).write(to: log)
        let swtpm = try SoftwareTPM()
        defer { swtpm.stop() }
        let ca = try DevelopmentCA()
        _ = try swtpm.withClient { try VirtualTPMLayout.provision($0, ca: ca) }
        var configuration = try LiveRunner.configuration(
            swtpm: swtpm, ca: ca, directory: directory, token: String(repeating: "t", count: 32))
        configuration.firmwareLog = log.path
        configuration.bootExpectation = BootExpectation(secureBoot: .disabled)
        let refusal = await #expect(throws: BootRefusal.self) { _ = try await RunnerServer.open(configuration) }
        #expect(refusal?.check == .firmwareLog)
        #expect(refusal?.description.contains("does not serve builds on this boot") == true)
    }
}
