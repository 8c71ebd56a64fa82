import AICertCore
import Foundation
import Glibc
import TPMTestSupport
import Testing

/// `aicert run` end to end on the local platform, as a user runs it: the built `aicert` and
/// `aicert-runner`, a real swtpm, bubblewrap and the system's Python with NumPy.
///
/// Each test has its own `AICERT_HOME` and `TMPDIR` inside a unique temporary directory, so
/// that afterwards no process whose command line names that directory may be left.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct RunCommandTests {
    @Test func theIrisExampleRunsAndItsCertificateVerifies() throws {
        let sandbox = try RunSandbox()
        let project = sandbox.root.appendingPathComponent("iris")
        let initialized = try sandbox.aicert(["init", "--example", project.path])
        #expect(initialized.status == 0, "\(initialized.errors)")

        let run = try sandbox.aicert([
            "run", "-c", project.appendingPathComponent("aicert.yaml").path, "--output-dir", "out",
        ])
        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        try sandbox.expectNoProcessLeft()
        #expect(run.output.contains("trained on 105 flowers"))
        #expect(run.output.contains("✓ out/certificate.json: verified AI certificate for iris"))
        let command =
            "aicert verify out/certificate.json --trust-root out/development-root.pem --allow-unmeasured-boot "
            + "--artifact out/outputs"
        #expect(run.output.contains(command))
        #expect(run.errors.contains("runner verified"))

        let out = sandbox.root.appendingPathComponent("out")
        let metrics = try JSONSerialization.jsonObject(
            with: Data(contentsOf: out.appendingPathComponent("outputs/metrics.json")))
        let test = try #require((metrics as? [String: Any])?["test"] as? [String: Any])
        #expect(try #require(test["accuracy"] as? Double) > 0.8)
        #expect(
            try String(contentsOf: out.appendingPathComponent("job.log"), encoding: .utf8).contains("test accuracy"))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: sandbox.temporary.path).isEmpty,
            "the run's state is removed")

        // The printed command passes; changing one byte of an output makes it fail.
        let verified = try sandbox.aicert(Array(command.split(separator: " ").dropFirst().map(String.init)))
        #expect(verified.status == 0, "\(verified.output)\(verified.errors)")
        #expect(verified.output.contains("VALID, boot not measured (trust: development"))
        // The summary says the boot is not measured; without the flag the certificate fails boot-state.
        #expect(run.output.contains("boot      not measured"))
        let strict = try sandbox.aicert(["verify", "out/certificate.json", "--trust-root", "out/development-root.pem"])
        #expect(strict.status == 1)
        #expect(strict.output.contains("✗ boot-state"))
        let model = out.appendingPathComponent("outputs/model.npz")
        var bytes = try Data(contentsOf: model)
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: model)
        let tampered = try sandbox.aicert(Array(command.split(separator: " ").dropFirst().map(String.init)))
        #expect(tampered.status == 1)
        #expect(tampered.output.contains("✗ artifacts"))

        try expectAcceptedByTpm2Checkquote(
            certificate: out.appendingPathComponent("certificate.json"), scratch: sandbox.root)
    }

    /// `examples/iris-git` as its README says to try it: the code committed to a repository
    /// served by `git daemon` on loopback, the config pointed at that commit.
    @Test func theGitExampleRecordsTheRepositoryAndCommit() throws {
        let sandbox = try RunSandbox()
        let repository = sandbox.root.appendingPathComponent("iris-train")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: InitCommandTests.examples.appendingPathComponent("code/train.py"),
            to: repository.appendingPathComponent("train.py"))
        let git = [
            "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org", "GIT_COMMITTER_NAME": "Test",
            "GIT_COMMITTER_EMAIL": "test@example.org", "GIT_CONFIG_NOSYSTEM": "1", "HOME": sandbox.root.path,
        ]
        for arguments in [["init", "--quiet"], ["add", "train.py"], ["commit", "--quiet", "-m", "Iris training"]] {
            #expect(
                try SoftwareTPM.run("/usr/bin/git", ["-C", repository.path] + arguments, environment: git).status == 0)
        }
        let commit = try SoftwareTPM.run(
            "/usr/bin/git", ["-C", repository.path, "rev-parse", "HEAD"], environment: git
        )
        .output.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try #require(Loopback.freePort())
        // Detached, and stopped by the pid it writes: a test thread's children may inherit
        // SIGTERM blocked, and `git daemon` runs `git-daemon` as a child of its own.
        let pidFile = sandbox.root.appendingPathComponent("git-daemon.pid")
        let started = try SoftwareTPM.run(
            "/usr/bin/git",
            [
                "daemon", "--detach", "--pid-file=\(pidFile.path)", "--base-path=\(sandbox.root.path)", "--export-all",
                "--reuseaddr",
                "--listen=127.0.0.1", "--port=\(port)",
            ])
        #expect(started.status == 0, "\(started.output)")
        try RunSandbox.waitUntilListening(port: port)
        // The detached daemon writes its pid once it runs; it listens only after that.
        let daemon = try #require(
            Int32(try String(contentsOf: pidFile, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        var daemonStopped = false
        func stopDaemon() {
            guard !daemonStopped else { return }
            kill(daemon, SIGKILL)
            daemonStopped = true
        }
        defer { stopDaemon() }

        let example = try String(
            contentsOf: InitCommandTests.examples.deletingLastPathComponent().appendingPathComponent(
                "iris-git/aicert.yaml"), encoding: .utf8)
        let source = "git+git://127.0.0.1:\(port)/iris-train@\(commit)"
        let config = example.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            if line.contains("source: git+") { return "      source: \(source)" }
            if line.contains("source: ../iris/data") {
                return "      source: \(InitCommandTests.examples.appendingPathComponent("data").path)"
            }
            return String(line)
        }.joined(separator: "\n")
        let configFile = sandbox.root.appendingPathComponent("aicert.yaml")
        try config.write(to: configFile, atomically: true, encoding: .utf8)

        let run = try sandbox.aicert(["run", "-c", configFile.path, "--output-dir", "out"])
        #expect(run.status == 0, "\(run.output)\n\(run.errors)")
        #expect(run.output.contains("input     code: git git://127.0.0.1:\(port)/iris-train @ \(commit)"))
        let verified = try sandbox.aicert([
            "verify", "out/certificate.json", "--trust-root", "out/development-root.pem", "--allow-unmeasured-boot",
            "--artifact",
            "out/outputs",
        ])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("@" + commit.prefix(12)))
        stopDaemon()
        try sandbox.expectNoProcessLeft()
    }

    @Test func anInvalidConfigExitsWithTwoAndNamesTheKey() throws {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(name: "broken", command: "[python3, train.py]", build: ["timout: 10m"])
        let run = try sandbox.aicert(["run", "-c", config.path])
        #expect(run.status == 2)
        #expect(run.errors.contains("\(config.path):5:3: build.timout: unknown key"), "\(run.errors)")
        #expect(!FileManager.default.fileExists(atPath: sandbox.home.path), "no platform was started")
        try sandbox.expectNoProcessLeft()
    }

    /// The qemu platform needs an image: without `--image` it is a usage error, and a directory
    /// that holds no built image fails before anything starts.
    @Test func theQemuPlatformNeedsABuiltImage() throws {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(name: "vm", platform: "qemu", command: "[/bin/true]")
        let missing = try sandbox.aicert(["run", "-c", config.path])
        #expect(missing.status == 2, "\(missing.errors)")
        #expect(missing.errors.contains("needs --image"), "\(missing.errors)")
        let empty = sandbox.root.appendingPathComponent("no-image")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        let notBuilt = try sandbox.aicert(["run", "-c", config.path, "--image", empty.path])
        #expect(notBuilt.status == 3, "\(notBuilt.errors)")
        #expect(notBuilt.errors.contains("has no disk.raw"), "\(notBuilt.errors)")
        // QEMU splits option values at commas: `file=DIR,snapshot=on/disk.raw` would add an option.
        let comma = sandbox.root.appendingPathComponent("image,snapshot=on")
        try FileManager.default.createDirectory(at: comma, withIntermediateDirectories: true)
        let injected = try sandbox.aicert(["run", "-c", config.path, "--image", comma.path])
        #expect(injected.status == 3, "\(injected.errors)")
        #expect(injected.errors.contains("contains a comma, which QEMU's options cannot take"), "\(injected.errors)")
        try sandbox.expectNoProcessLeft()
    }

    /// `azure` is a platform kind a certificate can name, but this version cannot start a build
    /// on it: chosen by option or by config, it is a usage error in one line, and nothing starts.
    @Test func theAzurePlatformIsNotAvailableYet() throws {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(name: "cloud", command: "[/bin/true]")
        let byOption = try sandbox.aicert(["run", "-c", config.path, "--platform", "azure"])
        _ = try sandbox.writeConfig(name: "cloud", platform: "azure", command: "[/bin/true]")
        let byConfig = try sandbox.aicert(["run", "-c", config.path])
        for run in [byOption, byConfig] {
            #expect(run.status == 2, "\(run.output)\n\(run.errors)")
            #expect(
                run.errors == "aicert run: the azure platform is not available in this version of aicert; "
                    + "use local, remote or qemu.\n", "\(run.errors)")
        }
        #expect(!FileManager.default.fileExists(atPath: sandbox.home.path), "no platform was started")
        try sandbox.expectNoProcessLeft()
    }

    @Test func aFailingJobExitsWithOneAndKeepsItsLog() throws {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(
            name: "failing",
            command: #"[python3, -c, "import sys; print('diverged at step 3', flush=True); sys.exit(4)"]"#)
        let run = try sandbox.aicert(["run", "-c", config.path, "--output-dir", "out"])
        #expect(run.status == 1, "\(run.output)\n\(run.errors)")
        #expect(run.output.contains("diverged at step 3"), "the log is streamed")
        #expect(run.errors.contains("the job failed with exit status 4; its log is in out/job.log"))
        let log = try String(contentsOf: sandbox.root.appendingPathComponent("out/job.log"), encoding: .utf8)
        #expect(log.contains("diverged at step 3"))
        #expect(
            !FileManager.default.fileExists(atPath: sandbox.root.appendingPathComponent("out/certificate.json").path))
        try sandbox.expectNoProcessLeft()
    }

    @Test func ctrlCDuringTheJobStopsEverythingAndExits130() throws {
        let sandbox = try RunSandbox()
        let config = try sandbox.writeConfig(
            name: "long", command: #"[python3, -c, "import time; print('training', flush=True); time.sleep(120)"]"#)
        let process = try sandbox.start(["run", "-c", config.path, "--output-dir", "out"])
        let log = sandbox.root.appendingPathComponent("out/job.log")
        let deadline = Date().addingTimeInterval(120)
        while (try? String(contentsOf: log, encoding: .utf8))?.contains("training") != true && Date() < deadline
            && process.isRunning
        {
            usleep(100_000)
        }
        #expect(process.isRunning, "the job started and is still running")
        #expect(try sandbox.processesLeft().count >= 2, "swtpm and the runner are running")
        kill(process.pid, SIGINT)
        #expect(process.wait().status == 130)
        try sandbox.expectNoProcessLeft()
    }

    /// tpm2-tools' `tpm2_checkquote`, an independent implementation, accepts the quote with the
    /// AK's key taken from its X.509 certificate by OpenSSL.
    private func expectAcceptedByTpm2Checkquote(certificate: URL, scratch: URL) throws {
        let document = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: certificate)) as? [String: Any])
        let quote = try #require(document["quote"] as? [String: String])
        let chain = try #require((document["attestation_key"] as? [String: Any])?["certificate_chain"] as? [String])
        let bank = try #require((document["pcrs"] as? [String: [String: String]])?["sha256"])
        let nonce = try #require(document["nonce"] as? String)
        func write(_ name: String, _ data: Data) throws -> String {
            let url = scratch.appendingPathComponent(name)
            try data.write(to: url)
            return url.path
        }
        let akCertificate = try write("ak.der", try #require(Data(base64Encoded: chain[0])))
        let attest = try write("quote.msg", try #require(Data(base64Encoded: quote["attest"] ?? "")))
        let signature = try write("quote.sig", try #require(Data(base64Encoded: quote["signature"] ?? "")))
        let values = try (0...15).map { try #require(bank[String($0)].flatMap { Hex.bytes($0) }) }
        let pcrs = try write("pcrs.bin", Data(Tpm2ToolsPCRFile.serialized(sha256: values)))

        let publicKey = try SoftwareTPM.run(
            try SoftwareTPM.tool("openssl"), ["x509", "-inform", "DER", "-in", akCertificate, "-pubkey", "-noout"])
        #expect(publicKey.status == 0, "\(publicKey.output)")
        let akPEM = try write("ak.pem", Data(publicKey.output.utf8))
        func checkquote(_ nonce: String) throws -> (status: Int32, output: String) {
            try SoftwareTPM.run(
                try SoftwareTPM.tool("tpm2_checkquote"),
                ["-u", akPEM, "-m", attest, "-s", signature, "-f", pcrs, "-g", "sha256", "-q", nonce])
        }
        // The quote binds the nonce to the runner's TLS key, hashed here by OpenSSL rather than by
        // our own code: SHA-256("aicert-tls-v1" ‖ nonce ‖ tls_spki_sha256).
        let runnerEvent = try #require(
            ((document["event_log"] as? [[String: Any]])?.first?["content"]) as? [String: Any])
        let keyDigest = try #require((runnerEvent["tls_spki_sha256"] as? String).flatMap { Hex.bytes($0) })
        let bound = try write(
            "bound.bin", Data(Array("aicert-tls-v1".utf8) + (try #require(Hex.bytes(nonce))) + keyDigest))
        let digest = try SoftwareTPM.run(try SoftwareTPM.tool("openssl"), ["dgst", "-sha256", "-r", bound])
        let qualifyingData = String(digest.output.prefix(64))
        let accepted = try checkquote(qualifyingData)
        #expect(accepted.status == 0, "\(accepted.output)")
        #expect(try checkquote(nonce).status != 0, "the bare nonce is not what the quote carries")
        #expect(try checkquote(String(repeating: "00", count: 32)).status != 0, "another nonce is refused")
    }
}

/// A unique directory for one `aicert run`: its working directory, `AICERT_HOME` and `TMPDIR`.
/// Every process the run starts names this directory on its command line (state, workspace,
/// token), which is how leftovers are found.
final class RunSandbox {
    let root: URL
    var home: URL { root.appendingPathComponent("home") }
    var temporary: URL { root.appendingPathComponent("tmp") }

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("aicert-run-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: root) }

    var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["AICERT_HOME"] = home.path
        environment["TMPDIR"] = temporary.path
        return environment
    }

    /// Starts `aicert` with `arguments` in this directory.
    func start(_ arguments: [String]) throws -> Subprocess.Running {
        try Subprocess.start(try aicertBinary().path, arguments, environment: environment, directory: root)
    }

    /// Writes `aicert.yaml` here for a project `name` that runs on `platform` (the default when
    /// `nil`) and whose build runs `command` (a YAML flow sequence), with the `build` lines
    /// after the command, and keeps every output; returns its URL.
    func writeConfig(name: String, platform: String? = nil, command: String, build: [String] = []) throws -> URL {
        let config = root.appendingPathComponent("aicert.yaml")
        let lines =
            ["version: 1", "name: \(name)"] + (platform.map { ["platform: \($0)"] } ?? [])
            + ["build:", "  command: \(command)"] + build.map { "  " + $0 } + [#"  outputs: ["**"]"#]
        try lines.joined(separator: "\n").write(to: config, atomically: true, encoding: .utf8)
        return config
    }

    /// Runs `aicert` with `arguments` to completion, at most 4 minutes.
    func aicert(_ arguments: [String]) throws -> ToolResult {
        let result = try Subprocess.run(
            try aicertBinary().path, arguments, environment: environment, directory: root, timeoutSeconds: 240)
        return ToolResult(status: result.status, output: result.output, errors: result.errors)
    }

    /// Waits until something accepts TCP connections on 127.0.0.1:`port`, at most 10 seconds.
    static func waitUntilListening(port: UInt16) throws {
        for _ in 0..<100 where !Loopback.accepts(port) { usleep(100_000) }
        guard Loopback.accepts(port) else {
            throw SoftwareTPM.SetupError(description: "nothing listens on 127.0.0.1:\(port)")
        }
    }

    /// Processes whose command line names this directory, with their command lines.
    func processesLeft() throws -> [(pid: Int32, commandLine: String)] {
        var found: [(Int32, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: "/proc") {
            guard let pid = Int32(name), pid != getpid(),
                let data = FileManager.default.contents(atPath: "/proc/\(name)/cmdline")
            else { continue }
            let commandLine = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
            if commandLine.contains(root.path) { found.append((pid, commandLine)) }
        }
        return found
    }

    /// Fails the test if any process naming this directory is still there after a few seconds
    /// (a sandboxed job may take a moment to follow its runner).
    func expectNoProcessLeft(sourceLocation: SourceLocation = #_sourceLocation) throws {
        var left = try processesLeft()
        for _ in 0..<50 where !left.isEmpty {
            usleep(100_000)
            left = try processesLeft()
        }
        #expect(
            left.isEmpty, "left running: \(left.map { "\($0.pid) \($0.commandLine)" })", sourceLocation: sourceLocation)
    }
}
