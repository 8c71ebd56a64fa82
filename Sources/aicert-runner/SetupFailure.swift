import AICertRunner
import ArgumentParser
import TPM2

/// How `preflight` and `serve` report a runner that cannot start: one `error:` line on standard
/// output and the exit status their help documents.
enum SetupFailure {
    /// Prints why and returns the exit status: 1 when the TPM already holds a build, 3 when the
    /// TPM cannot be used, 5 when the boot is not as expected, 4 for anything else.
    static func exitCode(for error: any Error, tcti: String) -> ExitCode {
        switch error {
        case let occupied as BuildSlot.Occupied:
            print("error: \(occupied)")
            return ExitCode(1)
        case let refusal as BootRefusal:
            print("error: \(refusal)")
            return ExitCode(5)
        case let error as TPM2Error:
            print("error: cannot use the TPM at \(tcti): \(error.reason)")
            return ExitCode(3)
        default:
            print("error: \(error)")
            return ExitCode(4)
        }
    }
}
