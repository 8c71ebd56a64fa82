import Foundation
import Glibc

/// A tmpfs of a few hundred kilobytes mounted on a new directory, to run out of disk on purpose.
///
/// Mounting needs root (CI runs the tests as root); without it the initializer throws, so a
/// full-disk test fails, loudly, rather than skip what it is there to prove. ``unmount()``
/// unmounts and removes the directory; call it in a `defer`, so that a failing test leaves no
/// mount behind.
public final class SmallFileSystem: @unchecked Sendable {
    /// Why the file system could not be made.
    public struct SetupError: Error, CustomStringConvertible {
        public let description: String
    }

    /// Where it is mounted.
    public let mountPoint: URL
    private var mounted = true

    /// Mounts a tmpfs of `bytes` bytes on a new directory under the temporary directory.
    public init(bytes: Int) throws {
        guard geteuid() == 0 else {
            throw SetupError(
                description: "a full-disk test mounts a small tmpfs and needs root; run the tests as root (CI does)")
        }
        mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent(
            "aicert-small-fs-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: false)
        guard mount("tmpfs", mountPoint.path, "tmpfs", 0, "size=\(bytes),mode=0700") == 0 else {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(at: mountPoint)
            throw SetupError(description: "mount -t tmpfs on \(mountPoint.path) failed: \(reason)")
        }
    }

    deinit { unmount() }

    /// How many bytes are free for an ordinary writer.
    public var freeBytes: UInt64 {
        var info = statvfs()
        guard statvfs(mountPoint.path, &info) == 0 else { return 0 }
        return UInt64(info.f_bavail) * UInt64(info.f_frsize)
    }

    /// Unmounts (lazily, should a process still hold a file there) and removes the directory.
    public func unmount() {
        guard mounted else { return }
        mounted = false
        _ = umount2(mountPoint.path, Int32(MNT_DETACH))
        _ = rmdir(mountPoint.path)
    }
}
