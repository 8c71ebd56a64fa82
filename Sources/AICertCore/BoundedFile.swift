import Foundation

/// Small files read whole, but never more than a limit: at most `limit + 1` bytes are read, so
/// a caller can tell a file that is too large from one that fits without reading all of it.
public enum BoundedFile {
    /// The first `limit + 1` bytes (or fewer) of the file at `path`; `nil` when it cannot be read.
    public static func read(_ path: String, limit: Int) -> Data? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        return try? handle.read(upToCount: limit + 1) ?? Data()
    }
}
