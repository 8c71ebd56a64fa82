import AICertCore
import AICertVerify
import Foundation

/// What `aicert run` prints at the end of a verified build: the certificate's summary, as the
/// verifier derived it from the event log, and the command that checks it independently.
struct RunSummary: Sendable {
    let project: String
    let directory: OutputDirectory
    let outcome: BuildSession.Outcome
    /// Roots the verification needs besides the built-in ones, as files (`--trust-root`).
    let trustRootFiles: [String]
    /// Roots for the certificate's time-stamp token, as files (`--tsa-root`), when it has one.
    var tsaRootFiles: [String] = []

    /// `aicert verify DIR/certificate.json --trust-root … [--allow-unmeasured-boot] --artifact DIR/outputs`:
    /// it works as printed, so it names the flag when no reference values describe the boot.
    var verifyCommand: String {
        let unmeasured = outcome.report.check(.bootState)?.status == .skip ? ["--allow-unmeasured-boot"] : []
        return
            (["aicert", "verify", directory.shown(directory.certificate)]
            + trustRootFiles.flatMap { ["--trust-root", $0] }
            + (outcome.certificate.timestampToken == nil ? [] : tsaRootFiles.flatMap { ["--tsa-root", $0] })
            + unmeasured
            + ["--artifact", directory.shown(directory.outputs)]).map(Self.quoted).joined(separator: " ")
    }

    var text: String {
        let certificate = outcome.certificate
        let summary = certificate.summary
        var lines = ["", "✓ \(directory.shown(directory.certificate)): verified AI certificate for \(project)"]
        lines.append(
            "  platform  \(certificate.platform) (trust: \(ReportText.trustText(outcome.report))), "
                + "\(outcome.identity.attestationKeyCertificate)")
        if let stamp = outcome.report.timestamp {
            lines.append("  timestamp \(RFC3339.string(from: stamp.time)) by \(TerminalText.escaped(stamp.authority))")
        } else if certificate.timestampToken != nil {
            lines.append("  timestamp a token from the TSA; its chain is checked with --tsa-root")
        }
        if outcome.report.check(.bootState)?.status == .skip {
            lines.append("  boot      not measured: no reference values describe this machine's boot")
        }
        lines.append(
            "  command   \(summary.command.joined(separator: " ")): exit status \(summary.exitStatus) "
                + "after \(String(format: "%.1f", Double(summary.durationMilliseconds) / 1000)) s")
        for input in outcome.report.inputs {
            let commit = input.commit.map { " @ \($0)" } ?? ""
            lines.append("  input     \(input.name): \(input.kind) \(input.source)\(commit)")
            lines.append(
                "            \(Self.count(input.files, "file")), \(ProgressDisplay.size(UInt64(max(input.bytes, 0)))), "
                    + "manifest \(input.manifestDigest)"
            )
        }
        for output in outcome.report.outputs {
            lines.append(
                "  output    \(output.name): \(Self.count(output.files, "file")), "
                    + "\(ProgressDisplay.size(UInt64(max(output.bytes, 0)))), "
                    + "manifest \(output.manifestDigest) in \(directory.shown(directory.outputs))/")
        }
        let marks: [CheckStatus: String] = [.pass: "✓", .fail: "✗", .warn: "!", .skip: "-"]
        lines.append(
            "  checks    "
                + outcome.report.checks.map { "\(marks[$0.status] ?? "?") \($0.name.rawValue)" }.joined(separator: "  ")
        )
        lines.append("")
        lines.append("Anyone can check it with:")
        lines.append("  \(verifyCommand)")
        return TerminalText.lines(lines) + "\n"
    }

    /// `{certificate, outputs, job_log, verify_command, report}` for `--json`.
    func json() throws -> Data {
        struct Document: Encodable {
            let certificate: String
            let outputs: String
            let jobLog: String
            let developmentRoot: String?
            let verifyCommand: String
            let report: VerificationReport

            enum CodingKeys: String, CodingKey {
                case certificate, outputs, report
                case jobLog = "job_log"
                case developmentRoot = "development_root"
                case verifyCommand = "verify_command"
            }
        }
        let document = Document(
            certificate: directory.shown(directory.certificate), outputs: directory.shown(directory.outputs),
            jobLog: directory.shown(directory.jobLog),
            developmentRoot: outcome.report.trust == .development ? directory.shown(directory.developmentRoot) : nil,
            verifyCommand: verifyCommand, report: outcome.report)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(document) + Data("\n".utf8)
    }

    /// `1 file`, `2 files`.
    private static func count(_ number: Int, _ noun: String) -> String {
        "\(number) \(noun)\(number == 1 ? "" : "s")"
    }

    /// A shell word: as it is when it is safe, otherwise in single quotes.
    private static func quoted(_ word: String) -> String {
        let safe = word.unicodeScalars.allSatisfy {
            CharacterSet.alphanumerics.contains($0) || "-_./=:@%+,".unicodeScalars.contains($0)
        }
        return safe && !word.isEmpty ? word : "'" + word.replacingOccurrences(of: "'", with: #"'\''"#) + "'"
    }
}
