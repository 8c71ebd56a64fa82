import AICertCore
import Glibc

/// A new local file that a download is written to: created (or truncated) without following a
/// symbolic link at its path, written with plain `write` calls.
final class OutputDestination {
    private let path: String
    private var descriptor: Int32

    init(_ path: String) throws {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure(path) }
    }

    deinit {
        if descriptor >= 0 { Glibc.close(descriptor) }
    }

    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard WriteAll.write(bytes, to: descriptor) == nil else { throw Self.failure(path) }
    }

    func close() throws {
        let result = Glibc.close(descriptor)
        descriptor = -1
        guard result == 0 else { throw Self.failure(path) }
    }

    private static func failure(_ path: String) -> RunnerClientError {
        RunnerClientError(status: 0, code: "local_file", detail: "\(path): \(String(cString: strerror(errno)))")
    }
}
