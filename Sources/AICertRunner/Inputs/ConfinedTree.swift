import AICertCore
import Glibc

/// A directory the runner fills with an unpacked archive, through descriptors only: every
/// component is opened with `O_NOFOLLOW` relative to its parent, so no entry can be written
/// through a symbolic link or outside the root, whatever the archive says. A full disk is a
/// `too_large` failure naming the directory that holds the tree (``DiskSpace``), not a fault
/// of the archive.
final class ConfinedTree {
    private let root: Int32
    /// The directory that holds the tree, named when its disk is full.
    private let directory: String
    /// The parent directory of the last entry, kept open: archives list a directory's files together.
    private var cachedParent: (components: ArraySlice<String>, descriptor: Int32)?
    /// Directories made so far, implied ones included, and the most allowed: an archive cannot
    /// make more directories than it may have entries.
    private var createdDirectories = 0
    private let directoryLimit: Int

    /// Creates the directory `path` (which must not exist) and opens it.
    init(creating path: String, directoryLimit: Int) throws {
        let holder = FileWriting.directory(of: path)
        self.directoryLimit = directoryLimit
        directory = holder
        guard mkdir(path, 0o700) == 0 else { throw Self.failure("mkdir", path, in: holder) }
        root = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard root >= 0 else { throw Self.failure("open", path, in: holder) }
    }

    deinit {
        if let cachedParent { close(cachedParent.descriptor) }
        close(root)
    }

    /// Creates the directory at `components` and any missing directories above it; an existing
    /// directory is fine, anything else there is an error.
    func makeDirectory(_ components: [String]) throws {
        _ = try parent(of: components[...] + ["."])
    }

    /// Creates a new regular file (mode 0644) and returns a descriptor open for writing.
    func createFile(_ components: [String]) throws -> Int32 {
        let directory = try parent(of: components[...])
        let descriptor = openat(
            directory, components[components.count - 1], O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", components.joined(separator: "/")) }
        return descriptor
    }

    /// Creates a symbolic link holding `target`, which is not followed here.
    func createSymbolicLink(_ components: [String], target: String) throws {
        let directory = try parent(of: components[...])
        guard symlinkat(target, directory, components[components.count - 1]) == 0 else {
            throw failure("symlink", components.joined(separator: "/"))
        }
    }

    /// The open directory that holds `components.last`, creating missing directories (0755).
    private func parent(of components: ArraySlice<String>) throws -> Int32 {
        let directories = components.dropLast()
        if let cachedParent, cachedParent.components == directories { return cachedParent.descriptor }
        var current = dup(root)
        guard current >= 0 else { throw failure("dup", ".") }
        for (depth, name) in directories.enumerated() {
            var next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            if next < 0 && errno == ENOENT {
                createdDirectories += 1
                guard createdDirectories <= directoryLimit else {
                    close(current)
                    throw ArchiveError(entry: nil, "the archive makes more than \(directoryLimit) directories")
                }
                guard mkdirat(current, name, 0o755) == 0 || errno == EEXIST else {
                    let path = directories.prefix(depth + 1).joined(separator: "/")
                    let saved = errno
                    close(current)
                    errno = saved
                    throw failure("mkdir", path)
                }
                next = openat(current, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            }
            let saved = errno
            close(current)
            guard next >= 0 else {
                let path = directories.prefix(depth + 1).joined(separator: "/")
                errno = saved
                guard saved == ELOOP || saved == ENOTDIR else { throw failure("open", path) }
                throw ArchiveError(entry: nil, "\(path) is not a directory (a file or symbolic link is in the way)")
            }
            current = next
        }
        if let cachedParent { close(cachedParent.descriptor) }
        cachedParent = (Array(directories)[...], current)
        return current
    }

    private func failure(_ call: String, _ path: String) -> any Error {
        Self.failure(call, path, in: directory)
    }

    /// Why `call` on `path` failed: a full disk, or the archive's entry that the call refused.
    private static func failure(_ call: String, _ path: String, in directory: String) -> any Error {
        if DiskSpace.isFull(errno) { return RunnerFailure.diskFull(.tooLarge, "\(call) \(path)", in: directory) }
        return ArchiveError(entry: nil, "\(path): \(call) failed: \(String(cString: strerror(errno)))")
    }
}
