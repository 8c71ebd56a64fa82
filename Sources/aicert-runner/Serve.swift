import AICertCore
import AICertRunner
import ArgumentParser
import Dispatch
import Foundation
import TPM2

/// `aicert-runner serve`: the runner's HTTP API, for one build.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve the runner's HTTP API (docs/runner-api.yaml) for one build.",
        discussion: """
            The API is served over TLS 1.3 with a P-256 key made at start and kept in memory; its \
            SPKI digest is signed into the runner event and bound into every quote, so that a client \
            knows it talks to this runner. The runner refuses to start if PCR 14 or 15 is not zero \
            (a build was measured since the TPM was reset), if the boot is not what --expect-secure-boot and \
            --expect-verity-root ask for, if the workspace is not empty, or if bubblewrap cannot \
            make a sandbox. It stops on SIGTERM or SIGINT, killing a running job. Exit status 1 when \
            the TPM already holds a build, 3 when the TPM cannot be reached, 4 for any other setup \
            failure, 5 when the boot is not as expected.
            """
    )

    @Option(help: "The TPM to use, e.g. device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321.")
    var tcti = "device:/dev/tpmrm0"

    @Option(help: "An empty (or new) directory for the build, e.g. /var/lib/aicert/build.")
    var workspace: String

    @Option(help: "The address to listen on, e.g. 127.0.0.1:8800 (port 0 picks a free one).")
    var listen: String

    @Option(
        help: ArgumentHelp(
            "A file holding the bearer token (at least 16 characters, not readable by group or others), e.g. "
                + "/etc/aicert/token.")
    )
    var tokenFile: String

    @Option(
        help: "The platform signed into the runner event and written into certificates: local, remote, qemu or azure.")
    var platform: PlatformKind = .local

    @Option(
        help: ArgumentHelp(
            "A JSON file naming the base image this runner booted from: {\"name\", \"version\", \"uki_sha256\"}.",
            discussion:
                "Signed into the runner event, so that a verifier looks up that image's reference PCR values. The base "
                + "image's start-runner passes it from the platform."
        ))
    var image: String?

    @Option(
        help: ArgumentHelp(
            "PEM certificates that complete the AK certificate's chain up to the root, e.g. "
                + "~/.aicert/ca/intermediate.pem.")
    )
    var akIntermediates: String?

    @Option(
        help: ArgumentHelp(
            "The TCG firmware event log carried in certificates when it exists, or 'none'.",
            discussion: "The verifier replays it against the quoted PCRs 0–9 and judges the boot chain by it."))
    var firmwareLog = FirmwareLogSource.kernelPath

    @Option(
        help: ArgumentHelp(
            "Refuse to serve unless the firmware event log shows Secure Boot in this state: enabled or disabled.",
            discussion:
                "The log must also replay to the TPM's PCRs 0–9. Defence in depth: the verifier still judges "
                + "the boot.")
    )
    var expectSecureBoot: String?

    @Flag(
        help: ArgumentHelp(
            "Serve plain HTTP instead of TLS, for tests and benchmarks on a loopback address only.",
            discussion:
                "No TLS key is bound into quotes and certificates name no channel; the aicert CLI does not speak "
                + "to such a runner."))
    var plainHTTPForTests = false

    @Flag(
        help: ArgumentHelp(
            "Refuse to serve unless / is a dm-verity device with the root hash named by aicert.verity= on a measured "
                + "kernel command line.",
            discussion: "For the base image, whose initrd maps the root that way."))
    var expectVerityRoot = false

    func validate() throws {
        let address = try ListenAddress(listen)
        if plainHTTPForTests && !["127.0.0.1", "::1", "localhost"].contains(address.host) {
            throw ValidationError("--plain-http-for-tests listens on a loopback address only, such as 127.0.0.1:0")
        }
        if let expectSecureBoot, expectSecureBoot != "enabled" && expectSecureBoot != "disabled" {
            throw ValidationError("--expect-secure-boot is enabled or disabled")
        }
        if firmwareLog == "none" && (expectSecureBoot != nil || expectVerityRoot) {
            throw ValidationError(
                "--expect-secure-boot and --expect-verity-root need a firmware event log, not --firmware-log none")
        }
    }

    /// What the options ask of the boot; `nil` when they ask nothing.
    private var bootExpectation: BootExpectation? {
        guard expectSecureBoot != nil || expectVerityRoot else { return nil }
        return BootExpectation(
            secureBoot: expectSecureBoot.flatMap(BootChain.SecureBootState.init(rawValue:)),
            verityRoot: expectVerityRoot)
    }

    func run() async throws {
        let address = try ListenAddress(listen)
        let configuration = RunnerConfiguration(
            tcti: tcti, workspace: URL(fileURLWithPath: workspace), host: address.host, port: address.port,
            token: try TokenFile.read(tokenFile), transport: plainHTTPForTests ? .plainHTTPForTests : .tls,
            platform: platform,
            image: try image.map(ImageIdentityFile.read),
            intermediates: try akIntermediates.map(PEMCertificates.read) ?? [],
            firmwareLog: firmwareLog == "none" ? nil : firmwareLog,
            bootExpectation: bootExpectation)
        let server: RunnerServer
        do {
            server = try await RunnerServer.open(configuration)
        } catch {
            throw SetupFailure.exitCode(for: error, tcti: tcti)
        }
        if let bootExpectation {
            FileHandle.standardOutput.write(Data("aicert-runner: boot as expected: \(bootExpectation.summary)\n".utf8))
        }
        let serving = Task {
            try await server.run { port in
                FileHandle.standardOutput.write(
                    Data("aicert-runner listening on \(address.host):\(port)\n".utf8)
                        + Data(
                            (server.tls.map { "aicert-runner TLS key SPKI SHA-256 \($0.keyDigest.hex)\n" } ?? "").utf8))
            }
        }
        let signals = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number)
            source.setEventHandler { serving.cancel() }
            source.resume()
            return source
        }
        defer { signals.forEach { $0.cancel() } }
        do {
            try await serving.value
        } catch is CancellationError {
            return
        }
    }
}

extension PlatformKind: ExpressibleByArgument {}

/// Reads the image identity file `--image` names.
enum ImageIdentityFile {
    static func read(_ path: String) throws -> ImageIdentity {
        guard let identity = ImageIdentity.read(path) else {
            throw ValidationError(
                "--image \(path): cannot be read, or is not {\"name\", \"version\", \"uki_sha256\"} with a lowercase "
                    + "SHA-256"
            )
        }
        return identity
    }
}
