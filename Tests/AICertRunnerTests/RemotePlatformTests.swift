import AICertClient
import AICertCore
import AICertVerify
import Foundation
import NIOHTTP1
import TPMTestSupport
import Testing

/// `aicert run --platform remote`: the built CLI against a runner it did not start, reached
/// over loopback HTTP with a token file, trusting the runner's CA only when told to.
@Suite("aicert run on a remote runner", .timeLimit(.minutes(3)))
struct RemotePlatformTests {
    static let config = """
        version: 1
        name: remote-job
        platform: remote
        build:
          command:
            - python3
            - -c
            - open('/aicert/outputs/weights.txt', 'w').write(open('/aicert/inputs/data/points.csv').read().upper())
          inputs:
            - name: data
              source: ./data
          outputs: ["*.txt"]
        """

    /// A project directory with `aicert.yaml`, its data input, the runner's token file and the
    /// runner CA's root in PEM.
    static func project(for runner: LiveRunner) throws -> URL {
        let project = runner.directory.appendingPathComponent("project")
        try FileManager.default.createDirectory(
            at: project.appendingPathComponent("data"), withIntermediateDirectories: true)
        try Data(config.utf8).write(to: project.appendingPathComponent("aicert.yaml"))
        try Data("x,y\n1,2\n".utf8).write(to: project.appendingPathComponent("data/points.csv"))
        try Data(try runner.ca.root.pemString.utf8).write(to: project.appendingPathComponent("runner-root.pem"))
        return project
    }

    func aicert(_ arguments: [String], in project: URL) async throws -> Subprocess.Result {
        try await Subprocess.run(try BuiltBinary.path("aicert"), arguments, directory: project, timeoutSeconds: 120)
    }

    @Test func aRemoteRunnerTrustedByItsRootRunsTheJobAndTheCertificateVerifies() async throws {
        try await LiveRunner.with { runner in
            let project = try Self.project(for: runner)
            let run = try await aicert(
                [
                    "run", "--runner-url", runner.baseURL.absoluteString, "--token-file", runner.tokenFile.path,
                    "--trust-root", "runner-root.pem", "--output-dir", "out",
                ], in: project)
            #expect(run.status == 0, "\(run.output)\n\(run.errors)")
            #expect(
                try String(contentsOf: project.appendingPathComponent("out/outputs/weights.txt"), encoding: .utf8)
                    == "X,Y\n1,2\n")
            let verified = try await aicert(
                [
                    "verify", "out/certificate.json", "--trust-root", "runner-root.pem", "--allow-unmeasured-boot",
                    "--artifact",
                    "out/outputs",
                ], in: project)
            #expect(verified.status == 0, "\(verified.output)")
            #expect(try await runner.client.status().state == .finished)
        }
    }

    /// Without the runner's root the identity quote does not verify, so the build is never
    /// created and no input is sent.
    @Test func anUntrustedRunnerIsRefusedBeforeAnyDataIsSent() async throws {
        try await LiveRunner.with { runner in
            let project = try Self.project(for: runner)
            let run = try await aicert(
                [
                    "run", "--runner-url", runner.baseURL.absoluteString, "--token-file", runner.tokenFile.path,
                    "--output-dir", "out",
                ],
                in: project)
            #expect(run.status == 3, "\(run.output)\n\(run.errors)")
            #expect(run.errors.contains("ak-chain"), "\(run.errors)")
            let status = try await RawHTTP.send(.GET, runner.baseURL.absoluteString + "/v1/build", token: runner.token)
            #expect(status.status == 404, "no build was created: \(String(decoding: status.body, as: UTF8.self))")
            #expect(
                !FileManager.default.fileExists(atPath: project.appendingPathComponent("out/certificate.json").path))
        }
    }

    /// A token file others can read is refused (exit 2) before the runner is contacted, and so
    /// is a URL that would carry the token in clear text off the machine.
    @Test func aReadableTokenFileAndAPlainHTTPURLAreUsageErrors() async throws {
        try await LiveRunner.with { runner in
            let project = try Self.project(for: runner)
            let readable = project.appendingPathComponent("readable-token")
            try Data(runner.token.utf8).write(to: readable)
            chmod(readable.path, 0o644)
            let run = try await aicert(
                [
                    "run", "--runner-url", runner.baseURL.absoluteString, "--token-file", readable.path, "--trust-root",
                    "runner-root.pem",
                ],
                in: project)
            #expect(run.status == 2, "\(run.errors)")
            #expect(run.errors.contains("readable by group or others"), "\(run.errors)")
            let clear = try await aicert(
                [
                    "run", "--runner-url", "http://192.0.2.1:8800", "--token-file", runner.tokenFile.path,
                    "--trust-root", "runner-root.pem",
                ],
                in: project)
            #expect(clear.status == 2, "\(clear.errors)")
            #expect(clear.errors.contains("use https://"), "\(clear.errors)")
            #expect(
                try await RawHTTP.send(.GET, runner.baseURL.absoluteString + "/v1/build", token: runner.token).status
                    == 404)
        }
    }

    @Test func aWrongTokenIsAPlatformFailureThatSaysSo() async throws {
        try await LiveRunner.with { runner in
            let project = try Self.project(for: runner)
            let wrong = project.appendingPathComponent("wrong-token")
            try Data(String(repeating: "w", count: 40).utf8).write(to: wrong)
            chmod(wrong.path, 0o600)
            let run = try await aicert(
                [
                    "run", "--runner-url", runner.baseURL.absoluteString, "--token-file", wrong.path,
                    "--trust-root", "runner-root.pem", "--output-dir", "out",
                ], in: project)
            #expect(run.status == 3, "\(run.output)\n\(run.errors)")
            #expect(run.errors.contains("401") || run.errors.lowercased().contains("token"), "\(run.errors)")
        }
    }
}
