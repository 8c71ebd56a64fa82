import Glibc

/// `write(2)` until every byte is out, retrying after `EINTR`: the one loop for the runner's
/// files, the client's downloads and its console.
public enum WriteAll {
    /// Writes all of `bytes` to `descriptor`; `nil` when done, else the `errno` of the write
    /// that failed (or `EIO` for a write that wrote nothing).
    public static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) -> Int32? {
        guard let base = bytes.baseAddress else { return nil }
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, base + offset, bytes.count - offset)
            if written < 0 && errno == EINTR { continue }
            guard written > 0 else { return written < 0 ? errno : EIO }
            offset += written
        }
        return nil
    }
}
