import Glibc

/// A regular file found by a listing.
struct ListedFile: Sendable {
    /// The path relative to the measured root, as it will appear in the manifest.
    let relativePath: String
    /// The last component of `relativePath`: what is opened relative to the directory's descriptor.
    let name: String
    /// The size when listed, for progress reports; `nil` when the listing did not ask. What is
    /// hashed is the file as it is when opened, whatever this says.
    let size: UInt64?
}

/// The regular files of one directory, with the directory's open descriptor, through which
/// they are opened: a file can then only be reached through the very directory that was listed,
/// whatever happens to the path above it, and opening it costs a one-component lookup.
struct DirectoryFiles: Sendable {
    /// The directory's descriptor, or `nil` when the root itself is the one file, opened by path.
    let descriptor: Int32?
    let files: [ListedFile]
}

/// Lists everything below a root except the contents of its files: the sequential half of a
/// measurement, which hands regular files to the hashing workers one directory at a time.
///
/// Nothing below the root is followed: symbolic links are recorded with their targets, and
/// every directory is opened with `O_NOFOLLOW` and checked to be the one that was listed. Each
/// directory's names are visited in byte order, so the order of files and the first problem
/// reported do not depend on the order in which the file system returns names.
///
/// Types come from the directory entries themselves where the file system provides them, so a
/// regular file costs no `lstat` here unless its size is wanted for progress reports; the worker
/// that opens it checks again that it is a regular file.
struct TreeListing {
    /// Symbolic links and empty directories, in the order found.
    private(set) var otherEntries: [ManifestEntry] = []
    /// Regular files found so far.
    private(set) var fileCount = 0
    private let root: String
    private let recordsSizes: Bool

    /// A listing of `root`, as the caller named it; `recordsSizes` asks for every file's size.
    init(root: String, recordsSizes: Bool) {
        self.root = root
        self.recordsSizes = recordsSizes
    }

    /// Lists the root: a regular file (one entry named after its last path component) or a
    /// directory (every entry below it). The root itself is reached as any command-line tool
    /// would, following symbolic links; a root of any other type is rejected.
    ///
    /// `publish` receives the regular files of each directory as soon as it has been listed,
    /// takes over the directory's descriptor, and answers whether listing should go on; when it
    /// answers `false` listing stops quietly.
    mutating func list(publish: (DirectoryFiles) -> Bool) throws {
        var status = stat()
        guard stat(root, &status) == 0 else {
            throw MeasurementError.system("stat", errno: errno, path: root)
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            let name = TreeListing.lastComponent(of: root)
            if let problem = PathRules.problem(withName: name) {
                throw MeasurementError(.invalidName, path: root, problem)
            }
            fileCount = 1
            let file = ListedFile(relativePath: name, name: name, size: UInt64(status.st_size))
            _ = publish(DirectoryFiles(descriptor: nil, files: [file]))
        case S_IFDIR:
            try listTree(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), publish: publish)
        default:
            throw MeasurementError(
                .unsupportedFileType, path: root,
                "is a \(FileType.name(of: status.st_mode)); only regular files and directories can be measured")
        }
    }

    private struct PendingDirectory {
        let relativePath: String
        let device: UInt64
        let inode: UInt64
    }

    private mutating func listTree(device: UInt64, inode: UInt64, publish: (DirectoryFiles) -> Bool) throws {
        var pending = [PendingDirectory(relativePath: "", device: device, inode: inode)]
        while let directory = pending.popLast() {
            let path = TreeListing.join(root, directory.relativePath)
            let descriptor = try TreeListing.openDirectory(
                path: path, followLink: directory.relativePath.isEmpty, device: directory.device,
                inode: directory.inode)
            var files: [ListedFile] = []
            var subdirectories: [PendingDirectory] = []
            do {
                let names = try TreeListing.readNames(descriptor, path: path)
                if names.isEmpty && !directory.relativePath.isEmpty {
                    try append(ManifestEntry(path: directory.relativePath, kind: .emptyDirectory))
                }
                for entry in names {
                    try listEntry(
                        entry, in: directory.relativePath, descriptor: descriptor, files: &files,
                        subdirectories: &subdirectories)
                }
            } catch {
                close(descriptor)
                throw error
            }
            if files.isEmpty {
                close(descriptor)
            } else if !publish(DirectoryFiles(descriptor: descriptor, files: files)) {
                return
            }
            // Reversed, so that popping visits the subdirectories in byte order.
            pending.append(contentsOf: subdirectories.reversed())
        }
    }

    /// Records one name of the directory `descriptor`, whose path relative to the root is `parent`.
    private mutating func listEntry(
        _ entry: DirectoryEntry, in parent: String, descriptor: Int32, files: inout [ListedFile],
        subdirectories: inout [PendingDirectory]
    ) throws {
        let name = try checkedName(entry.name, in: parent)
        let relative = parent.isEmpty ? name : parent + "/" + name
        guard relative.utf8.count <= ManifestLimits.maximumPathBytes else {
            throw MeasurementError(
                .limitExceeded, path: TreeListing.join(root, relative),
                "has a relative path longer than \(ManifestLimits.maximumPathBytes) bytes")
        }
        var status = stat()
        // DTTOIF: a directory entry's type in the bits of st_mode.
        status.st_mode = mode_t(entry.type) << 12
        let needsStatus = entry.type == DT_UNKNOWN || entry.type == DT_DIR || (entry.type == DT_REG && recordsSizes)
        if needsStatus && fstatat(descriptor, name, &status, AT_SYMLINK_NOFOLLOW) != 0 {
            throw MeasurementError.system("lstat", errno: errno, path: TreeListing.join(root, relative))
        }
        switch status.st_mode & S_IFMT {
        case S_IFREG:
            try checkCount(at: relative)
            fileCount += 1
            let size = needsStatus ? UInt64(status.st_size) : nil
            files.append(ListedFile(relativePath: relative, name: name, size: size))
        case S_IFLNK:
            let target = try TreeListing.readLink(descriptor, name, path: TreeListing.join(root, relative))
            try append(ManifestEntry(path: relative, kind: .symlink(target: target)))
        case S_IFDIR:
            subdirectories.append(
                PendingDirectory(
                    relativePath: relative, device: UInt64(status.st_dev), inode: UInt64(status.st_ino)))
        default:
            throw MeasurementError(
                .unsupportedFileType, path: TreeListing.join(root, relative),
                "is a \(FileType.name(of: status.st_mode)), which a manifest cannot record")
        }
    }

    private mutating func append(_ entry: ManifestEntry) throws {
        try checkCount(at: entry.path)
        otherEntries.append(entry)
    }

    private func checkCount(at relative: String) throws {
        guard fileCount + otherEntries.count < ManifestLimits.maximumEntries else {
            throw MeasurementError(
                .limitExceeded, path: TreeListing.join(root, relative),
                "is one entry more than the \(ManifestLimits.maximumEntries) a manifest may hold")
        }
    }

    /// Opens the directory at `path` without following a final link (unless it is the root),
    /// and checks it is the directory that was listed.
    private static func openDirectory(path: String, followLink: Bool, device: UInt64, inode: UInt64) throws -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK | (followLink ? 0 : O_NOFOLLOW)
        let descriptor = open(path, flags)
        guard descriptor >= 0 else { throw MeasurementError.system("open", errno: errno, path: path) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            let number = errno
            close(descriptor)
            throw MeasurementError.system("fstat", errno: number, path: path)
        }
        guard UInt64(status.st_dev) == device && UInt64(status.st_ino) == inode else {
            close(descriptor)
            throw MeasurementError(.changedWhileMeasuring, path: path, "was replaced while it was listed")
        }
        return descriptor
    }

    /// A name read from a directory, as raw bytes, with the type the directory entry gives it
    /// (`DT_UNKNOWN` on file systems that do not say).
    private struct DirectoryEntry {
        let name: [UInt8]
        let type: UInt8
    }

    /// The entries of the open directory `descriptor` other than `.` and `..`, sorted by name.
    private static func readNames(_ descriptor: Int32, path: String) throws -> [DirectoryEntry] {
        // fdopendir takes over the descriptor it is given, so it gets a duplicate.
        let duplicate = dup(descriptor)
        guard duplicate >= 0, let stream = fdopendir(duplicate) else {
            let number = errno
            if duplicate >= 0 { close(duplicate) }
            throw MeasurementError.system("opendir", errno: number, path: path)
        }
        defer { closedir(stream) }
        var names: [DirectoryEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw MeasurementError.system("readdir", errno: errno, path: path) }
                break
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix { $0 != 0 })
            }
            if name == [UInt8(ascii: ".")] || name == [UInt8(ascii: "."), UInt8(ascii: ".")] { continue }
            names.append(DirectoryEntry(name: name, type: entry.pointee.d_type))
            if names.count > ManifestLimits.maximumEntries {
                throw MeasurementError(
                    .limitExceeded, path: path,
                    "holds more than the \(ManifestLimits.maximumEntries) entries a manifest may hold")
            }
        }
        return names.sorted { $0.name.lexicographicallyPrecedes($1.name) }
    }

    /// The name as a string, if it keeps the name rules.
    private func checkedName(_ raw: [UInt8], in parent: String) throws -> String {
        guard let name = raw.withUnsafeBufferPointer(PathRules.decodeName) else {
            let shown = TreeListing.join(TreeListing.join(root, parent), String(decoding: raw, as: UTF8.self))
            throw MeasurementError(.invalidName, path: shown, "has a name that is not valid UTF-8")
        }
        if let problem = PathRules.problem(withName: name) {
            throw MeasurementError(.invalidName, path: TreeListing.join(TreeListing.join(root, parent), name), problem)
        }
        return name
    }

    /// The target of the symbolic link `name` in the directory `descriptor`, if it can be recorded.
    private static func readLink(_ descriptor: Int32, _ name: String, path: String) throws -> String {
        let capacity = ManifestLimits.maximumLinkTargetBytes + 1
        let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        let count = buffer.withMemoryRebound(to: CChar.self, capacity: capacity) {
            readlinkat(descriptor, name, $0, capacity)
        }
        guard count >= 0 else { throw MeasurementError.system("readlink", errno: errno, path: path) }
        guard count < capacity else {
            throw MeasurementError(
                .limitExceeded, path: path,
                "is a symbolic link whose target is longer than \(ManifestLimits.maximumLinkTargetBytes) bytes")
        }
        guard let target = PathRules.decodeName(UnsafeBufferPointer(start: buffer, count: count)) else {
            throw MeasurementError(.invalidName, path: path, "is a symbolic link whose target is not valid UTF-8")
        }
        if let problem = PathRules.problem(withLinkTarget: target) {
            throw MeasurementError(.invalidName, path: path, problem)
        }
        return target
    }

    /// `root` joined with a relative path, without doubling a `/` the root ends with.
    static func join(_ root: String, _ relative: String) -> String {
        if relative.isEmpty { return root }
        return root.hasSuffix("/") ? root + relative : root + "/" + relative
    }

    /// The last component of `path`, ignoring trailing slashes.
    private static func lastComponent(of path: String) -> String {
        let components = path.split(separator: "/")
        return components.last.map(String.init) ?? path
    }
}
