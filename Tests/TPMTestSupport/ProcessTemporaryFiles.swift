import Foundation
import Synchronization

/// Temporary directories a test process keeps for its whole life (a TPM state template, a
/// sample certificate shared by a suite), removed when the process exits, so that a test run
/// leaves nothing behind in the temporary directory.
public enum ProcessTemporaryFiles {
    private static let registered = Mutex<[URL]>([])
    private static let handler: Void = { atexit { ProcessTemporaryFiles.removeAll() } }()

    /// Removes `url` (recursively) when the process exits.
    public static func removeAtExit(_ url: URL) {
        _ = handler
        registered.withLock { $0.append(url) }
    }

    private static func removeAll() {
        for url in registered.withLock({ $0 }) { try? FileManager.default.removeItem(at: url) }
    }
}
