import AICertCore
import Glibc
import Synchronization

/// The job's standard output and error, kept in a file and readable while it grows: followers
/// wait for more bytes until the build ends.
///
/// At most `limit` bytes are kept; beyond that a note is written once and the rest dropped, so a
/// chatty job cannot fill the runner's disk. The log is not measured: it is for people.
final class JobLog: Sendable {
    private struct State {
        var size = 0
        var full = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    private let writer: Int32
    private let reader: Int32
    private let limit: Int

    init(path: String, limit: Int) throws {
        writer = open(path, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard writer >= 0 else {
            throw RunnerFailure(.internalError, "cannot create the job log: \(String(cString: strerror(errno)))")
        }
        reader = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard reader >= 0 else {
            close(writer)
            throw RunnerFailure(.internalError, "cannot open the job log: \(String(cString: strerror(errno)))")
        }
        self.limit = limit
    }

    deinit {
        close(writer)
        close(reader)
    }

    /// Appends the job's next output, up to the limit.
    func append(_ bytes: UnsafeRawBufferPointer) {
        let note = Array("\n[aicert-runner: the log reached \(limit) bytes; further output is dropped]\n".utf8)
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.full, !bytes.isEmpty else { return [] }
            let room = max(limit - note.count - state.size, 0)
            let kept = UnsafeRawBufferPointer(rebasing: bytes.prefix(room))
            state.size += writeFully(kept)
            if kept.count < bytes.count {
                state.full = true
                state.size += note.withUnsafeBytes { writeFully($0) }
            }
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Marks the log complete: followers get what is left, then the end.
    func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Up to `maximum` bytes from `offset`, of those written so far.
    func read(from offset: Int, maximum: Int) -> [UInt8] {
        let available = state.withLock { $0.size } - offset
        guard available > 0 else { return [] }
        var bytes = [UInt8](repeating: 0, count: min(available, maximum))
        let count = bytes.withUnsafeMutableBytes { pread(reader, $0.baseAddress, $0.count, off_t(offset)) }
        return Array(bytes.prefix(max(count, 0)))
    }

    /// Waits until more than `offset` bytes are written (true), or the log is finished with
    /// nothing beyond `offset` or the waiting task is cancelled (a follower that went away).
    func waitForBytes(beyond offset: Int) async -> Bool {
        while !Task.isCancelled {
            let outcome: Bool? = state.withLock { state in
                if state.size > offset { return true }
                return state.finished ? false : nil
            }
            if let outcome { return outcome }
            await withTaskCancellationHandler {
                await withCheckedContinuation { continuation in
                    let ready = state.withLock { state -> Bool in
                        if state.size > offset || state.finished || Task.isCancelled { return true }
                        state.waiters.append(continuation)
                        return false
                    }
                    if ready { continuation.resume() }
                }
            } onCancel: {
                wakeWaiters()
            }
        }
        return false
    }

    /// Resumes every waiting follower, which then looks again at the log and its own task.
    private func wakeWaiters() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            defer { state.waiters = [] }
            return state.waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    private func writeFully(_ bytes: UnsafeRawBufferPointer) -> Int {
        var offset = 0
        while offset < bytes.count {
            let written = write(writer, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { break }
            offset += written
        }
        return offset
    }
}
