import AICertCore
import AICertVerify
import ArgumentParser
import Foundation
import X509

/// `aicert run`: one command from `aicert.yaml` to downloaded outputs and a verified certificate.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a training job in a measured sandbox and get its outputs and a verified AI certificate.",
        discussion: """
            Reads the config file (see docs/config.md; `aicert init` writes one), starts the \
            platform, and then:

              1. fetches the runner's identity quoted with a fresh nonce and verifies it (AK \
            chain, quote signature, nonce, PCRs 14 and 15 still zero) before any data leaves \
            this machine;
              2. sends the build spec and uploads the local inputs (directories as tar), \
            checking that the runner measured exactly what was sent;
              3. streams the job's output live (also kept in DIR/job.log);
              4. downloads the outputs into DIR/outputs, each checked against its measured SHA-256;
              5. asks for the certificate with a fresh nonce, verifies it with the platform's \
            root and the downloaded outputs, and writes DIR/certificate.json.

                $ cd examples/iris && aicert run
                …
                ✓ aicert-output/certificate.json: verified AI certificate for iris
                …
                  aicert verify aicert-output/certificate.json --trust-root \\
                    aicert-output/development-root.pem --allow-unmeasured-boot \\
                    --artifact aicert-output/outputs

            The local platform (the default) starts a fresh swtpm laid out like an Azure vTPM and \
            an aicert-runner on loopback ports for this run only, and stops both at the end, on \
            failure, and on Ctrl-C. Its development CA and TPM template are kept in AICERT_HOME \
            (default ~/.aicert); its certificates verify only with DIR/development-root.pem as \
            a trust root. The remote platform is a runner already running on a machine with its \
            own TPM (--runner-url, --token-file); its AK must chain to a built-in root or one \
            given with --trust-root. The qemu platform boots the AICert base image \
            (image/build.sh; --image DIR) under QEMU with a software TPM made like the local one, \
            so that the certificate also covers firmware, kernel and root file system: check it \
            with the policy `aicert image measure` writes.

            Exit status: 0 verified certificate written, 1 the job failed (its exit status is \
            reported and its log kept in DIR/job.log), 2 usage or config error, 3 platform, \
            runner or verification failure.
            """
    )

    @Option(
        name: [.customShort("c"), .customLong("config")],
        help: ArgumentHelp("The config file, e.g. `-c examples/iris/aicert.yaml`.", valueName: "file"))
    var config = ConfigReader.defaultFileName

    @Option(
        help: ArgumentHelp(
            "Where job.log, outputs/ and certificate.json go, e.g. `--output-dir out`.", valueName: "dir"))
    var outputDir = "aicert-output"

    @Option(
        help: ArgumentHelp(
            "Where the build runs, overriding the config's `platform`, e.g. `--platform qemu`; no azure yet.",
            valueName: "platform"))
    var platform: PlatformKind?

    @Option(
        help: ArgumentHelp(
            "The base image for --platform qemu: the directory image/build.sh wrote (disk.raw), e.g. `--image "
                + "image-out`.",
            valueName: "dir"))
    var image: String?

    @Option(
        help: ArgumentHelp(
            "The remote runner's base URL, https (the runner's own TLS, whose key its quote binds; a tunnel is "
                + "fine), e.g. `--runner-url https://runner.example:8800`.",
            valueName: "url"))
    var runnerURL: String?

    @Option(
        help: ArgumentHelp(
            "A file holding the remote runner's bearer token, e.g. `--token-file ~/.aicert/token`.", valueName: "file"))
    var tokenFile: String?

    @Option(
        name: .customLong("trust-root"),
        help: ArgumentHelp(
            "A PEM root certificate the remote runner's AK may chain to besides the built-in ones; repeatable, e.g. "
                + "`--trust-root onprem-root.pem`.",
            valueName: "pem"))
    var trustRoots: [String] = []

    @Option(
        help: ArgumentHelp(
            "A Time-Stamping Authority (RFC 3161) to time-stamp the certificate, overriding the config's "
                + "`timestamp.url`, e.g. `--tsa https://tsa.example/tsr`.",
            valueName: "url"))
    var tsa: String?

    @Option(
        name: .customLong("tsa-root"),
        help: ArgumentHelp(
            "A PEM root the TSA's certificate must chain to, checked before the certificate is written and "
                + "printed in the verify command; repeatable.",
            valueName: "pem"))
    var tsaRoots: [String] = []

    @Flag(help: "Go on without a time-stamp token when the TSA fails or times out (else the run fails, exit 3).")
    var tsaOptional = false

    @Flag(
        help: ArgumentHelp(
            "Print the result as JSON ({certificate, outputs, job_log, verify_command, report}); the job's log goes "
                + "to standard error.")
    )
    var json = false

    init() {}

    func validate() throws {
        if let tsa, TimestampURL.parse(tsa) == nil {
            throw ValidationError("--tsa is an absolute http(s) URL such as https://tsa.example/tsr.")
        }
        if let runnerURL {
            guard let url = URL(string: runnerURL), let scheme = url.scheme?.lowercased(),
                ["http", "https"].contains(scheme),
                let host = url.host, !host.isEmpty
            else {
                throw ValidationError("--runner-url is an absolute https URL such as https://runner.example:8800.")
            }
            // The runner serves TLS itself, with the key its quote binds: a proxy that ends TLS
            // in front of it, or plain http, could read the inputs and is refused.
            guard scheme == "https" else {
                throw ValidationError(
                    "--runner-url \(runnerURL): the runner serves TLS with a key its quote binds; use https://, "
                        + "through a tunnel if need be (the TLS stays end to end).")
            }
        }
    }

    func run() async throws {
        let display = ProgressDisplay()
        let project: ProjectConfig
        let chosen: any Platform
        let timestamping: Timestamping?
        do {
            project = try ConfigReader.load(config)
            chosen = try platform(for: platform ?? project.platform)
            timestamping = try timestampingChoice(config: project.timestampURL)
        } catch let error as ConfigError {
            Self.fail("\(error)")
            throw ExitCode(2)
        } catch let error as ValidationError {
            Self.fail(error.message)
            throw ExitCode(2)
        }

        let running: RunningPlatform
        do {
            running = try await chosen.start { display.step($0) }
        } catch {
            Self.fail("the platform did not start: \(error)")
            throw ExitCode(3)
        }
        defer { running.stop() }

        let directory = OutputDirectory(path: outputDir)
        let session = BuildSession(
            client: RunnerClient(baseURL: running.runnerURL, token: running.token), platform: running,
            plan: BuildPlan(project), timestamping: timestamping,
            directory: directory, display: display, logEcho: json ? .standardError : .standardOutput)
        do {
            let outcome = try await session.run()
            running.stop()
            let summary = RunSummary(
                project: project.name, directory: directory, outcome: outcome,
                trustRootFiles: chosen.isDevelopment ? [directory.shown(directory.developmentRoot)] : trustRoots,
                tsaRootFiles: timestamping?.rootFiles ?? [])
            Console.out(json ? try summary.json() : Data(summary.text.utf8))
        } catch let failure as RunFailure {
            running.stop()
            display.clear()
            Self.fail(failure.reason)
            throw ExitCode(failure.kind.exitStatus)
        } catch {
            running.stop()
            display.clear()
            Self.fail("\(error)")
            throw ExitCode(3)
        }
    }

    /// The TSA to ask, from `--tsa` or the config, with the roots to check its token against.
    private func timestampingChoice(config url: URL?) throws -> Timestamping? {
        guard let url = tsa.flatMap(TimestampURL.parse) ?? url else {
            if !tsaRoots.isEmpty || tsaOptional {
                throw ValidationError("--tsa-root and --tsa-optional apply with a TSA (--tsa or timestamp.url).")
            }
            return nil
        }
        var roots: [Certificate] = []
        for path in tsaRoots {
            do {
                roots += try TrustStore.certificates(in: try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
            } catch {
                throw ValidationError("--tsa-root \(path): \(error)")
            }
        }
        return Timestamping(
            authority: TimestampAuthority(url: url), roots: roots, rootFiles: tsaRoots, optional: tsaOptional)
    }

    /// The platform of `kind`, built from the options it takes; an option of another platform,
    /// or a kind this version has no platform for, is a usage error.
    private func platform(for kind: PlatformKind) throws -> any Platform {
        if kind != .remote, runnerURL != nil || tokenFile != nil || !trustRoots.isEmpty {
            throw ValidationError("--runner-url, --token-file and --trust-root apply to --platform remote only.")
        }
        if kind != .qemu, image != nil {
            throw ValidationError("--image applies to --platform qemu only.")
        }
        switch kind {
        case .local:
            return LocalPlatform(home: LocalPlatform.defaultHome())
        case .remote:
            return try remotePlatform()
        case .qemu:
            guard let image else {
                throw ValidationError(
                    "the qemu platform needs --image, the directory image/build.sh wrote, e.g. `--image image-out`.")
            }
            return QemuPlatform(image: URL(fileURLWithPath: image), home: LocalPlatform.defaultHome())
        case .azure:
            throw ValidationError(
                "the azure platform is not available in this version of aicert; use local, remote or qemu.")
        }
    }

    /// The remote runner the options name, with its token and the extra roots it may chain to.
    private func remotePlatform() throws -> RemotePlatform {
        guard let runnerURL, let url = URL(string: runnerURL), let tokenFile else {
            throw ValidationError(
                "the remote platform needs --runner-url and --token-file, e.g. `--runner-url "
                    + "https://runner.example:8800 --token-file token`."
            )
        }
        let token: String
        do {
            token = try BearerTokenFile.read(tokenFile)
        } catch {
            throw ValidationError("--token-file \(error)")
        }
        var roots: [Certificate] = []
        for path in trustRoots {
            do {
                roots += try TrustStore.certificates(in: try Data(contentsOf: URL(fileURLWithPath: path)), source: path)
            } catch {
                throw ValidationError("--trust-root \(path): \(error)")
            }
        }
        return RemotePlatform(runnerURL: url, token: token, trustRoots: roots)
    }

    private static func fail(_ message: String) {
        Console.error(Data("aicert run: \(TerminalText.escaped(message))\n".utf8))
    }
}
