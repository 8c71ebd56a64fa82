import AICertClient
import AICertCore
import AICertVerify
import Foundation
import Testing

/// `boot-state` with a real firmware event log carried in the certificate: the log must replay
/// to the quoted PCRs, and its events are judged against the policy's boot rules.
@Suite(.timeLimit(.minutes(1)))
struct BootStateTests {
    /// A real firmware log (Fedora 37 with systemd-boot, from tpm2-tools' test data).
    static let log = Result {
        try [UInt8](
            Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("AICertCoreTests/Vectors/eventlogs/event-sd-boot-fedora37.bin")))
    }

    func verify(_ sample: SampleBuild, policy: VerificationPolicy? = nil) async -> VerificationReport {
        await CertificateVerifier.verify(sample.certificate, options: VerificationOptions(trustRoots: [sample.ca.root], policy: policy))
    }

    @Test func aLogThatReplaysToTheQuoteIsReportedButUncheckedWithoutAPolicy() async throws {
        let sample = try SampleBuild(SampleBuild.Recipe(firmwareLog: try Self.log.get()))
        defer { sample.remove() }
        let report = await verify(sample)
        #expect(report.valid, "\(report.checks)")
        let detail = report.check(.bootState)?.detail ?? ""
        #expect(report.check(.bootState)?.status == .warn)
        #expect(detail.contains("replays to quoted PCR"), "\(detail)")
        #expect(detail.contains("unchecked"))
    }

    @Test func aLogWhoseReplayDisagreesWithTheQuoteFailsAndNamesTheFirstPCR() async throws {
        let sample = try SampleBuild(SampleBuild.Recipe(firmwareLog: try Self.log.get(), extendFirmwareLog: false))
        defer { sample.remove() }
        let report = await verify(sample)
        #expect(!report.valid)
        #expect(report.check(.bootState)?.status == .fail)
        #expect(report.check(.bootState)?.detail.hasPrefix("PCR 0:") == true, "\(report.checks)")
    }

    @Test func bootRulesJudgeTheEventsOfAReplayedLog() async throws {
        let log = try Self.log.get()
        let sample = try SampleBuild(SampleBuild.Recipe(firmwareLog: log))
        defer { sample.remove() }
        let chain = try FirmwareEventLog(bytes: log).bootChain
        let digests = chain.applications.compactMap { $0.sha256.map { $0.map { String(format: "%02x", $0) }.joined() } }
        var rules = VerificationPolicy.BootRules(
            secureBoot: chain.secureBoot == .enabled, applications: digests, commandLines: chain.kernelCommandLines,
            requireSeparators: true)
        let passing = await verify(sample, policy: VerificationPolicy(bootRules: ["local": rules]))
        #expect(passing.check(.bootState)?.status == .pass, "\(passing.checks)")

        rules.applications = digests
        rules.secureBoot = chain.secureBoot != .enabled
        let wrongSecureBoot = await verify(sample, policy: VerificationPolicy(bootRules: ["local": rules]))
        #expect(wrongSecureBoot.check(.bootState)?.detail.contains("Secure Boot") == true)
    }

    @Test func bootRulesWithoutALogFail() async throws {
        let sample = try TamperTests.sample.get()
        let report = await CertificateVerifier.verify(
            sample.certificate,
            options: VerificationOptions(trustRoots: [sample.ca.root], policy: VerificationPolicy(bootRules: ["local": .init(secureBoot: true)])))
        #expect(report.check(.bootState)?.status == .fail)
        #expect(report.check(.bootState)?.detail.contains("no firmware event log") == true)
    }
}
