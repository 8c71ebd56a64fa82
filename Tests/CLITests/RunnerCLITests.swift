import Foundation
import Testing
import TPMTestSupport

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
}
