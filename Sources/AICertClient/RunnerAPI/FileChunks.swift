import Foundation
import Glibc
import NIOCore

/// A regular file's bytes from `start` on, as an async sequence of buffers, for streaming
/// uploads: read 1 MiB at a time, never all at once. The file must keep the size it had when
/// listed.
struct FileChunks: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    static let chunkSize = 1 << 20

    let path: String
    let size: UInt64
    /// Where the bytes start: 0, or where an interrupted upload resumes.
    var start: UInt64 = 0

    func makeAsyncIterator() -> Iterator {
        Iterator(path: path, size: size, start: start)
    }

    /// Reads the file as `next()` is called; closes it at the end or when dropped.
    final class Iterator: AsyncIteratorProtocol {
        private let path: String
        private let size: UInt64
        private var descriptor: Int32 = -1
        private var offset: UInt64 = 0

        init(path: String, size: UInt64, start: UInt64) {
            self.path = path
            self.size = size
            offset = start
        }

        deinit {
            if descriptor >= 0 { close(descriptor) }
        }

        func next() async throws -> ByteBuffer? {
            guard offset < size else { return nil }
            if descriptor < 0 {
                descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
                guard descriptor >= 0, offset == 0 || lseek(descriptor, off_t(offset), SEEK_SET) == off_t(offset) else {
                    throw RunnerClientError(
                        status: 0, code: "local_file", detail: "\(path): \(String(cString: strerror(errno)))")
                }
            }
            let wanted = Int(Swift.min(UInt64(FileChunks.chunkSize), size - offset))
            var buffer = ByteBufferAllocator().buffer(capacity: wanted)
            let descriptor = self.descriptor
            let count = buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: wanted) { raw in
                var filled = 0
                while filled < wanted {
                    let result = read(descriptor, raw.baseAddress! + filled, wanted - filled)
                    if result < 0 && errno == EINTR { continue }
                    guard result > 0 else { break }
                    filled += result
                }
                return filled
            }
            guard count == wanted else {
                throw RunnerClientError(status: 0, code: "local_file", detail: "\(path) changed size while it was sent")
            }
            offset += UInt64(count)
            return buffer
        }
    }
}
