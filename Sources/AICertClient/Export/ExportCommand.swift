import AICertCore
import AICertVerify
import ArgumentParser
import Foundation

/// `aicert export`: verifies a certificate, then writes it as SLSA provenance, a CycloneDX
/// ML-BOM or a model-signing statement.
struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract:
            "Verify an AI certificate, then write it as SLSA provenance, a CycloneDX ML-BOM or model-signing digests.",
        discussion: """
            Verifies first, with the options of `aicert verify`, and exports nothing from a \
            certificate that does not verify. The output is canonical JSON (sorted members, no \
            whitespace, one final newline): the same certificate always gives the same bytes. \
            docs/exports.md maps every field to where it comes from in the certificate.

                $ cd aicert-output
                $ aicert export certificate.json --format slsa \\
                      --trust-root development-root.pem --allow-unmeasured-boot \\
                      --artifact outputs -o provenance.json

            --envelope KEY wraps an in-toto statement (slsa, model-signing) in a DSSE envelope \
            signed with a PEM EC P-256 private key. The envelope's signature only says who \
            published the statement: the certificate is the proof.

            Exit status: 0 exported, 1 the certificate did not verify (the failed checks are \
            named), 2 could not verify or export (usage error, unreadable file, a format that \
            cannot describe the build, a bad key).
            """
    )

    @Argument(
        help: ArgumentHelp("The certificate file, e.g. `aicert-output/certificate.json`.", valueName: "certificate"))
    var path: String

    @Option(
        help: ArgumentHelp(
            "What to write: slsa, cyclonedx or model-signing, e.g. `--format slsa`.", valueName: "format"))
    var format: ExportFormat

    @Option(
        name: .shortAndLong,
        help: ArgumentHelp(
            "Write to this file instead of standard output, e.g. `-o provenance.json`.", valueName: "file"))
    var output: String?

    @Option(
        help: ArgumentHelp(
            "Wrap the statement in a DSSE envelope signed with this PEM EC P-256 private key, e.g. `--envelope "
                + "key.pem` (slsa and model-signing).",
            valueName: "key"))
    var envelope: String?

    @Option(
        name: .customLong("output-name"),
        help: ArgumentHelp(
            "The output model-signing describes when the build has several, e.g. `--output-name outputs`.",
            valueName: "name"))
    var outputName: String?

    @OptionGroup var verification: VerificationArguments

    init() {}

    func validate() throws {
        if envelope != nil && !format.isInTotoStatement {
            throw ValidationError("--envelope wraps an in-toto statement: use it with --format slsa or model-signing")
        }
        if outputName != nil && format != .modelSigning {
            throw ValidationError("--output-name chooses the output of --format model-signing")
        }
    }

    func run() async throws {
        do {
            let options = try verification.options()
            let bytes = try CertificateFile.bytes(path)
            guard case .v1(let certificate) = try CertificateFile.decode(bytes, path: path) else {
                throw CannotVerify("\(path): a legacy AICert proof, which has no aicert/v1 event log to export")
            }
            let report = await CertificateVerifier.verify(certificate, options: options)
            let build = try VerifiedBuild(certificate: certificate, bytes: bytes, report: report)
            try write(try exported(build))
        } catch let error as CannotVerify {
            Console.error(Data("aicert export: could not verify: \(error)\n".utf8))
            throw ExitCode(2)
        } catch let error as ExportError where error.code == .notVerified {
            Console.error(Data("aicert export: \(error)\n".utf8))
            throw ExitCode(1)
        } catch let error as ExportError {
            Console.error(Data("aicert export: cannot export \(format.rawValue): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }

    /// The export bytes of `build`, in an envelope when one is asked for.
    private func exported(_ build: VerifiedBuild) throws -> [UInt8] {
        let exporter: any Exporter =
            switch format {
            case .slsa: SLSAProvenanceExporter()
            case .cyclonedx: CycloneDXExporter()
            case .modelSigning: ModelSigningExporter(output: outputName)
            }
        let statement = try exporter.export(build)
        guard let envelope else { return statement }
        let pem: String
        do {
            pem = String(decoding: try CertificateFile.bytes(envelope, limit: 1 << 16), as: UTF8.self)
        } catch let error as CannotVerify {
            throw ExportError(.badSigningKey, "--envelope \(error)")
        }
        return ExportEncoding.bytes(try DSSEEnvelope(privateKeyPEM: pem).envelope(of: statement))
    }

    private func write(_ bytes: [UInt8]) throws {
        guard let output else {
            Console.out(Data(bytes))
            return
        }
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            Console.error(Data("aicert export: -o \(output): cannot be written (\(error.localizedDescription))\n".utf8))
            throw ExitCode(2)
        }
    }
}

extension ExportFormat: ExpressibleByArgument {}
