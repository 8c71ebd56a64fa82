import AICertCore
import Foundation
import Glibc

/// The files `aicert run` leaves in its output directory (`aicert-output` by default):
/// `job.log`, `outputs/`, `certificate.json` and, for the local platform,
/// `development-root.pem`. A run first removes these names left by an earlier run, and writes
/// the certificate and the outputs only once they verify, each moved into place whole.
struct OutputDirectory: Sendable {
    /// The directory as the user named it, for messages and the printed `aicert verify` command.
    let path: String

    var url: URL { URL(fileURLWithPath: path) }
    var jobLog: URL { url.appendingPathComponent("job.log") }
    var outputs: URL { url.appendingPathComponent("outputs") }
    var certificate: URL { url.appendingPathComponent("certificate.json") }
    /// Where a certificate that failed verification is kept for inspection.
    var rejectedCertificate: URL { url.appendingPathComponent("certificate.rejected.json") }
    /// A verified certificate that lacks the time-stamp token the run asked for.
    var unstampedCertificate: URL { url.appendingPathComponent("certificate.unstamped.json") }
    var developmentRoot: URL { url.appendingPathComponent("development-root.pem") }

    /// `item` (one of the files above) as a path under ``path``.
    func shown(_ item: URL) -> String {
        path.hasSuffix("/") ? path + item.lastPathComponent : path + "/" + item.lastPathComponent
    }

    /// Creates the directory and removes what an earlier run left in it.
    func prepare() throws {
        let files = FileManager.default
        do {
            try files.createDirectory(at: url, withIntermediateDirectories: true)
            for item in [jobLog, outputs, certificate, rejectedCertificate, developmentRoot]
            where (try? item.checkResourceIsReachable()) == true || isSymbolicLink(item) {
                try files.removeItem(at: item)
            }
        } catch {
            throw RunFailure(.platform, "cannot prepare the output directory \(path): \(error.localizedDescription)")
        }
    }

    /// A new directory to download the outputs into before they are verified.
    func stagingForOutputs() -> URL {
        url.appendingPathComponent(".outputs-\(UUID().uuidString)")
    }

    /// Moves verified outputs from `staging` to `outputs/`.
    func publishOutputs(from staging: URL) throws {
        try FileManager.default.moveItem(at: staging, to: outputs)
    }

    /// Writes `data` to `destination` through a temporary file and a rename, so that the file
    /// is either whole or absent.
    func writeAtomically(_ data: Data, to destination: URL) throws {
        let temporary = url.appendingPathComponent(".\(destination.lastPathComponent).\(UUID().uuidString)")
        do {
            try data.write(to: temporary)
            // On disk before it takes the name: a crash leaves the old file or the new, never an empty one.
            let descriptor = open(temporary.path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0, fsync(descriptor) == 0 else {
                if descriptor >= 0 { close(descriptor) }
                throw RunFailure(.platform, "cannot write \(temporary.path): \(String(cString: strerror(errno)))")
            }
            close(descriptor)
            guard rename(temporary.path, destination.path) == 0 else {
                throw RunFailure(
                    .platform,
                    "cannot move \(temporary.path) to \(destination.path): \(String(cString: strerror(errno)))")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    private func isSymbolicLink(_ item: URL) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: item.path)) != nil
    }
}
