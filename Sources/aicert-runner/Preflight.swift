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
        let tpm: TPMClient
        do {
            tpm = try TPMClient(tcti: tcti)
            try tpm.startup()
        } catch let error as TPM2Error {
            print("error: cannot use the TPM at \(tcti): \(error.reason)")
            throw ExitCode(3)
        }
        do {
            try BuildSlot.requireFresh(tpm)
            print("ok: the TPM at \(tcti) is ready for a build (PCRs 14 and 15 are zero)")
        } catch let occupied as BuildSlot.Occupied {
            print("error: \(occupied)")
            throw ExitCode(1)
        } catch let error as TPM2Error {
            print("error: reading PCRs from \(tcti) failed: \(error.reason)")
            throw ExitCode(3)
        }
    }
}
