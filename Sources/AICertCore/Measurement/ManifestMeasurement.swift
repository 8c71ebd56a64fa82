import Dispatch
import Foundation

extension Manifest {
    /// Measures the file or directory at `path`: lists it on the calling thread while worker
    /// threads hash the files already listed.
    ///
    /// A regular file gives a manifest of one entry named after the file's last path component.
    /// A directory gives one entry per regular file, symbolic link (not followed) and empty
    /// directory below it; an empty directory as the root gives no entries. `path` itself is
    /// resolved as a command-line tool would, following a symbolic link; nothing below it is.
    /// The result, and which error is thrown when several paths are bad, depend only on the tree,
    /// never on ``MeasurementOptions`` or on scheduling.
    ///
    /// Blocks the calling thread until done; from async code use the `async` overload.
    ///
    /// - Parameters:
    ///   - path: the file or directory to measure.
    ///   - options: read size and number of files hashed at once.
    ///   - progress: called on the calling thread about ten times a second, and once at the end.
    ///     Its totals grow while the tree is still being listed.
    /// - Throws: ``MeasurementError`` naming the offending path: a device, FIFO or socket, a file
    ///   that cannot be opened or read, a name that breaks the rules, a limit exceeded, or a file
    ///   that changed while it was measured. Nothing is ever skipped.
    public static func measure(
        _ path: String,
        options: MeasurementOptions = MeasurementOptions(),
        progress: (@Sendable (MeasurementProgress) -> Void)? = nil
    ) throws -> Manifest {
        let queue = HashingQueue(root: path)
        let readSize = MeasurementOptions.clampedReadSize(options.readSize)
        let workers = DispatchGroup()
        for _ in 0..<options.clampedConcurrency {
            workers.enter()
            let thread = Thread {
                HashingWorker.run(queue, readSize: readSize)
                workers.leave()
            }
            thread.name = "aicert-hash"
            thread.start()
        }

        var listing = TreeListing(root: path, recordsSizes: progress != nil)
        var listingError: (any Error)?
        var lastReport = ContinuousClock.now
        do {
            try listing.list { batch in
                let accepted = queue.publish(batch)
                if let progress, ContinuousClock.now - lastReport >= .milliseconds(100) {
                    progress(queue.progress())
                    lastReport = .now
                }
                return accepted
            }
        } catch {
            listingError = error
        }
        queue.finishListing()
        if let progress {
            while workers.wait(timeout: .now() + .milliseconds(100)) == .timedOut { progress(queue.progress()) }
        } else {
            workers.wait()
        }

        // A file that failed was listed before any listing error, so its failure comes first.
        progress?(queue.progress())
        var entries = try queue.takeEntries()
        if let listingError { throw listingError }
        entries.append(contentsOf: listing.otherEntries)
        entries.sort { PathRules.precedes($0.path, $1.path) }
        return Manifest(sortedEntries: entries)
    }

    /// Measures the file or directory at `path` on a thread of its own, so that the blocking
    /// reads never hold up the cooperative thread pool. See the synchronous overload for the rules.
    public static func measure(
        _ path: String,
        options: MeasurementOptions = MeasurementOptions(),
        progress: (@Sendable (MeasurementProgress) -> Void)? = nil
    ) async throws -> Manifest {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try measure(path, options: options, progress: progress) })
            }
            thread.name = "aicert-measure"
            thread.start()
        }
    }
}
