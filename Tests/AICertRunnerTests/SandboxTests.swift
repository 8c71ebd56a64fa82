import AICertClient
import AICertCore
import Foundation
import TPMTestSupport
import Testing

@Suite("The job's sandbox")
struct SandboxTests {
    /// Tries everything a job must not be able to do and prints one line per attempt.
    static func probe(swtpmPort: UInt16, runnerPort: Int, tokenFile: String, workspace: String) -> String {
        """
        import os, socket
        def attempt(label, action):
            try:
                action()
                print("ALLOWED " + label, flush=True)
            except Exception as error:
                print("DENIED " + label + ": " + type(error).__name__, flush=True)
        def connect(port):
            socket.create_connection(("127.0.0.1", port), timeout=2).close()
        attempt("swtpm", lambda: connect(\(swtpmPort)))
        attempt("swtpm-control", lambda: connect(\(swtpmPort + 1)))
        attempt("runner", lambda: connect(\(runnerPort)))
        attempt("internet", lambda: socket.create_connection(("1.1.1.1", 80), timeout=2).close())
        attempt("tpm0", lambda: open("/dev/tpm0", "rb").close())
        attempt("tpmrm0", lambda: open("/dev/tpmrm0", "rb").close())
        attempt("input-write", lambda: open("/aicert/inputs/data", "a").write("x"))
        attempt("input-create", lambda: open("/aicert/inputs/new", "w").write("x"))
        attempt("token", lambda: open("\(tokenFile)").read())
        attempt("workspace", lambda: os.listdir("\(workspace)"))
        attempt("root-write", lambda: open("/aicert/escape", "w").write("x"))
        attempt("outputs-write", lambda: open("/aicert/outputs/ok.txt", "w").write("ok"))
        print("DEVICES " + " ".join(sorted(d for d in os.listdir("/dev") if d.startswith("tpm"))), flush=True)
        print("DESCRIPTORS " + str(len(os.listdir("/proc/self/fd"))), flush=True)
        print("USER " + str(os.getuid()) + " " + str(os.getgid()), flush=True)
        print("ENV " + " ".join(sorted(os.environ)), flush=True)
        print("PROCESSES " + str(len([p for p in os.listdir("/proc") if p.isdigit()])), flush=True)
        """
    }

    @Test func theJobCannotReachTheNetworkTheTPMItsInputsOrTheToken() async throws {
        try await LiveRunner.with { runner in
            let client = runner.client
            let script = Self.probe(
                swtpmPort: runner.swtpm.port, runnerPort: runner.port, tokenFile: runner.tokenFile.path,
                workspace: runner.workspace.path)
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["python3", "-c", script], env: ["MARK": "1"],
                    inputs: [.upload("data", source: "data.txt")],
                    timeoutSeconds: 30))
            let data = runner.directory.appendingPathComponent("data.txt")
            try Data("input".utf8).write(to: data)
            _ = try await client.uploadInput("data", from: data)
            _ = try await client.start()
            let status = try await client.waitUntilEnded()
            #expect(status.state == .finished && status.exitStatus == 0, "\(String(describing: status.error))")
            let log = String(decoding: try await client.logs(follow: false).reduce([], +), as: UTF8.self)
            for denied in [
                "swtpm", "swtpm-control", "runner", "internet", "tpm0", "tpmrm0", "input-write", "input-create",
                "token", "workspace",
                "root-write",
            ] {
                #expect(log.contains("DENIED \(denied): "), "\(denied) in:\n\(log)")
            }
            #expect(log.contains("ALLOWED outputs-write"))
            #expect(log.contains("DEVICES \n"))
            // 0, 1, 2 and the one os.listdir opens to list them.
            #expect(log.contains("DESCRIPTORS 4\n"))
            #expect(log.contains("USER 65534 65534\n"))
            #expect(log.contains("ENV HOME LANG MARK PATH PWD\n"))
            #expect(try Data(contentsOf: data) == Data("input".utf8))

            let certificate = try await client.attestation(nonce: Array(repeating: 9, count: 32))
            #expect(certificate.summary.sandbox["sandbox"] == "bubblewrap")
            #expect(certificate.summary.sandbox["network"] == "none")
            #expect(certificate.summary.environment == ["MARK": "1"])
        }
    }

    @Test func aJobPastItsTimeLimitIsKilledWithItsWholeProcessTree() async throws {
        try await LiveRunner.with { runner in
            let client = runner.client
            let marker = "987\(Int.random(in: 100_000...999_999))"
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["/bin/sh", "-c", "sleep \(marker) & sleep \(marker)1 & echo started; wait"],
                    timeoutSeconds: 1))
            let clock = ContinuousClock()
            let start = clock.now
            _ = try await client.start()
            let status = try await client.waitUntilEnded(polling: .milliseconds(50))
            // The sleeps would last decades: ending within a minute (loaded CI included) is the kill.
            #expect(clock.now - start < .seconds(60))
            #expect(status.state == .finished)
            #expect(status.timedOut == true)
            #expect(status.exitStatus == 137)
            #expect((status.durationMilliseconds ?? 0) >= 1000)
            let survivors = try FileManager.default.contentsOfDirectory(atPath: "/proc").filter {
                $0.allSatisfy(\.isNumber)
            }.filter { pid in
                let command = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))) ?? Data()
                return String(decoding: command, as: UTF8.self).contains(marker)
            }
            #expect(survivors.isEmpty, "processes left: \(survivors)")
            let certificate = try await client.attestation(nonce: Array(repeating: 5, count: 32))
            #expect(certificate.summary.exitStatus == 137)
        }
    }
}
