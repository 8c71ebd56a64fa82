import Foundation
import TPMTestSupport
import Testing

/// The built `aicert-runner` binary, run as a user would run it.
@Suite("aicert-runner binary")
struct RunnerCLITests {
    @Test func helpDescribesTheRunner() throws {
        let result = try BuiltBinary.run("aicert-runner", ["--help"])
        #expect(result.status == 0)
        #expect(result.output.contains("USAGE: aicert-runner"))
        #expect(result.output.contains("preflight"))
    }

    @Test func preflightPassesOnAFreshTPMAndFailsAfterABuild() throws {
        let swtpm = try SoftwareTPM()
        let fresh = try BuiltBinary.run("aicert-runner", ["preflight", "--tcti", swtpm.tcti])
        #expect(fresh.status == 0, "\(fresh.output)")
        #expect(try swtpm.tpm2("tpm2_pcrextend", ["14:sha256=" + String(repeating: "ab", count: 32)]).status == 0)
        let used = try BuiltBinary.run("aicert-runner", ["preflight", "--tcti", swtpm.tcti])
        #expect(used.status == 1)
        #expect(used.output.contains("PCR 14 already extended"))
    }

    @Test func unreachableTPMIsExitThreeWithAMessage() throws {
        let result = try BuiltBinary.run("aicert-runner", ["preflight", "--tcti", "swtpm:host=127.0.0.1,port=1"])
        #expect(result.status == 3)
        #expect(result.output.contains("cannot connect to swtpm at 127.0.0.1:1"))
        let malformed = try BuiltBinary.run("aicert-runner", ["preflight", "--tcti", "mssim:port=2321"])
        #expect(malformed.status == 3)
        #expect(malformed.output.contains("unknown kind 'mssim'"))
    }

    /// `serve --expect-…` checks the boot before it listens, and a boot it does not expect is
    /// exit status 5 naming the check: here a real boot's log on a TPM it never measured into.
    @Test func serveOnABootItDoesNotExpectIsExitFiveNamingTheCheck() throws {
        let swtpm = try SoftwareTPM()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-serve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let log = directory.appendingPathComponent("eventlog.bin")
        try Data(RealBoot.eventLog).write(to: log)
        let token = directory.appendingPathComponent("token")
        try Data(String(repeating: "k", count: 32).utf8).write(to: token)
        chmod(token.path, 0o600)
        let result = try BuiltBinary.run(
            "aicert-runner",
            [
                "serve", "--tcti", swtpm.tcti, "--workspace", directory.appendingPathComponent("workspace").path,
                "--listen", "127.0.0.1:0", "--token-file", token.path, "--firmware-log", log.path,
                "--expect-secure-boot", "disabled",
            ])
        #expect(result.status == 5, "\(result.output)")
        #expect(result.output.contains("boot check firmware-log failed: PCR 0 is"), "\(result.output)")
    }
}
