import AICertCore
import Foundation

/// The manufactured TPM state every local run starts from: made once under `AICERT_HOME/swtpm`
/// by `swtpm_setup`, with an RSA and an ECC endorsement key and their EK certificates issued
/// by a local swtpm CA of its own (`swtpm_localca`, configured under the same directory).
///
/// Every run copies it, so each run gets a TPM no earlier run has touched (PCRs 14 and 15 at
/// zero), while the seeds, and so the EK, stay those of this one "manufactured" TPM.
enum SwtpmStateTemplate {
    /// The template's state directory, manufactured first if it is missing; a signal during
    /// manufacture stops `swtpm_setup` and removes the half-made state through `teardown`.
    static func ensure(in home: URL, teardown: PlatformTeardown, progress: (String) -> Void) throws -> URL {
        let root = home.appendingPathComponent("swtpm")
        let state = root.appendingPathComponent("state")
        if FileManager.default.fileExists(atPath: state.appendingPathComponent("tpm2-00.permall").path) {
            return state
        }
        progress("manufacturing a software TPM (EK and EK certificate) in \(root.path); this happens once")
        // Made aside and renamed into place, so that an interrupted setup leaves nothing half made.
        let staging = home.appendingPathComponent(".swtpm-\(UUID().uuidString)")
        teardown.adopt(directory: staging)
        defer { try? FileManager.default.removeItem(at: staging) }
        try manufacture(in: staging, teardown: teardown)
        if FileManager.default.fileExists(atPath: root.path) {
            // A leftover without a complete state, or one made meanwhile by a concurrent run.
            if FileManager.default.fileExists(atPath: state.appendingPathComponent("tpm2-00.permall").path) {
                return state
            }
            try FileManager.default.removeItem(at: root)
        }
        do {
            try FileManager.default.moveItem(at: staging, to: root)
        } catch {
            guard FileManager.default.fileExists(atPath: state.appendingPathComponent("tpm2-00.permall").path) else {
                throw LocalPlatformError(
                    "swtpm_setup", "cannot move the manufactured state to \(root.path): \(error.localizedDescription)")
            }
        }
        return state
    }

    private static func manufacture(in directory: URL, teardown: PlatformTeardown) throws {
        let arguments = try Swtpm.Manufacture(in: directory, model: "development")
            .prepare(localCA: try HostTool.path("swtpm_localca"))
        let process = try PlatformProcess(
            "swtpm_setup", executable: try HostTool.path("swtpm_setup"), arguments: arguments,
            environment: HostTool.environment, log: directory.appendingPathComponent("swtpm_setup.log"))
        teardown.adopt(process)
        guard process.waitForExit(timeout: .seconds(120)) else {
            process.stop()
            throw LocalPlatformError("swtpm_setup", "did not finish within 2 minutes: \(process.logTail())")
        }
        let termination = process.termination
        guard termination == .exited(0) else {
            throw LocalPlatformError(
                "swtpm_setup", "failed (\(termination.map { "\($0)" } ?? "unknown")): \(process.logTail())")
        }
    }
}
