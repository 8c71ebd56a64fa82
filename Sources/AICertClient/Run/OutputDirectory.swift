import AICertCore
import Foundation
import Glibc

/// The files `aicert run` leaves in its output directory (`aicert-output` by default):
/// `job.log`, `outputs/`, `certificate.json` and, for the local platform,
/// `development-root.pem`. A run first removes these names left by an earlier run, and writes
/// the certificate and the outputs only once they verify, each moved into place whole.
///
/// While a run is under way the directory holds `RUN-INCOMPLETE`, which says so: it is written
/// before anything else, stays (with the reason) when the run fails, and stays as it is when
/// the run is killed. It goes only after `certificate.json` is in place, so a directory with
/// `RUN-INCOMPLETE` or without `certificate.json` is never a finished run.
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
    /// There while a run is under way, and after one that failed or was killed.
    var incompleteMarker: URL { url.appendingPathComponent("RUN-INCOMPLETE") }

    /// `item` (one of the files above) as a path under ``path``.
    func shown(_ item: URL) -> String {
        path.hasSuffix("/") ? path + item.lastPathComponent : path + "/" + item.lastPathComponent
    }

    /// Creates the directory, marks it incomplete and removes what an earlier run left in it,
    /// including the staging directories and temporary files of a run that was killed.
    func prepare() throws {
        let files = FileManager.default
        do {
            try files.createDirectory(at: url, withIntermediateDirectories: true)
            try writeAtomically(Data(Self.incompleteNote().utf8), to: incompleteMarker)
            for item in [jobLog, outputs, certificate, rejectedCertificate, developmentRoot]
            where (try? item.checkResourceIsReachable()) == true || isSymbolicLink(item) {
                try files.removeItem(at: item)
            }
            let ours = [
                outputs, certificate, rejectedCertificate, unstampedCertificate, developmentRoot, incompleteMarker,
            ]
            .map { "." + $0.lastPathComponent }
            for name in try files.contentsOfDirectory(atPath: url.path)
            where ours.contains(where: { name.hasPrefix($0 + "-") || name.hasPrefix($0 + ".") }) {
                try files.removeItem(at: url.appendingPathComponent(name))
            }
        } catch let failure as RunFailure {
            throw failure
        } catch {
            throw RunFailure(.platform, "cannot prepare the output directory \(path): \(error.localizedDescription)")
        }
    }

    /// The run failed: `RUN-INCOMPLETE` stays, with the reason.
    func markFailed(_ reason: String) {
        guard (try? incompleteMarker.checkResourceIsReachable()) == true else { return }
        try? writeAtomically(Data((Self.incompleteNote() + "It failed: \(reason)\n").utf8), to: incompleteMarker)
    }

    /// The run finished and `certificate.json` is in place: `RUN-INCOMPLETE` goes.
    func markComplete() throws {
        guard unlink(incompleteMarker.path) == 0 || errno == ENOENT else {
            throw RunFailure(
                .platform, "cannot remove \(shown(incompleteMarker)): \(String(cString: strerror(errno)))")
        }
    }

    private static func incompleteNote() -> String {
        """
        This directory holds an `aicert run` that has not finished: started \(Date().ISO8601Format()), \
        process \(getpid()). What is here may be partial. A finished run has certificate.json and no \
        RUN-INCOMPLETE.

        """
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
    /// is either whole or absent (and an older one stays whole when the disk is full).
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
            if DiskSpace.isExhausted(url.path) {
                throw RunFailure(.platform, "cannot write \(shown(destination)): \(DiskSpace.noSpace(holding: path))")
            }
            throw error
        }
    }

    private func isSymbolicLink(_ item: URL) -> Bool {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: item.path)) != nil
    }
}
