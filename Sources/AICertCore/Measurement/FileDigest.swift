import Glibc

/// The size and SHA-256 of one regular file's contents, read in large sequential chunks.
///
/// Memory is at most three read buffers whatever the file's size. The file is opened without following a
/// final symbolic link and without blocking, and must be a regular file: a FIFO, device or socket
/// is rejected before a single byte is read, so measuring one can neither hang nor run forever.
public struct FileDigest: Hashable, Sendable {
    /// The number of bytes hashed.
    public let size: UInt64
    /// The SHA-256 of those bytes.
    public let sha256: SHA256Hash

    /// A digest from known values (for instance, read back from a certificate).
    public init(size: UInt64, sha256: SHA256Hash) {
        self.size = size
        self.sha256 = sha256
    }

    /// Hashes the regular file at `path`.
    ///
    /// - Parameters:
    ///   - path: the file; a symbolic link here is rejected, not followed.
    ///   - readSize: bytes per `read`; see ``MeasurementOptions/readSize``.
    ///   - progress: called after each read with the bytes hashed so far and the file's size.
    /// - Throws: ``MeasurementError`` naming `path`.
    public init(
        hashingFileAt path: String,
        readSize: Int = MeasurementOptions.defaultReadSize,
        progress: (@Sendable (MeasurementProgress) -> Void)? = nil
    ) throws {
        let buffer = ReadBuffer(size: MeasurementOptions.clampedReadSize(readSize))
        let file = try OpenRegularFile(in: AT_FDCWD, path, followLink: false, path: path)
        defer { file.close() }
        let total = file.size
        self = try file.hash(into: buffer, readAhead: true, path: path) { done in
            progress?(MeasurementProgress(bytesDone: done, bytesTotal: total, filesDone: 0, filesTotal: 1))
        }
        progress?(MeasurementProgress(bytesDone: total, bytesTotal: total, filesDone: 1, filesTotal: 1))
    }
}

/// A page-aligned buffer that one thread reuses for every read it makes.
final class ReadBuffer {
    let bytes: UnsafeMutableRawBufferPointer

    init(size: Int) {
        bytes = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 4096)
    }

    deinit { bytes.deallocate() }
}

/// A regular file opened for reading, with the size it had when opened.
struct OpenRegularFile {
    let descriptor: Int32
    let size: UInt64

    /// Opens `name` in the directory `directory` (or relative to the working directory, given
    /// `AT_FDCWD`) without blocking, and without following a final symbolic link unless
    /// `followLink` says so, and checks that what was opened is a regular file. `path` names the
    /// file in errors; it is only evaluated when one is thrown.
    init(in directory: Int32, _ name: String, followLink: Bool, path: @autoclosure () -> String) throws {
        let flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | (followLink ? 0 : O_NOFOLLOW)
        let descriptor = openat(directory, name, flags)
        guard descriptor >= 0 else {
            let number = errno
            if number == ELOOP && !followLink {
                throw MeasurementError(.unsupportedFileType, path: path(), "is a symbolic link, which is not followed")
            }
            throw MeasurementError.system("open", errno: number, path: path())
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let number = errno
            Glibc.close(descriptor)
            throw MeasurementError.system("fstat", errno: number, path: path())
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            Glibc.close(descriptor)
            throw MeasurementError(
                .unsupportedFileType, path: path(), "is a \(FileType.name(of: status.st_mode)), not a regular file")
        }
        self.descriptor = descriptor
        self.size = UInt64(status.st_size)
        guard size <= ManifestLimits.maximumFileSize else {
            Glibc.close(descriptor)
            throw MeasurementError(
                .limitExceeded, path: path(), "is \(size) bytes, more than \(ManifestLimits.maximumFileSize)")
        }
    }

    func close() { Glibc.close(descriptor) }

    /// Reads the whole file through `buffer` into SHA-256, calling `progress` with the bytes
    /// done after each read.
    ///
    /// Fails if the file turns out longer or shorter than it was when opened, so that a file
    /// written to while it is measured cannot produce a digest of no version of it. `shouldStop`
    /// is asked between reads; when it answers `true` the hash is abandoned with ``StopRequested``.
    /// With `readAhead`, files of ``ReadAhead/minimumChunks`` buffers or more are read on a
    /// second thread while this one hashes, so that copying from the page cache does not delay
    /// the hashing; worth it only when a core would otherwise be idle.
    func hash(
        into buffer: ReadBuffer,
        readAhead: Bool,
        path: @autoclosure () -> String,
        shouldStop: () -> Bool = { false },
        progress: (UInt64) -> Void
    ) throws -> FileDigest {
        var hasher = IncrementalSHA256()
        let size = size
        func consume(_ chunk: UnsafeRawBufferPointer) throws -> Bool {
            hasher.update(chunk)
            guard hasher.byteCount <= size else { return false }
            progress(hasher.byteCount)
            if shouldStop() { throw StopRequested() }
            return true
        }
        let readError: Int32?
        if readAhead && size >= UInt64(ReadAhead.minimumChunks * buffer.bytes.count) {
            // Doubles the kernel's read-ahead for this file; advice only, so failure is harmless.
            _ = posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
            readError = try ReadAhead.forEachChunk(of: descriptor, using: buffer, consume)
        } else {
            readError = try readChunks(into: buffer, consume)
        }
        if let readError {
            throw MeasurementError(.readFailed, path: path(), "read failed: \(String(cString: strerror(readError)))")
        }
        guard hasher.byteCount == size else {
            throw MeasurementError(
                .changedWhileMeasuring, path: path(),
                "was \(size) bytes when opened but \(hasher.byteCount < size ? "ended after" : "grew past") "
                    + "\(hasher.byteCount) bytes while it was read")
        }
        return FileDigest(size: size, sha256: hasher.finalize())
    }

    /// Reads the file through `buffer`, handing each chunk to `consume` until the end of the
    /// file or until `consume` answers `false`; returns the `errno` of a failed read, if any.
    private func readChunks(
        into buffer: ReadBuffer, _ consume: (UnsafeRawBufferPointer) throws -> Bool
    ) rethrows -> Int32? {
        var total: UInt64 = 0
        while true {
            let count = read(descriptor, buffer.bytes.baseAddress, buffer.bytes.count)
            if count < 0 {
                if errno == EINTR { continue }
                return errno
            }
            if count == 0 { return nil }
            total += UInt64(count)
            guard try consume(UnsafeRawBufferPointer(rebasing: buffer.bytes[0..<count])) else { return nil }
            // A short read of a regular file means its end: this saves one `read` per small file.
            if count < buffer.bytes.count && total == size { return nil }
        }
    }
}

/// Thrown inside a worker when another file's failure makes finishing this one pointless.
struct StopRequested: Error {}

/// Names of `st_mode` file types, for messages.
enum FileType {
    static func name(of mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "regular file"
        case S_IFDIR: "directory"
        case S_IFLNK: "symbolic link"
        case S_IFIFO: "FIFO"
        case S_IFSOCK: "socket"
        case S_IFCHR: "character device"
        case S_IFBLK: "block device"
        default: "file of unknown type"
        }
    }
}
