import Foundation
import Glibc
import Synchronization

/// The files of one measurement, shared between the thread that lists them and the workers
/// that hash them, with the results by index.
///
/// Files get indices in the order the listing finds them, which does not depend on scheduling.
/// Workers take the lowest index not yet taken; after a failure they take no index above the
/// failing one but finish those below it, so the failure reported, the one with the lowest
/// index, does not depend on scheduling either.
///
/// Each directory's descriptor stays open until its last file is done. The listing waits while
/// ``maximumOpenDirectories`` are open, which bounds descriptors and memory however far the
/// listing could run ahead of the hashing.
final class HashingQueue: @unchecked Sendable {
    /// The most directory descriptors held open for files not yet hashed.
    static let maximumOpenDirectories = 64

    /// A file handed to a worker.
    struct Task {
        let index: Int
        let file: ListedFile
        /// The descriptor of the file's directory, or `nil` to open `root` itself.
        let directory: Int32?
        /// Whether a core was idle when the task was handed out, so that a large file may be
        /// read on a helper thread.
        let mayReadAhead: Bool
    }

    /// The root as the caller named it, to which relative paths are joined.
    let root: String
    /// Bytes of file contents hashed so far, updated after every read.
    let bytesDone = Atomic<UInt64>(0)
    /// A copy of the lowest failing index that workers read between reads without the lock.
    private let failureIndex = Atomic<Int>(Int.max)
    private let cores = MeasurementOptions.availableCores

    private struct Directory {
        let descriptor: Int32?
        var remaining: Int
    }

    // Everything below is guarded by `condition`.
    private let condition = NSCondition()
    private var files: [ListedFile] = []
    private var directoryOfFile: [Int32] = []
    private var directories: [Directory] = []
    private var openDirectories = 0
    private var digests: [FileDigest?] = []
    private var failures: [Int: MeasurementError] = [:]
    private var nextIndex = 0
    private var listingFinished = false
    private var bytesListed: UInt64 = 0
    private var filesDone = 0
    private var busyWorkers = 0

    init(root: String) {
        self.root = root
    }

    deinit {
        for directory in directories where directory.remaining > 0 {
            if let descriptor = directory.descriptor { close(descriptor) }
        }
    }

    /// Adds the files of one directory, taking over its descriptor; waits while too many
    /// directories are open. Answers `false` once a failure makes further listing pointless.
    func publish(_ batch: DirectoryFiles) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while openDirectories >= HashingQueue.maximumOpenDirectories && failures.isEmpty {
            condition.wait()
        }
        directories.append(Directory(descriptor: batch.descriptor, remaining: batch.files.count))
        openDirectories += 1
        let directoryIndex = Int32(directories.count - 1)
        files.append(contentsOf: batch.files)
        directoryOfFile.append(contentsOf: repeatElement(directoryIndex, count: batch.files.count))
        digests.append(contentsOf: repeatElement(nil, count: batch.files.count))
        bytesListed += batch.files.reduce(0) { $0 + ($1.size ?? 0) }
        condition.broadcast()
        return failures.isEmpty
    }

    /// Tells the workers that no more files will come.
    func finishListing() {
        condition.lock()
        listingFinished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Records the outcome of the task a worker had, if any, and hands it the next one, waiting
    /// for the listing if it has to; `nil` when there is nothing left worth hashing.
    func next(after outcome: (task: Task, result: Result<FileDigest, MeasurementError>?)?) -> Task? {
        condition.lock()
        defer { condition.unlock() }
        if let outcome {
            switch outcome.result {
            case .success(let digest)?:
                digests[outcome.task.index] = digest
                filesDone += 1
            case .failure(let error)?:
                failures[outcome.task.index] = error
                failureIndex.min(outcome.task.index, ordering: .relaxed)
            case nil:
                break
            }
            release(directory: Int(directoryOfFile[outcome.task.index]))
            busyWorkers -= 1
        }
        while true {
            if nextIndex >= failureIndex.load(ordering: .relaxed) { return nil }
            if nextIndex < files.count {
                let index = nextIndex
                nextIndex += 1
                busyWorkers += 1
                return Task(
                    index: index, file: files[index], directory: directories[Int(directoryOfFile[index])].descriptor,
                    mayReadAhead: busyWorkers < cores)
            }
            if listingFinished { return nil }
            condition.wait()
        }
    }

    /// Counts one file of a directory as done, closing the directory after its last file.
    private func release(directory index: Int) {
        directories[index].remaining -= 1
        guard directories[index].remaining == 0 else { return }
        if let descriptor = directories[index].descriptor { close(descriptor) }
        openDirectories -= 1
        condition.broadcast()
    }

    /// Whether a file before `index` has failed, so that hashing `index` is pointless.
    func isPointless(_ index: Int) -> Bool { index > failureIndex.load(ordering: .relaxed) }

    /// How far the measurement has got; the totals grow until the listing is finished.
    func progress() -> MeasurementProgress {
        condition.lock()
        defer { condition.unlock() }
        return MeasurementProgress(
            bytesDone: bytesDone.load(ordering: .relaxed), bytesTotal: bytesListed,
            filesDone: filesDone, filesTotal: files.count, totalsAreFinal: listingFinished)
    }

    /// After every worker has finished: a manifest entry for each file, in listing order, or the
    /// failure of the earliest file that failed. Empties the queue.
    func takeEntries() throws -> [ManifestEntry] {
        condition.lock()
        defer { condition.unlock() }
        if let first = failures.keys.min(), let error = failures[first] { throw error }
        var entries: [ManifestEntry] = []
        entries.reserveCapacity(files.count)
        for (file, digest) in zip(files, digests) {
            guard let digest else {
                throw MeasurementError(.readFailed, path: TreeListing.join(root, file.relativePath), "was not hashed")
            }
            entries.append(ManifestEntry(path: file.relativePath, kind: .file(digest)))
        }
        files = []
        digests = []
        return entries
    }
}

/// One hashing thread: takes files from the queue and hashes them through its own read buffer.
enum HashingWorker {
    static func run(_ queue: HashingQueue, readSize: Int) {
        let buffer = ReadBuffer(size: readSize)
        var outcome: (task: HashingQueue.Task, result: Result<FileDigest, MeasurementError>?)?
        while let task = queue.next(after: outcome) {
            do {
                outcome = (task, .success(try hash(task, queue: queue, into: buffer)))
            } catch let error as MeasurementError {
                outcome = (task, .failure(error))
            } catch {
                // Only StopRequested reaches here: an earlier file failed, so this one does not matter.
                outcome = (task, nil)
            }
        }
    }

    private static func hash(_ task: HashingQueue.Task, queue: HashingQueue, into buffer: ReadBuffer) throws
        -> FileDigest
    {
        func path() -> String {
            task.directory == nil ? queue.root : TreeListing.join(queue.root, task.file.relativePath)
        }
        let opened =
            try task.directory.map {
                try OpenRegularFile(in: $0, task.file.name, followLink: false, path: path())
            } ?? OpenRegularFile(in: AT_FDCWD, queue.root, followLink: true, path: path())
        defer { opened.close() }
        var reported: UInt64 = 0
        let shouldStop = { queue.isPointless(task.index) }
        return try opened.hash(
            into: buffer, readAhead: task.mayReadAhead, path: path(), shouldStop: shouldStop
        ) { done in
            queue.bytesDone.wrappingAdd(done - reported, ordering: .relaxed)
            reported = done
        }
    }
}
