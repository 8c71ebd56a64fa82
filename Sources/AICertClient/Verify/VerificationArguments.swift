import AICertCore
import AICertVerify
import ArgumentParser
import Foundation
import X509

/// The options that say how to verify a certificate, shared by `aicert verify` and `aicert export`.
struct VerificationArguments: ParsableArguments {
    @Option(
        name: .customLong("trust-root"),
        help: ArgumentHelp(
            "A PEM (or DER) root certificate to trust besides the built-in ones; repeatable, e.g. `--trust-root "
                + "dev-root.pem`.",
            valueName: "pem"))
    var trustRoots: [String] = []

    @Option(
        name: .customLong("tsa-root"),
        help: ArgumentHelp(
            "A PEM (or DER) root a time-stamp token's TSA certificate may chain to; repeatable. A valid token "
                + "moves the AK chain's check to its time (docs/timestamps.md).",
            valueName: "pem"))
    var tsaRoots: [String] = []

    @Option(
        help: ArgumentHelp(
            "A policy file (YAML, see docs/policy.md): roots, reference PCRs, required inputs and outputs.",
            valueName: "file"))
    var policy: String?

    @Option(
        name: .customLong("artifact"),
        help: ArgumentHelp(
            "A file or directory to re-hash and match against the outputs; repeatable, e.g. `--artifact model.npz`.",
            valueName: "path"))
    var artifacts: [String] = []

    @Option(
        help: ArgumentHelp(
            "Check the chain at this RFC 3339 time instead of now, unless a valid time-stamp token gives its own, "
                + "e.g. `--at 2026-12-01T00:00:00Z`.",
            valueName: "time"
        ))
    var at: String?

    @Flag(
        help: ArgumentHelp(
            "Accept a boot that no reference values describe (a local development run); boot-state is then skipped.",
            discussion:
                "The verdict line says `VALID, boot not measured`: nothing then proves what software ran beside the "
                + "job."
        ))
    var allowUnmeasuredBoot = false

    init() {}

    /// Reads the roots, policy and registered images the options name; any problem is a ``CannotVerify``.
    func options() throws -> VerificationOptions {
        var roots: [Certificate] = []
        for root in trustRoots {
            do {
                roots += try TrustStore.certificates(in: try CertificateFile.bytes(root, limit: 1 << 20), source: root)
            } catch let error as TrustRootError {
                throw CannotVerify("--trust-root \(error)")
            }
        }
        var timestampRoots: [Certificate] = []
        for root in tsaRoots {
            do {
                timestampRoots += try TrustStore.certificates(
                    in: try CertificateFile.bytes(root, limit: 1 << 20), source: root)
            } catch let error as TrustRootError {
                throw CannotVerify("--tsa-root \(error)")
            }
        }
        var verificationPolicy: VerificationPolicy?
        if let policy {
            do {
                let file = try PolicyFile.load(policy)
                roots += file.trustedRoots
                timestampRoots += file.timestampRoots
                verificationPolicy = file.policy
            } catch let error as PolicyFileError {
                throw CannotVerify("policy \(error)")
            }
        }
        var time: Date?
        if let at {
            guard let date = RFC3339.date(from: at) else {
                throw CannotVerify("--at '\(at)' is not an RFC 3339 time such as 2026-12-01T00:00:00Z")
            }
            time = date
        }
        for artifact in artifacts where !FileManager.default.fileExists(atPath: artifact) {
            throw CannotVerify("--artifact \(artifact): no such file or directory")
        }
        let registered: [KnownImage]
        do {
            registered = try RegisteredImages.load()
        } catch let error as PolicyFileError {
            throw CannotVerify("registered image \(error)")
        }
        return VerificationOptions(
            trustRoots: roots, policy: verificationPolicy, knownImages: registered,
            allowUnmeasuredBoot: allowUnmeasuredBoot,
            artifacts: artifacts, validationTime: time, timestampRoots: timestampRoots)
    }
}
