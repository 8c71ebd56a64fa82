import ArgumentParser
import Foundation

/// `aicert image prepare-tpm`: a TPM state to boot the base image with (image/boot.sh).
struct ImagePrepareTPMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prepare-tpm",
        abstract: "Make a software TPM state, laid out like an Azure vTPM, to boot the base image with.",
        discussion: """
            Copies the local platform's manufactured swtpm state (made once under AICERT_HOME, \
            default ~/.aicert) into DIR/state, persists an attestation key at 0x81000003 and writes \
            its certificate, issued by the development CA, to NV 0x01C101D0. DIR also gets \
            ak-intermediates.pem (which image/boot.sh hands to the runner through fw_cfg) and \
            root.pem (the development root: verify certificates from the VM with --trust-root).

                $ aicert image prepare-tpm tpm/
                $ image/boot.sh --tpm-state tpm/ out/

            Each boot must use a fresh copy of DIR/state (image/boot.sh copies it).

            Exit status: 0 on success, 1 when swtpm or the provisioning fails, 2 for a usage error.
            """
    )

    @Argument(help: ArgumentHelp("A directory that does not exist yet, e.g. `tpm/`.", valueName: "dir"))
    var directory: String

    init() {}

    func run() async throws {
        // Ctrl-C stops the swtpm it provisions with, as for `aicert run`.
        do {
            let teardown = try PlatformTeardown()
            defer { teardown.release() }
            try await PreparedTPMState.make(
                in: URL(fileURLWithPath: directory), home: LocalPlatform.defaultHome(), teardown: teardown,
                progress: { Console.error(Data("aicert image prepare-tpm: \($0)\n".utf8)) })
        } catch let error as LocalPlatformError {
            Console.error(Data("aicert image prepare-tpm: \(error)\n".utf8))
            throw ExitCode.failure
        }
        print(directory)
    }
}
