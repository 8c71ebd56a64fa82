import AICertCore
import Foundation
import Glibc

/// A pipe whose two ends are close-on-exec in this process.
struct PipeEnds: Sendable {
    let read: Int32
    let write: Int32

    /// `pipe2` is not exported to Swift; the flag is set right after `pipe`, and every child
    /// the runner starts closes all descriptors it was not given anyway.
    static func make() throws -> PipeEnds {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else {
            throw RunnerFailure(.internalError, "pipe failed: \(String(cString: strerror(errno)))")
        }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return PipeEnds(read: ends[0], write: ends[1])
    }

    func closeBoth() {
        close(read)
        close(write)
    }

    /// Reads `descriptor` to its end on a thread of its own, handing each chunk to `consume`,
    /// then closes it. The task finishes when the last writer has closed its end.
    static func drain(_ descriptor: Int32, _ consume: @escaping @Sendable (UnsafeRawBufferPointer) -> Void) -> Task<
        Void, Never
    > {
        Task {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let thread = Thread {
                    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 * 1024, alignment: 16)
                    defer { buffer.deallocate() }
                    while true {
                        let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
                        if count < 0 && errno == EINTR { continue }
                        guard count > 0 else { break }
                        consume(UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                    }
                    close(descriptor)
                    continuation.resume()
                }
                thread.name = "aicert-pipe"
                thread.start()
            }
        }
    }
}
