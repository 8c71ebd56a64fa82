import AICertClient
import AICertCore
import AICertVerify
import Foundation
import TPMTestSupport
import Testing

@Suite("A build through the runner's HTTP API")
struct RunnerLifecycleTests {
    static let trainer = """
        import hashlib, os, time
        code = open("/aicert/inputs/code/train.py").read()
        data = open("/aicert/inputs/data").read()
        remote = open("/aicert/inputs/remote").read()
        for step in range(3):
            print(f"step {step}", flush=True)
            time.sleep(0.3)
        os.makedirs("/aicert/outputs/checkpoints", exist_ok=True)
        open("/aicert/outputs/checkpoints/3.txt", "w").write("step 3\\n")
        open("/aicert/outputs/model.bin", "wb").write(hashlib.sha256((data + remote).encode()).digest() * 1000)
        open("/aicert/outputs/scratch.tmp", "w").write("not an output")
        print("SEED=" + os.environ["SEED"], flush=True)
        """

    @Test func aBuildEndsInACertificateThatVerifies() async throws {
        try await LoopbackFileServer.with(["points.csv": Array("x,y\n1,2\n".utf8)]) { origin in
            try await LiveRunner.with { runner in try await Self.build(on: runner, origin: origin) }
        }
    }

    private static func build(on runner: LiveRunner, origin: LoopbackFileServer) async throws {
        let local = runner.directory.appendingPathComponent("local")

        let code = local.appendingPathComponent("code")
        try FileManager.default.createDirectory(
            at: code.appendingPathComponent("empty"), withIntermediateDirectories: true)
        try Data(Self.trainer.utf8).write(to: code.appendingPathComponent("train.py"))
        try FileManager.default.createSymbolicLink(
            atPath: code.appendingPathComponent("entry").path, withDestinationPath: "train.py")
        let data = local.appendingPathComponent("data.txt")
        try Data("some data\n".utf8).write(to: data)

        let client = runner.client
        #expect(try await client.health().status == "ok")
        let identity = try await client.identity(nonce: Array(repeating: 7, count: 32)).identity
        #expect(identity.runner["name"] == .string("aicert-runner"))
        #expect(identity.runner["executable_sha256"]?.stringValue?.count == 64)
        #expect(identity.pcrs["sha256"]?["14"] == String(repeating: "0", count: 64))

        let remoteDigest = SHA256Hash.of(Array("x,y\n1,2\n".utf8)).hex
        let created = try await client.createBuild(
            RunnerAPI.BuildSpec(
                command: ["python3", "/aicert/inputs/code/train.py"], env: ["SEED": "7"],
                inputs: [
                    .upload("code", source: "./code"), .upload("data", source: "./data.txt"),
                    .url("remote", url: origin.url("points.csv"), sha256: remoteDigest),
                ],
                outputs: ["model.bin", "checkpoints/**"], timeoutSeconds: 60))
        #expect(created.state == .created)

        let uploadedCode = try await client.uploadInput("code", from: code)
        let localCode = try await Manifest.measure(code.path)
        #expect(uploadedCode.manifestDigest == localCode.digest.hex)
        let uploadedData = try await client.uploadInput("data", from: data)
        #expect(uploadedData.files == 1 && uploadedData.bytes == 10)

        let started = try await client.start()
        #expect(started.state == .preparing)
        var log: [UInt8] = []
        for try await chunk in try await client.logs(follow: true) { log += chunk }
        let text = String(decoding: log, as: UTF8.self)
        #expect(text.contains("step 0\nstep 1\nstep 2\nSEED=7\n"), "\(text)")

        let status = try await client.status()
        #expect(status.state == .finished, "\(String(describing: status.error))")
        #expect(status.exitStatus == 0 && status.timedOut == false)
        #expect(status.inputs.map(\.state) == [.ready, .ready, .ready])

        let outputs = try await client.outputsManifest()
        #expect(outputs.entries.map(\.path) == ["checkpoints/3.txt", "model.bin"])
        let downloads = local.appendingPathComponent("downloads")
        try FileManager.default.createDirectory(
            at: downloads.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        for entry in outputs.entries {
            let digest = try await client.downloadOutput(entry.path, to: downloads.appendingPathComponent(entry.path))
            #expect(entry.kind == .file(digest))
        }

        let nonce = (0..<32).map { UInt8($0) }
        let certificate = try await client.attestation(nonce: nonce)
        #expect(certificate.summary.inputs.map(\.name) == ["code", "data", "remote"])
        #expect(certificate.summary.exitStatus == 0)
        #expect(
            certificate.eventLog.map(\.contentType) == [
                "aicert/runner", "aicert/build-spec", "aicert/input", "aicert/input", "aicert/input",
                "aicert/environment",
                "aicert/launch", "aicert/output", "aicert/result",
            ])
        #expect(certificate.eventLog[0].content == identity.runner)
        let report = await CertificateVerifier.verify(
            certificate,
            options: VerificationOptions(
                trustRoots: [runner.ca.root], allowUnmeasuredBoot: true, artifacts: [downloads.path]))
        #expect(report.valid, "\(report.checks)")
        #expect(report.check(.akChain)?.status == .pass)
        #expect(report.check(.eventLog)?.status == .pass)
        #expect(report.check(.artifacts)?.status == .pass)

        let untrusted = await CertificateVerifier.verify(certificate, options: VerificationOptions())
        #expect(untrusted.check(.akChain)?.status == .fail)
    }

    @Test func aGitInputServedOverLoopbackIsClonedAtItsCommit() async throws {
        let repository = try await GitDaemon(files: [
            "train.py": "print(open('/aicert/inputs/repo/README').read())\n", "README": "hello from git\n",
        ])
        do {
            try await Self.cloneBuild(repository)
        } catch {
            await repository.stop()
            throw error
        }
        await repository.stop()
    }

    private static func cloneBuild(_ repository: GitDaemon) async throws {
        try await LiveRunner.with { runner in
            let client = runner.client
            _ = try await client.createBuild(
                RunnerAPI.BuildSpec(
                    command: ["python3", "/aicert/inputs/repo/train.py"],
                    inputs: [.git("repo", url: repository.url, commit: repository.commit)], timeoutSeconds: 60))
            _ = try await client.start()
            let status = try await client.waitUntilEnded()
            #expect(status.state == .finished, "\(String(describing: status.error))")
            #expect(status.inputs.first?.commit == repository.commit)
            #expect(status.inputs.first?.files == 2)
            let log = try await client.logs(follow: false).reduce([], +)
            #expect(String(decoding: log, as: UTF8.self) == "hello from git\n\n")

            let certificate = try await client.attestation(nonce: Array(repeating: 1, count: 16))
            #expect(certificate.summary.inputs.first?.commit == repository.commit)
            #expect(certificate.manifests.inputs["repo"]?.entries.map(\.path) == ["README", "train.py"])
            let report = await CertificateVerifier.verify(
                certificate, options: VerificationOptions(trustRoots: [runner.ca.root], allowUnmeasuredBoot: true))
            #expect(report.valid, "\(report.checks)")
        }
    }

    /// The machine's firmware event log travels in the certificate, and the verifier replays it
    /// against the quoted PCRs 0–9 of the TPM the firmware measured into.
    @Test func theFirmwareEventLogIsCarriedAndReplaysToTheQuote() async throws {
        let vector = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AICertCoreTests/Vectors/eventlogs/event-sd-boot-fedora37.bin")
        try await LiveRunner.with(firmwareLog: vector) { runner in
            let client = runner.client
            _ = try await client.createBuild(RunnerAPI.BuildSpec(command: ["/bin/true"], timeoutSeconds: 10))
            _ = try await client.start()
            #expect(try await client.waitUntilEnded().state == .finished)
            let certificate = try await client.attestation(nonce: Array(repeating: 2, count: 16))
            #expect(certificate.firmwareEventLog?.bytes == [UInt8](try Data(contentsOf: vector)))
            let report = await CertificateVerifier.verify(
                certificate, options: VerificationOptions(trustRoots: [runner.ca.root], allowUnmeasuredBoot: true))
            #expect(report.valid, "\(report.checks)")
            #expect(report.check(.bootState)?.detail.contains("replays to quoted PCR") == true, "\(report.checks)")
        }
    }
}
