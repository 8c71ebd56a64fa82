import Foundation
import Testing

/// `aicert export` run as a user runs it, on the committed fixtures.
@Suite(.timeLimit(.minutes(3)))
struct ExportCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("AICertVerifyTests/Fixtures")

    func fixture(_ name: String) -> String { Self.fixtures.appendingPathComponent(name).path }

    @Test(arguments: ["slsa", "cyclonedx", "model-signing"])
    func aValidCertificateExportsTheCommittedBytes(format: String) throws {
        let result = try runAICert([
            "export", fixture("certificate.json"), "--format", format, "--trust-root", fixture("root.pem"),
            "--allow-unmeasured-boot", "--artifact", fixture("artifacts/outputs"),
        ])
        #expect(result.status == 0, "\(result.errors)")
        let expected = try String(
            contentsOf: Self.fixtures.appendingPathComponent("exports/\(format).json"), encoding: .utf8)
        #expect(result.output == expected)
    }

    @Test func outputGoesToTheFileNamedByDashO() throws {
        let directory = try TemporaryDirectory()
        let target = directory.url.appendingPathComponent("provenance.json")
        let result = try runAICert([
            "export", fixture("certificate.json"), "--format", "slsa", "-o", target.path, "--trust-root",
            fixture("root.pem"), "--allow-unmeasured-boot",
        ])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.isEmpty)
        #expect(
            try Data(contentsOf: target) == Data(contentsOf: Self.fixtures.appendingPathComponent("exports/slsa.json")))
    }

    @Test(arguments: ["slsa", "cyclonedx", "model-signing"])
    func aTamperedCertificateExportsNothingAndExitsOneNamingTheFailedCheck(format: String) throws {
        let result = try runAICert([
            "export", fixture("tamper/pcr-value.json"), "--format", format, "--trust-root", fixture("root.pem"),
            "--allow-unmeasured-boot",
        ])
        #expect(result.status == 1)
        #expect(result.output.isEmpty)
        #expect(result.errors.contains("quote-content (pcr-digest-mismatch) failed"), "\(result.errors)")
    }

    @Test func anEnvelopeAroundABOMIsAUsageError() throws {
        let result = try runAICert([
            "export", fixture("certificate.json"), "--format", "cyclonedx", "--envelope", fixture("root.pem"),
        ])
        #expect(result.status == 2)
        #expect(result.errors.contains("in-toto statement"), "\(result.errors)")
    }

    @Test func exportSharesTheOptionsOfVerify() throws {
        let help = try runAICert(["export", "--help"])
        for option in ["--trust-root", "--tsa-root", "--policy", "--artifact", "--at", "--allow-unmeasured-boot"] {
            #expect(help.output.contains(option), "\(option)")
        }
    }
}
