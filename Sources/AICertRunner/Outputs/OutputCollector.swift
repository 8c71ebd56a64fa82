import AICertCore
import Foundation

/// Measures the build's outputs once the job has ended: every file, symbolic link (recorded,
/// never followed) and empty directory under the outputs directory whose path matches one of
/// the spec's patterns.
///
/// The whole directory is measured with AICertCore's hardened walk, so anything it refuses
/// (a FIFO, a device, a name that breaks the manifest rules) fails the build even outside the
/// patterns: the job controls that directory, and nothing it left there is skipped silently.
/// With the pattern `**` the manifest is exactly `aicert hash` of the downloaded directory.
enum OutputCollector {
    static func measure(_ directory: URL, patterns: [OutputPattern]) async throws -> Manifest {
        do {
            let everything = try await Manifest.measure(directory.path)
            return try Manifest(
                entries: everything.entries.filter { entry in patterns.contains { $0.matches(entry.path) } })
        } catch let error as MeasurementError {
            throw RunnerFailure(.outputsFailed, "the outputs cannot be measured: \(error.reason)")
        }
    }
}
