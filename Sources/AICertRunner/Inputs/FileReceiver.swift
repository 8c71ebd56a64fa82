import AICertCore
import Glibc

/// Writes an uploaded or downloaded file and hashes it as it arrives. Its manifest has one
/// entry named after the file, the input's name, as `aicert hash` of that file would give.
final class FileReceiver: InputReceiver {
    private let name: String
    private let limit: Int64
    /// The directory the file is in, named when its disk is full.
    private let directory: String
    private var descriptor: Int32
    private var hasher = IncrementalSHA256()

    /// Creates the file at `path` (which must not exist) for the input `name`, accepting at most `limit` bytes.
    init(path: String, name: String, limit: Int64) throws {
        self.name = name
        self.limit = limit
        directory = FileWriting.directory(of: path)
        descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            if DiskSpace.isFull(errno) {
                throw RunnerFailure.diskFull(.tooLarge, "creating the file for input '\(name)'", in: directory)
            }
            throw RunnerFailure(
                .internalError, "cannot create the file for input '\(name)': \(String(cString: strerror(errno)))")
        }
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    func consume(_ bytes: UnsafeRawBufferPointer) throws {
        guard Int64(hasher.byteCount) + Int64(bytes.count) <= limit else {
            throw RunnerFailure(.tooLarge, "input '\(name)' is larger than the limit of \(limit) bytes")
        }
        hasher.update(bytes)
        try FileWriting.writeAll(descriptor, bytes, what: "input '\(name)'", in: directory)
    }

    /// The size and SHA-256 of what was received so far.
    var digest: FileDigest {
        FileDigest(size: hasher.byteCount, sha256: hasher.finalize())
    }

    func finish() throws -> Manifest {
        close(descriptor)
        descriptor = -1
        return try Manifest(entries: [ManifestEntry(path: name, kind: .file(digest))])
    }
}

/// `write` until every byte is out, for the runner's inputs.
enum FileWriting {
    /// Writes all of `bytes` of `what` to `descriptor`, a file in `directory`. A full disk is a
    /// `too_large` failure naming `directory`: the input does not fit in the room the runner has.
    static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer, what: String, in directory: String)
        throws
    {
        guard let error = WriteAll.write(bytes, to: descriptor) else { return }
        if DiskSpace.isFull(error) { throw RunnerFailure.diskFull(.tooLarge, "writing \(what)", in: directory) }
        throw RunnerFailure(.internalError, "writing \(what) failed: \(String(cString: strerror(error)))")
    }

    /// The directory that holds `path`, named in a full disk's failure: the staging area.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }
}
