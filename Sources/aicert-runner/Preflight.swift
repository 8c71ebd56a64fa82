import AICertRunner
import ArgumentParser
import TPM2

/// `aicert-runner preflight`: checks that the TPM is reachable and ready for a build.
struct Preflight: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check that the TPM answers and that PCRs 14 and 15 are still zero.",
        discussion:
            "Exit status 0 when a build can start, 1 when the TPM already holds one, 3 when the TPM cannot be reached."
    )

    @Option(help: "The TPM to use, e.g. device:/dev/tpmrm0 or swtpm:host=127.0.0.1,port=2321.")
    var tcti = "device:/dev/tpmrm0"

    func run() throws {
        do {
            let tpm = try TPMClient(tcti: tcti)
            try tpm.startup()
            try BuildSlot.requireFresh(tpm)
        } catch {
            throw SetupFailure.exitCode(for: error, tcti: tcti)
        }
        print("ok: the TPM at \(tcti) is ready for a build (PCRs 14 and 15 are zero)")
    }
}
