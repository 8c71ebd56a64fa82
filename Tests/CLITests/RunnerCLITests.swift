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

/// Finds and runs the binaries this package builds.
enum BuiltBinary {
    /// The products directory: next to the test bundle, whatever the build path.
    static func path(_ name: String) throws -> String {
        if let override = ProcessInfo.processInfo.environment["AICERT_BIN_DIR"] {
            return "\(override)/\(name)"
        }
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        for build in [".build", ".build-measure"] {
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent()
            let candidate = root.appendingPathComponent("\(build)/debug/\(name)").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw SoftwareTPM.SetupError(description: "\(name) has not been built (swift build)")
    }

    static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try SoftwareTPM.run(path(name), arguments)
    }
}
