import AICertCore
import AICertVerify
import ArgumentParser
import Foundation

/// `aicert verify`: checks an AI certificate offline and says which check failed and why.
struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an AI certificate offline: chain, quote, event log, boot state, policy and files.",
        discussion: """
            Runs the checks of docs/verification-rules.md and prints one line per check:

                $ aicert verify cert.json --trust-root dev-root.pem \\
                      --allow-unmeasured-boot --artifact outputs/
                ✓ ak-chain         AK certificate '…' chains to '…' (development root)
                ✓ quote-signature  rsassa signature with sha256 by the AK verifies
                …
                VALID, boot not measured (trust: development, root '…')

            Legacy proofs of the original AICert (attestation.json) are verified through the \
            same checks; they carry no nonce, manifests or clock, so the chain is checked at \
            the current time (or --at) and freshness is a warning.

            Marks: ✓ pass, ✗ fail, ! warn, - skip. The certificate is valid only if no check \
            failed. boot-state fails unless the PCRs 0-13 match the reference values of the \
            image the certificate's runner event names (built in, registered with `aicert \
            image measure --register`, or from --policy); --allow-unmeasured-boot accepts a \
            boot nothing describes, and the verdict then says "boot not measured". Only the \
            built-in Azure vTPM root is trusted unless --trust-root or a policy names more; \
            the trust line says which kind of root anchored the chain (production: built in; \
            development: AICert's development CA; custom: another root you passed). Nothing \
            the certificate carries is trusted by itself, and the chain is checked now or at \
            --at, never at a time the certificate states.

            Exit status: 0 valid, 1 verification failed, 2 could not verify (usage error, \
            unreadable file, not JSON, unknown format, bad policy or root file).
            """
    )

    @Argument(
        help: ArgumentHelp("The certificate file, e.g. `aicert-output/certificate.json`.", valueName: "certificate"))
    var path: String

    @OptionGroup var verification: VerificationArguments

    @Flag(
        help: ArgumentHelp(
            "Print the report as JSON: {valid, verdict, trust, trust_root, format, platform, checks, inputs, "
                + "outputs, summary, timestamp}.")
    )
    var json = false

    init() {}

    func run() async throws {
        do {
            let (document, options) = try prepare()
            let report: VerificationReport
            switch document {
            case .v1(let certificate): report = await CertificateVerifier.verify(certificate, options: options)
            case .legacy(let proof): report = await LegacyVerifier.verify(proof, options: options)
            }
            if json {
                Console.out(try report.jsonData() + Data("\n".utf8))
            } else {
                print(ReportText.render(report, path: path), terminator: "")
            }
            if !report.valid { throw ExitCode(1) }
        } catch let error as CannotVerify {
            Console.error(Data("aicert verify: could not verify: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// Reads everything the verification needs; any problem is a ``CannotVerify``.
    private func prepare() throws -> (CertificateDocument, VerificationOptions) {
        let options = try verification.options()
        return (try CertificateFile.read(path), options)
    }
}

/// The human form of a report: a headline, one line per check, then inputs and outputs.
enum ReportText {
    static func render(_ report: VerificationReport, path: String) -> String {
        var lines: [String] = []
        lines.append(
            "\(path): \(report.format), platform \(report.platform ?? "unknown (the event log cannot be read)")")
        let width = CheckName.allCases.map(\.rawValue.count).max() ?? 0
        for check in report.checks {
            let name = check.name.rawValue.padding(toLength: width, withPad: " ", startingAt: 0)
            lines.append("  \(mark(check.status)) \(name)  \(check.detail)")
        }
        if !report.inputs.isEmpty {
            lines.append("inputs:")
            for input in report.inputs {
                let commit = input.commit.map { " @\($0.prefix(12))" } ?? ""
                lines.append(
                    "  \(input.name)  \(input.kind) \(input.source)\(commit)  \(input.manifestDigest.prefix(16))…  "
                        + "\(Sizes.files(input.files)), \(Sizes.bytes(input.bytes))"
                )
            }
        }
        if !report.outputs.isEmpty {
            lines.append("outputs:")
            for output in report.outputs {
                lines.append(
                    "  \(output.name)  \(output.manifestDigest.prefix(16))…  \(Sizes.files(output.files)), "
                        + "\(Sizes.bytes(output.bytes))"
                )
            }
        }
        if let failure = report.firstFailure {
            let count = report.checks.count { $0.status == .fail }
            lines.append(
                "INVALID: \(failure.name.rawValue) failed\(count > 1 ? " (and \(count - 1) more)" : ""): "
                    + "\(failure.detail)"
            )
        } else {
            let warnings = report.checks.filter { $0.status == .warn }.map(\.name.rawValue)
            lines.append(
                report.verdict + " (trust: \(trustText(report)))"
                    + (warnings.isEmpty ? "" : " (with warnings: \(warnings.joined(separator: ", ")))"))
        }
        return TerminalText.lines(lines) + "\n"
    }

    /// `production, root '…'`: what anchored the chain, so development is never mistaken for production.
    static func trustText(_ report: VerificationReport) -> String {
        report.trustRoot.map { "\(report.trust.rawValue), root '\($0)'" } ?? report.trust.rawValue
    }

    static func mark(_ status: CheckStatus) -> String {
        switch status {
        case .pass: "✓"
        case .fail: "✗"
        case .warn: "!"
        case .skip: "-"
        }
    }
}

/// Human sizes for reports.
enum Sizes {
    static func files(_ count: Int) -> String { count == 1 ? "1 file" : "\(count) files" }

    static func bytes(_ count: Int) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(count)
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(count) B" : String(format: "%.1f %@", value, units[unit])
    }
}
