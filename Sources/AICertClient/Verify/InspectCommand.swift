import AICertCore
import ArgumentParser
import Foundation

/// `aicert inspect`: a certificate as an AI bill of materials, without claiming validity.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Show what a certificate claims: platform, command, inputs, outputs, timings, boot chain.",
        discussion: """
            Prints the certificate as an AI bill of materials, read from its event log, and, when \
            it carries a firmware event log, the boot chain that log describes (firmware version, \
            Secure Boot state and signature database sizes, each EFI application with its path \
            and digest, kernel command lines):

                $ aicert inspect aicert-output/certificate.json

            Nothing here is verified: run `aicert verify` for that. Exit status: 0 shown, \
            2 could not read the file.
            """
    )

    @Argument(
        help: ArgumentHelp("The certificate file, e.g. `aicert-output/certificate.json`.", valueName: "certificate"))
    var path: String

    @Flag(help: "Print the bill of materials as JSON.")
    var json = false

    init() {}

    /// The bill of materials, as `--json` prints it.
    struct BillOfMaterials: Encodable {
        var format: String
        var platform: String
        var runnerTime: String
        /// The SHA-256 of the runner's TLS key the inputs came over, when the runner event names one.
        var channel: String?
        var verified = false
        var note: String
        var logProblem: String?
        var summary: BuildSummary
        var boot: BootChainView?
        var bootProblem: String?

        enum CodingKeys: String, CodingKey {
            case format, platform, verified, note, summary, boot
            case runnerTime = "runner_time"
            case channel = "tls_spki_sha256"
            case logProblem = "log_problem"
            case bootProblem = "boot_problem"
        }
    }

    func run() throws {
        let certificate: AICertificate
        do {
            certificate = try CertificateFile.readV1(path)
        } catch let error as CannotVerify {
            Console.error(Data("aicert inspect: \(error)\n".utf8))
            throw ExitCode(2)
        }
        var problem: String?
        let summary: BuildSummary
        do {
            summary = try BuildLog.summarize(certificate.eventLog)
        } catch {
            problem = "\(error)"
            summary = certificate.summary
        }
        var boot: BootChainView?
        var bootProblem: String?
        if let firmwareLog = certificate.firmwareEventLog {
            do {
                boot = BootChainView(log: try FirmwareEventLog(bytes: firmwareLog.bytes))
            } catch {
                bootProblem = "\(error)"
            }
        }
        let note = "not verified: run `\(Self.verifyHint(path: path, platform: certificate.platform))` to check it"
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
            let bill = BillOfMaterials(
                format: certificate.format, platform: certificate.platform, runnerTime: certificate.runnerTime,
                channel: ChannelBinding.keyDigest(in: certificate.eventLog)?.hex, note: note, logProblem: problem,
                summary: summary, boot: boot, bootProblem: bootProblem)
            Console.out(try encoder.encode(bill) + Data("\n".utf8))
            return
        }
        var lines = [
            "AI certificate \(path) (\(certificate.format)) — \(note)",
            "platform:  \(certificate.platform) (as claimed; `aicert verify` says which root anchors it)",
            "runner:    \(summary.runner)",
            "channel:   "
                + (ChannelBinding.keyDigest(in: certificate.eventLog).map {
                    "TLS key SPKI SHA-256 \($0.hex) (the quote binds it with the nonce)"
                } ?? "none named (a test runner over plain HTTP)"),
            "command:   \(summary.command.joined(separator: " "))",
            "timeout:   \(summary.timeoutSeconds) s",
            "made at:   \(certificate.runnerTime) (the runner's clock, unsigned)"
                + (certificate.timestampToken == nil
                    ? "" : "; carries a time-stamp token (`aicert verify --tsa-root` checks it)"),
            "duration:  \(String(format: "%.1f", Double(summary.durationMilliseconds) / 1000)) s, "
                + "exit status \(summary.exitStatus)",
        ]
        if let problem {
            lines.insert(
                "warning: the event log does not read (\(problem)); showing the certificate's own summary", at: 1)
        }
        if !summary.environment.isEmpty {
            lines.append(
                "env:       "
                    + summary.environment.keys.sorted().map { "\($0)=\(summary.environment[$0] ?? "")" }.joined(
                        separator: " "))
        }
        if !summary.sandbox.isEmpty {
            lines.append("sandbox:")
            lines += summary.sandbox.keys.sorted().map { "  \($0): \(summary.sandbox[$0] ?? "")" }
        }
        lines.append("inputs:")
        for input in summary.inputs {
            lines.append("  \(input.name)  [\(input.kind)] \(input.source)")
            if let commit = input.commit { lines.append("      commit  \(commit)") }
            lines.append(
                "      digest  \(input.manifestDigest)  (\(Sizes.files(input.files)), \(Sizes.bytes(input.bytes)))")
        }
        lines.append("outputs:")
        for output in summary.outputs {
            lines.append("  \(output.name)")
            lines.append(
                "      digest  \(output.manifestDigest)  (\(Sizes.files(output.files)), \(Sizes.bytes(output.bytes)))")
        }
        if let boot { lines += boot.lines }
        if let bootProblem { lines.append("boot:      the firmware event log does not read (\(bootProblem))") }
        print(TerminalText.lines(lines))
    }

    /// The verify command to paste: for an `aicert run` output directory of the local platform,
    /// with the development root written beside the certificate and the unmeasured-boot flag.
    static func verifyHint(path: String, platform: String) -> String {
        let root = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("development-root.pem")
        guard FileManager.default.fileExists(atPath: root.path) else { return "aicert verify \(path)" }
        let shown =
            path.contains("/")
            ? (path as NSString).deletingLastPathComponent + "/development-root.pem" : "development-root.pem"
        let unmeasured = platform == "local" ? " --allow-unmeasured-boot" : ""
        return "aicert verify \(path) --trust-root \(shown)\(unmeasured)"
    }
}
