import AICertCore
import Glibc
import NIOCore

/// One measured output file opened for download: found by its path in the outputs manifest,
/// opened component by component with `O_NOFOLLOW` (no link is followed, nothing outside the
/// outputs directory is reachable), and checked to still have its measured size.
final class OutputFile: Sendable {
    let descriptor: Int32
    let digest: FileDigest

    init(path: String, in directory: String, manifest: Manifest) throws {
        guard let entry = manifest.entries.first(where: { $0.path == path }), case .file(let digest) = entry.kind else {
            throw RunnerFailure(.notFound, "no output file '\(path)' in the outputs manifest")
        }
        self.digest = digest
        var current = open(directory, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        let components = path.split(separator: "/").map(String.init)
        for (index, name) in components.enumerated() {
            let last = index == components.count - 1
            let flags =
                last ? O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC : O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC
            let next = current >= 0 ? openat(current, name, flags) : -1
            if current >= 0 { close(current) }
            current = next
        }
        guard current >= 0, RegularFile.size(of: current) == digest.size else {
            if current >= 0 { close(current) }
            throw RunnerFailure(.outputsFailed, "the output '\(path)' is no longer the file that was measured")
        }
        descriptor = current
    }

    deinit { close(descriptor) }

    /// Up to `count` bytes from `offset`, read straight into a buffer to send; empty at the end.
    func read(at offset: UInt64, count: Int) throws -> ByteBuffer {
        var buffer = ByteBufferAllocator().buffer(capacity: count)
        var failure: Int32 = 0
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { raw in
            let read = pread(descriptor, raw.baseAddress, count, off_t(offset))
            if read < 0 { failure = errno }
            return max(read, 0)
        }
        guard failure == 0 else {
            throw RunnerFailure(.internalError, "reading an output failed: \(String(cString: strerror(failure)))")
        }
        return buffer
    }
}
