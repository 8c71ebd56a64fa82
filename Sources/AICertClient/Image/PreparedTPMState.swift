import AICertCore
import AICertVerify
import Foundation
import TPM2

/// A software TPM state for booting the base image: a copy of the local platform's manufactured
/// swtpm state (EK and EK certificate), with the attestation key persisted at `0x81000003` and
/// its certificate, from the development CA, in NV `0x01C101D0` — the layout of an Azure vTPM,
/// made with the same ``VirtualTPMLayout`` as the local platform.
///
/// The directory holds `state/` (for `swtpm --tpmstate dir=…`; copy it for each boot, a boot
/// changes it), `ak-intermediates.pem` (for the runner, through fw_cfg) and `root.pem` (the
/// development root to verify certificates with).
enum PreparedTPMState {
    /// Makes the state in `directory`, which must not exist yet; the development CA and the
    /// manufactured template come from (or are made once in) `home`. The swtpm it provisions
    /// with is stopped by `teardown` should a signal arrive; when making fails, `directory` is
    /// removed so that a second try can use it.
    static func make(in directory: URL, home: URL, teardown: PlatformTeardown, progress: @escaping (String) -> Void)
        async throws
    {
        let files = FileManager.default
        guard !files.fileExists(atPath: directory.path) else {
            throw LocalPlatformError("prepare-tpm", "\(directory.path) exists already; give a new directory")
        }
        do {
            try await makeNew(in: directory, home: home, teardown: teardown, progress: progress)
        } catch {
            try? files.removeItem(at: directory)
            throw error
        }
    }

    private static func makeNew(
        in directory: URL, home: URL, teardown: PlatformTeardown, progress: @escaping (String) -> Void
    )
        async throws
    {
        let files = FileManager.default
        do {
            for path in [home, directory] {
                try files.createDirectory(
                    at: path, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            }
        } catch {
            throw LocalPlatformError("prepare-tpm", "cannot create \(directory.path): \(error.localizedDescription)")
        }
        let ca = try DevelopmentCA.loadOrCreate(in: home.appendingPathComponent("ca"))
        let template = try SwtpmStateTemplate.ensure(in: home, teardown: teardown, progress: progress)
        let state = directory.appendingPathComponent("state")
        do {
            try files.copyItem(at: template, to: state)
        } catch {
            throw LocalPlatformError(
                "prepare-tpm", "cannot copy the TPM template into \(state.path): \(error.localizedDescription)")
        }

        let port = try Loopback.swtpmPorts()
        let swtpm = try PlatformProcess(
            "swtpm", executable: try HostTool.path("swtpm"),
            arguments: Swtpm.tcpArguments(state: state, port: port),
            environment: HostTool.environment, log: directory.appendingPathComponent("swtpm.log"))
        teardown.adopt(swtpm)
        defer { swtpm.stop() }
        var tries = 0
        while tries < 250 && swtpm.isRunning && !Loopback.accepts(port) {
            tries += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        guard swtpm.isRunning, Loopback.accepts(port) else {
            throw LocalPlatformError("swtpm", "did not start on 127.0.0.1:\(port): \(swtpm.logTail())")
        }
        progress("provisioning the attestation key at 0x81000003 and its certificate at NV 0x01C101D0")
        do {
            let tpm = try TPMClient(tcti: "swtpm:host=127.0.0.1,port=\(port)")
            try tpm.startup()
            _ = try VirtualTPMLayout.provision(tpm, ca: ca)
        } catch let error as TPM2Error {
            throw LocalPlatformError("attestation key", "cannot be provisioned in swtpm: \(error.reason)")
        }
        let intermediate = Data(try ca.intermediate.pemString.utf8)
        let root = Data(try ca.root.pemString.utf8)
        let intermediatePath = directory.appendingPathComponent("ak-intermediates.pem").path
        guard files.createFile(atPath: intermediatePath, contents: intermediate),
            files.createFile(atPath: directory.appendingPathComponent("root.pem").path, contents: root)
        else {
            throw LocalPlatformError("prepare-tpm", "cannot write the CA certificates in \(directory.path)")
        }
    }
}
