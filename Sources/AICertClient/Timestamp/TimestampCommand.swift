import AICertCore
import AICertVerify
import ArgumentParser
import Foundation
import X509

/// `aicert timestamp`: adds an RFC 3161 time-stamp token to a certificate that has none.
struct TimestampCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "timestamp",
        abstract: "Add an RFC 3161 time-stamp token to an existing AI certificate.",
        discussion: """
            Asks the Time-Stamping Authority for a token over the SHA-256 of the certificate's quote \
            signature and writes the certificate with it (atomically, in place unless --output is \
            given). A valid token lets the certificate verify after its AK certificate expired: the \
            verifier checks the AK chain at the token's time (docs/timestamps.md).

                $ aicert timestamp aicert-output/certificate.unstamped.json --tsa https://tsa.example/tsr \\
                    --tsa-root tsa-root.pem --output aicert-output/certificate.json

            Exit status: 0 written, 2 usage error or unreadable certificate, 3 the TSA failed or its \
            token does not verify with --tsa-root.
            """
    )

    @Argument(help: ArgumentHelp("The certificate file (aicert/v1).", valueName: "certificate"))
    var path: String

    @Option(
        help: ArgumentHelp("The Time-Stamping Authority's URL, e.g. `--tsa https://tsa.example/tsr`.", valueName: "url")
    )
    var tsa: String

    @Option(
        name: .customLong("tsa-root"),
        help: ArgumentHelp(
            "A PEM root the TSA's certificate must chain to, checked before writing; repeatable.",
            valueName: "pem"))
    var tsaRoots: [String] = []

    @Option(
        name: [.customShort("o"), .customLong("output")],
        help: ArgumentHelp("Where to write the stamped certificate (default: in place).", valueName: "file"))
    var output: String?

    init() {}

    func validate() throws {
        if TimestampURL.parse(tsa) == nil {
            throw ValidationError("--tsa is an absolute http(s) URL such as https://tsa.example/tsr.")
        }
    }

    func run() async throws {
        var certificate: AICertificate
        var roots: [Certificate] = []
        do {
            guard case .v1(let parsed) = try CertificateFile.read(path) else {
                throw CannotVerify("\(path): a legacy proof cannot carry a time-stamp token")
            }
            certificate = parsed
            guard certificate.timestampToken == nil else {
                throw CannotVerify("\(path) already carries a time-stamp token")
            }
            for root in tsaRoots {
                do {
                    roots += try TrustStore.certificates(
                        in: try CertificateFile.bytes(root, limit: 1 << 20), source: root)
                } catch let error as TrustRootError {
                    throw CannotVerify("--tsa-root \(error)")
                }
            }
        } catch let error as CannotVerify {
            Self.fail("\(error)")
            throw ExitCode(2)
        }
        guard let url = TimestampURL.parse(tsa) else { throw ExitCode(2) }
        let signature = certificate.quote.signature.bytes
        let token: [UInt8]
        do {
            token = try await TimestampAuthority(url: url).token(over: signature)
        } catch {
            Self.fail("no time-stamp token: \(error)")
            throw ExitCode(3)
        }
        if !roots.isEmpty {
            switch await TimestampVerifier.verify(token: token, signature: signature, roots: roots) {
            case .success(let stamp):
                let line = "time-stamped at \(RFC3339.string(from: stamp.time)) by \(stamp.authority)"
                Console.error(Data((TerminalText.escaped(line) + "\n").utf8))
            case .failure(let failure):
                Self.fail("the token does not verify (\(failure.reason.rawValue)): \(failure.detail)")
                throw ExitCode(3)
            }
        }
        certificate.timestampToken = Base64Bytes(token)
        let destination = URL(fileURLWithPath: output ?? path)
        let directory = OutputDirectory(path: destination.deletingLastPathComponent().path)
        do {
            try directory.writeAtomically(try certificate.jsonData(), to: destination)
            // A run that failed only for want of a token is finished once its stamped
            // certificate.json is in place beside the unstamped one.
            let source = URL(fileURLWithPath: path).standardizedFileURL
            if destination.standardizedFileURL == directory.certificate.standardizedFileURL,
                source == directory.unstampedCertificate.standardizedFileURL
            {
                try directory.markComplete()
            }
        } catch {
            Self.fail("cannot write \(destination.path): \(error)")
            throw ExitCode(3)
        }
        Console.out(Data("\(destination.path): time-stamp token added\n".utf8))
    }

    private static func fail(_ message: String) {
        Console.error(Data("aicert timestamp: \(TerminalText.escaped(message))\n".utf8))
    }
}
