import Glibc

/// What `fstat` says of an open descriptor, asked here rather than in the targets that import
/// NIO: there, which module owns `struct stat` depends on the build's module graph.
public enum RegularFile {
    /// The size of the regular file open at `descriptor`, or `nil` when it is not a regular file
    /// or `fstat` fails.
    public static func size(of descriptor: Int32) -> UInt64? {
        var status = stat()
        guard fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { return nil }
        return UInt64(status.st_size)
    }
}
