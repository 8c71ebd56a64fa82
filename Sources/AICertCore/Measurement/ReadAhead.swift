import Foundation
import Glibc

/// Reads a large file on a helper thread into a small ring of buffers while the calling thread
/// consumes the chunks, so that the copy out of the page cache and the hashing overlap.
///
/// Memory is ``slots`` buffers of the caller's buffer size, the caller's own among them. The
/// helper thread never outlives the call.
final class ReadAhead: @unchecked Sendable {
    /// Files of at least this many chunks are worth a helper thread.
    static let minimumChunks = 8
    /// The number of buffers in the ring.
    static let slots = 3

    private let descriptor: Int32
    private let buffers: [ReadBuffer]
    private let finished = DispatchSemaphore(value: 0)

    // Guarded by `condition`.
    private let condition = NSCondition()
    private var counts = [Int](repeating: 0, count: ReadAhead.slots)
    private var produced = 0
    private var consumed = 0
    private var readError: Int32?
    private var cancelled = false

    private init(descriptor: Int32, buffer: ReadBuffer) {
        self.descriptor = descriptor
        buffers = [buffer] + (1..<ReadAhead.slots).map { _ in ReadBuffer(size: buffer.bytes.count) }
    }

    /// Reads `descriptor` to its end, handing each chunk to `consume` on the calling thread until
    /// `consume` answers `false`; returns the `errno` of a failed read, if any.
    static func forEachChunk(
        of descriptor: Int32, using buffer: ReadBuffer, _ consume: (UnsafeRawBufferPointer) throws -> Bool
    ) throws -> Int32? {
        let ring = ReadAhead(descriptor: descriptor, buffer: buffer)
        let reader = Thread { ring.produce() }
        reader.name = "aicert-read-ahead"
        reader.start()
        defer { ring.stop() }
        return try ring.consumeAll(consume)
    }

    /// The helper thread: fills free buffers until the end of the file, an error, or `stop()`.
    private func produce() {
        defer { finished.signal() }
        while true {
            condition.lock()
            while produced - consumed == ReadAhead.slots && !cancelled { condition.wait() }
            let stop = cancelled
            let slot = produced % ReadAhead.slots
            condition.unlock()
            if stop { return }

            var count: Int
            repeat {
                count = read(descriptor, buffers[slot].bytes.baseAddress, buffers[slot].bytes.count)
            } while count < 0 && errno == EINTR
            let number = errno

            condition.lock()
            if count < 0 {
                readError = number
            } else {
                counts[slot] = count
                produced += 1
            }
            condition.signal()
            condition.unlock()
            if count <= 0 { return }
        }
    }

    /// The calling thread: hands filled buffers to `consume` in order.
    private func consumeAll(_ consume: (UnsafeRawBufferPointer) throws -> Bool) throws -> Int32? {
        while true {
            condition.lock()
            while produced == consumed && readError == nil { condition.wait() }
            if produced == consumed, let readError {
                condition.unlock()
                return readError
            }
            let slot = consumed % ReadAhead.slots
            let count = counts[slot]
            condition.unlock()
            if count == 0 { return nil }

            guard try consume(UnsafeRawBufferPointer(rebasing: buffers[slot].bytes[0..<count])) else { return nil }

            condition.lock()
            consumed += 1
            condition.signal()
            condition.unlock()
        }
    }

    /// Stops the helper thread and waits until it has let go of the descriptor and the buffers.
    private func stop() {
        condition.lock()
        cancelled = true
        condition.signal()
        condition.unlock()
        finished.wait()
    }
}
