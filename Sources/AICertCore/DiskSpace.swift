import Glibc

/// A full disk, said as such: which directory's file system ran out of room and how big it is,
/// so that the user gives the runner or the client more disk (or sends less) instead of looking
/// for a fault in an input or a job. The runner's uploads and outputs and the client's
/// downloads use it.
public enum DiskSpace {
    /// Whether a failed call's `errno` means a full file system: no block or inode left
    /// (`ENOSPC`), or a quota reached (`EDQUOT`).
    public static func isFull(_ error: Int32) -> Bool {
        error == ENOSPC || error == EDQUOT
    }

    /// Whether the file system holding `directory` has no block or no inode left for an
    /// ordinary writer, as a writer that went on until the disk was full leaves it.
    public static func isExhausted(_ directory: String) -> Bool {
        guard let info = statistics(directory) else { return false }
        return info.f_bavail == 0 || (info.f_files > 0 && info.f_favail == 0)
    }

    /// The bytes an ordinary writer may still write on the file system holding `directory`,
    /// or `nil` when it cannot be asked.
    public static func freeBytes(_ directory: String) -> UInt64? {
        statistics(directory).map { UInt64($0.f_bavail) * UInt64($0.f_frsize) }
    }

    /// "no space left on the device holding DIRECTORY (N bytes free of M)".
    public static func noSpace(holding directory: String) -> String {
        let size = statistics(directory).map {
            " (\(UInt64($0.f_bavail) * UInt64($0.f_frsize)) bytes free of \(UInt64($0.f_blocks) * UInt64($0.f_frsize)))"
        }
        return "no space left on the device holding \(directory)\(size ?? "")"
    }

    private static func statistics(_ directory: String) -> statvfs? {
        var info = statvfs()
        return statvfs(directory, &info) == 0 ? info : nil
    }
}
