import AICertCore
import Synchronization
import TPM2

/// The runner's one connection to its TPM, which it can close when it stops: swtpm serves one
/// connection at a time, and a device is best released promptly.
final class TPMConnection: TPMTransport {
    private let transport: Mutex<(any TPMTransport)?>

    init(tcti: String) throws {
        transport = Mutex(try TCTI(parsing: tcti).connect())
    }

    func transmit(_ command: [UInt8]) throws -> [UInt8] {
        try transport.withLock { transport in
            guard let transport else { throw RunnerFailure(.tpmFailure, "the runner has closed its TPM connection") }
            return try transport.transmit(command)
        }
    }

    /// Drops the connection; every later command fails.
    func close() {
        transport.withLock { $0 = nil }
    }
}
