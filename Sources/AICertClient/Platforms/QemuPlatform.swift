import AICertCore
import AICertVerify
import Foundation

/// The `qemu` platform: the AICert base image (`image/build.sh`) booted under QEMU with OVMF
/// and a software TPM, so that a certificate also proves the firmware, the unified kernel
/// image and, through its dm-verity root hash, the root file system the runner came from.
///
/// Per build, in a temporary directory: a TPM state made like the local platform's (EK, AK at
/// `0x81000003`, its certificate from the development CA at NV `0x01C101D0`), `swtpm` serving
/// it to QEMU over a UNIX socket, the image's disk read-only, the runner's token through
/// `fw_cfg` (never on the disk, never measured), and the runner's port forwarded to a free
/// loopback port. Emulated (no KVM needed): the machine takes about a minute to boot.
public struct QemuPlatform: Platform {
    /// How long the machine may take until its runner answers.
    static let bootTimeout = Duration.seconds(600)
    /// OVMF as Debian's `ovmf` package installs it.
    static let firmwareCode = "/usr/share/OVMF/OVMF_CODE_4M.fd"
    static let firmwareVariables = "/usr/share/OVMF/OVMF_VARS_4M.fd"

    /// The base image: the directory `image/build.sh` wrote, with `disk.raw`.
    public let image: URL
    /// `AICERT_HOME`: where the development CA and the manufactured TPM state are kept.
    public let home: URL

    public init(image: URL, home: URL) {
        self.image = image
        self.home = home
    }

    public var kind: PlatformKind { .qemu }
    public var isDevelopment: Bool { true }

    /// Boots the image and waits until its runner answers. Until the returned platform is
    /// stopped, SIGINT, SIGTERM and SIGHUP stop QEMU and swtpm and exit.
    public func start(progress: @escaping @Sendable (String) -> Void) async throws -> RunningPlatform {
        progress("starting the qemu platform (swtpm and the base image under QEMU)")
        let teardown = try PlatformTeardown()
        do {
            return try await Self.start(image: image, home: home, teardown: teardown, progress: progress)
        } catch {
            teardown.release()
            throw error
        }
    }

    private static func start(
        image: URL, home: URL, teardown: PlatformTeardown, progress: @escaping @Sendable (String) -> Void
    )
        async throws -> RunningPlatform
    {
        let files = FileManager.default
        let disk = image.appendingPathComponent("disk.raw")
        // QEMU separates option values with commas: a path with one would add options of its own.
        guard !disk.path.contains(",") else {
            throw LocalPlatformError(
                "qemu", "\(disk.path) contains a comma, which QEMU's options cannot take; move the image")
        }
        guard files.isReadableFile(atPath: disk.path) else {
            throw LocalPlatformError("qemu", "\(image.path) has no disk.raw; build the base image with image/build.sh")
        }
        for firmware in [firmwareCode, firmwareVariables] where !files.isReadableFile(atPath: firmware) {
            throw LocalPlatformError("qemu", "\(firmware) is missing (apt-get install ovmf)")
        }
        let run = files.temporaryDirectory.appendingPathComponent("aicert-qemu-\(UUID().uuidString)")
        try files.createDirectory(at: run, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        teardown.adopt(directory: run)

        let prepared = run.appendingPathComponent("tpm")
        try await PreparedTPMState.make(in: prepared, home: home, teardown: teardown, progress: progress)
        let ca = try DevelopmentCA.load(from: home.appendingPathComponent("ca"))
        let socket = run.appendingPathComponent("swtpm.sock")
        let swtpm = try PlatformProcess(
            "swtpm", executable: try HostTool.path("swtpm"),
            arguments: Swtpm.unixSocketArguments(state: prepared.appendingPathComponent("state"), socket: socket),
            environment: HostTool.environment, log: run.appendingPathComponent("swtpm.log"))
        teardown.adopt(swtpm)
        var tries = 0
        while tries < 250 && swtpm.isRunning && !files.fileExists(atPath: socket.path) {
            tries += 1
            try await Task.sleep(for: .milliseconds(20))
        }
        guard files.fileExists(atPath: socket.path) else {
            throw LocalPlatformError("swtpm", "did not start: \(swtpm.logTail())")
        }

        let token = Nonce.fresh().hex
        let tokenFile = run.appendingPathComponent("token")
        let variables = run.appendingPathComponent("OVMF_VARS.fd")
        guard
            files.createFile(atPath: tokenFile.path, contents: Data(token.utf8), attributes: [.posixPermissions: 0o600])
        else {
            throw LocalPlatformError("qemu", "cannot write the runner's token in \(run.path)")
        }
        do {
            try files.copyItem(atPath: firmwareVariables, toPath: variables.path)
        } catch {
            throw LocalPlatformError("qemu", "cannot copy \(firmwareVariables): \(error.localizedDescription)")
        }
        let port = try Loopback.swtpmPorts()
        let qemu = try PlatformProcess(
            "qemu", executable: try HostTool.path("qemu-system-x86_64"),
            arguments: [
                "-machine", "q35", "-accel", "tcg", "-cpu", "max", "-smp", "2", "-m", "2048",
                "-nodefaults", "-display", "none", "-no-reboot",
                "-drive", "if=pflash,format=raw,unit=0,readonly=on,file=\(firmwareCode)",
                "-drive", "if=pflash,format=raw,unit=1,file=\(variables.path)",
                "-drive", "file=\(disk.path),if=virtio,format=raw,readonly=on",
                "-chardev", "socket,id=chrtpm,path=\(socket.path)",
                "-tpmdev", "emulator,id=tpm0,chardev=chrtpm", "-device", "tpm-tis,tpmdev=tpm0",
                "-netdev", "user,id=net0,hostfwd=tcp:127.0.0.1:\(port)-:8443", "-device",
                "virtio-net-pci,netdev=net0,romfile=",
                "-fw_cfg", "name=opt/aicert/token,file=\(tokenFile.path)",
                "-fw_cfg", "name=opt/aicert/ak-intermediates,file=\(prepared.path)/ak-intermediates.pem",
                "-serial", "file:\(run.path)/serial.log",
            ] + identityEntry(image: image),
            environment: HostTool.environment, log: run.appendingPathComponent("qemu.log"))
        teardown.adopt(qemu)
        guard let url = URL(string: "https://127.0.0.1:\(port)") else {
            throw LocalPlatformError("qemu", "port \(port) makes no URL")
        }
        progress("booting \(image.path) under QEMU (emulated, about a minute); serial log in \(run.path)/serial.log")
        do {
            try await RunnerStartup.waitUntilHealthy(
                RunnerClient(baseURL: url, token: token), runner: qemu, timeout: bootTimeout)
        } catch let error as LocalPlatformError {
            // The console says why a boot failed (verity, a panic, the runner's refusal); the
            // run directory and its serial.log go with the teardown.
            throw LocalPlatformError(error.step, "\(error.reason); the end of the VM's console:\n\(consoleTail(run))")
        }
        progress("aicert-runner in the VM ready at \(url.absoluteString)")
        return RunningPlatform(
            kind: .qemu, runnerURL: url, token: token, trustRoots: [ca.root], developmentRoot: ca.root,
            teardown: teardown)
    }

    /// The last lines of the VM's serial console, escaped for a terminal.
    private static func consoleTail(_ run: URL) -> String {
        guard let data = FileManager.default.contents(atPath: run.appendingPathComponent("serial.log").path) else {
            return "(no console output)"
        }
        let lines = String(decoding: data.suffix(8192), as: UTF8.self).split(whereSeparator: \.isNewline).suffix(15)
        return lines.map { "  " + TerminalText.escaped(String($0)) }.joined(separator: "\n")
    }

    /// The image's identity for its runner (start-runner reads `opt/aicert/image`), when the
    /// image directory has one: image/build.sh writes `image.json` beside the disk.
    private static func identityEntry(image: URL) -> [String] {
        let identity = image.appendingPathComponent("image.json")
        guard FileManager.default.fileExists(atPath: identity.path) else { return [] }
        return ["-fw_cfg", "name=opt/aicert/image,file=\(identity.path)"]
    }
}
