import AICertClient
import AICertCore
import AICertVerify
import Foundation
import TPM2
import TPMTestSupport
import Testing

/// `boot-state` with a real firmware event log carried in the certificate: the log must explain
/// every PCR it must, the PCRs must be a known image's, and its events meet the boot rules.
@Suite(.timeLimit(.minutes(2)))
struct BootStateTests {
    /// A real firmware log (Fedora 37 with systemd-boot, from tpm2-tools' test data).
    static let fedoraLog = Result {
        try [UInt8](
            Data(
                contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                    .appendingPathComponent("AICertCoreTests/Vectors/eventlogs/event-sd-boot-fedora37.bin")))
    }

    static let image = ImageIdentity(name: "aicert", version: "20261203", ukiSHA256: String(repeating: "1d", count: 32))

    /// A certificate whose TPM replayed the log of a real boot of the base image, naming `image`.
    static let realBoot = Result {
        try SampleBuild(SampleBuild.Recipe(platform: .qemu, image: image, firmwareLog: RealBoot.eventLog))
    }

    func verify(
        _ certificate: AICertificate, ca: DevelopmentCA, policy: VerificationPolicy? = nil, known: [KnownImage] = [],
        allowUnmeasured: Bool = false
    ) async -> VerificationReport {
        await CertificateVerifier.verify(
            certificate,
            options: VerificationOptions(
                trustRoots: [ca.root], policy: policy, knownImages: known, allowUnmeasuredBoot: allowUnmeasured))
    }

    /// The quoted PCRs 0–13 as reference values: what measuring that image would give.
    func reference(of certificate: AICertificate) -> [Int: [String]] {
        Dictionary(
            uniqueKeysWithValues: (0...13).compactMap { pcr in
                certificate.pcrs["sha256"]?[String(pcr)].map { (pcr, [$0]) }
            })
    }

    func expectBootState(
        _ report: VerificationReport, _ status: CheckStatus, _ reason: CheckReason,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let boot = report.check(.bootState)
        #expect(boot?.status == status, "\(boot?.detail ?? "not run")", sourceLocation: sourceLocation)
        #expect(boot?.reason == reason, "\(boot?.detail ?? "not run")", sourceLocation: sourceLocation)
    }

    @Test func aKnownImageWhosePCRsAndLogAgreePasses() async throws {
        let sample = try Self.realBoot.get()
        let known = KnownImage(identity: Self.image, referencePCRs: reference(of: sample.certificate))
        let report = await verify(sample.certificate, ca: sample.ca, known: [known])
        #expect(report.valid, "\(report.checks)")
        expectBootState(report, .pass, .ok)
        #expect(report.verdict == "VALID")
        #expect(report.trust == .development)
        #expect(report.platform == "qemu")
    }

    @Test func anImageNoOneKnowsFailsAsUnknownAndNamesItsDigest() async throws {
        let sample = try Self.realBoot.get()
        let report = await verify(sample.certificate, ca: sample.ca)
        expectBootState(report, .fail, .unknownImage)
        #expect(report.check(.bootState)?.detail.contains(Self.image.ukiSHA256) == true)
        #expect(!report.valid)
        let accepted = await verify(sample.certificate, ca: sample.ca, allowUnmeasured: true)
        expectBootState(accepted, .skip, .unknownImage)
        #expect(accepted.verdict == "VALID, boot not measured")
    }

    @Test func aKnownImageWithAnotherPCRValueFailsTheReference() async throws {
        let sample = try Self.realBoot.get()
        var values = reference(of: sample.certificate)
        values[4] = [String(repeating: "ab", count: 32)]
        let report = await verify(
            sample.certificate, ca: sample.ca, known: [KnownImage(identity: Self.image, referencePCRs: values)])
        expectBootState(report, .fail, .referenceMismatch)
        #expect(report.check(.bootState)?.detail.contains("PCR 4") == true)
    }

    @Test func noImageAndNoPolicyFailsAsNotMeasuredUnlessTheUserAcceptsIt() async throws {
        let sample = try TamperTests.sample.get()
        let report = await verify(sample.certificate, ca: sample.ca)
        expectBootState(report, .fail, .bootNotMeasured)
        #expect(report.check(.bootState)?.detail.contains("--allow-unmeasured-boot") == true)
        #expect(report.verdict == "INVALID")
        let accepted = await verify(sample.certificate, ca: sample.ca, allowUnmeasured: true)
        expectBootState(accepted, .skip, .bootNotMeasured)
        let byPolicy = await verify(
            sample.certificate, ca: sample.ca, policy: VerificationPolicy(allowUnmeasuredBoot: true))
        expectBootState(byPolicy, .skip, .bootNotMeasured)
    }

    /// Dropping every event of one PCR from the carried log must not let the rules that read
    /// those events check nothing: the PCR is quoted non-zero, so the log fails to explain it.
    @Test(arguments: [0, 1, 2, 3, 4, 5, 6, 7, 9, 11])
    func droppingAPCRsEventsFromARealBootLogFailsAsNotReplayed(pcr: Int) async throws {
        let sample = try Self.realBoot.get()
        var certificate = sample.certificate
        certificate.firmwareEventLog = Base64Bytes(try FirmwareLogBytes.dropping(pcr: pcr, from: RealBoot.eventLog))
        let known = KnownImage(identity: Self.image, referencePCRs: reference(of: sample.certificate))
        let report = await verify(certificate, ca: sample.ca, known: [known], allowUnmeasured: true)
        expectBootState(report, .fail, .pcrNotReplayed)
        #expect(report.check(.bootState)?.detail.hasPrefix("PCR \(pcr) ") == true, "\(report.checks)")
    }

    @Test func reserializingTheRealBootLogWithNothingDroppedGivesItsBytes() throws {
        #expect(try FirmwareLogBytes.dropping(pcr: 23, from: RealBoot.eventLog) == RealBoot.eventLog)
    }

    @Test func aLogWhoseReplayDisagreesWithTheQuoteFailsAndNamesTheFirstPCR() async throws {
        let sample = try SampleBuild(
            SampleBuild.Recipe(firmwareLog: try Self.fedoraLog.get(), extendFirmwareLog: false))
        defer { sample.remove() }
        let report = await verify(sample.certificate, ca: sample.ca, allowUnmeasured: true)
        expectBootState(report, .fail, .pcrReplayMismatch)
        #expect(report.check(.bootState)?.detail.hasPrefix("PCR 0:") == true, "\(report.checks)")
    }

    @Test func aFirmwareLogThatDoesNotParseFails() async throws {
        var certificate = try Self.realBoot.get().certificate
        certificate.firmwareEventLog = Base64Bytes(Array(RealBoot.eventLog.prefix(100)))
        let report = await verify(certificate, ca: try Self.realBoot.get().ca, allowUnmeasured: true)
        expectBootState(report, .fail, .firmwareLogUnreadable)
    }

    @Test func bootRulesJudgeTheEventsOfAReplayedLog() async throws {
        let sample = try Self.realBoot.get()
        let chain = try FirmwareEventLog(bytes: RealBoot.eventLog).bootChain
        let digests = chain.applications.compactMap { $0.sha256?.hexString }
        var rules = VerificationPolicy.BootRules(
            secureBoot: chain.secureBoot == .enabled, applications: digests, commandLines: chain.kernelCommandLines,
            requireSeparators: true)
        let passing = await verify(
            sample.certificate, ca: sample.ca, policy: VerificationPolicy(bootRules: ["qemu": rules]))
        expectBootState(passing, .pass, .ok)

        rules.secureBoot = chain.secureBoot != .enabled
        let wrongSecureBoot = await verify(
            sample.certificate, ca: sample.ca, policy: VerificationPolicy(bootRules: ["qemu": rules]))
        expectBootState(wrongSecureBoot, .fail, .bootRuleViolation)
        #expect(wrongSecureBoot.check(.bootState)?.detail.contains("Secure Boot") == true)
    }

    @Test func bootRulesWithoutALogFail() async throws {
        let sample = try TamperTests.sample.get()
        let report = await verify(
            sample.certificate, ca: sample.ca, policy: VerificationPolicy(bootRules: ["local": .init(secureBoot: true)])
        )
        expectBootState(report, .fail, .firmwareLogMissing)
    }

    @Test func thePolicyIsLookedUpByTheSignedPlatformNeverTheClaimedOne() async throws {
        let sample = try TamperTests.sample.get()
        var certificate = sample.certificate
        certificate.platform = "azure"
        let pinned = VerificationPolicy(referencePCRs: ["local": [0: [String(repeating: "ab", count: 32)]]])
        let report = await verify(certificate, ca: sample.ca, policy: pinned, allowUnmeasured: true)
        expectBootState(report, .fail, .referenceMismatch)
        #expect(!report.valid)
    }
}

/// A crypto-agile firmware event log written back to bytes, less the events of one PCR.
enum FirmwareLogBytes {
    static func dropping(pcr dropped: Int, from bytes: [UInt8]) throws -> [UInt8] {
        let log = try FirmwareEventLog(bytes: bytes)
        func u32(_ value: Int) -> [UInt8] { withUnsafeBytes(of: UInt32(value).littleEndian, Array.init) }
        func u16(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.littleEndian, Array.init) }
        // The Spec ID header (a TCG_PCR_EVENT in SHA-1 format) is kept as it is.
        let headerSize =
            32 + Int(UInt32(bytes[28]) | UInt32(bytes[29]) << 8 | UInt32(bytes[30]) << 16 | UInt32(bytes[31]) << 24)
        var output = Array(bytes[0..<headerSize])
        for event in log.events where event.index > 0 && event.pcr != dropped {
            output += u32(event.pcr) + u32(Int(event.type.rawValue)) + u32(event.digests.count)
            for digest in event.digests { output += u16(digest.algorithm.rawValue) + digest.value }
            output += u32(event.data.count) + event.data
        }
        return output
    }
}
