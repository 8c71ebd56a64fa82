import AICertCore
import Foundation
import Glibc

/// The standard streams, written without ever trapping. Foundation's `FileHandle.write(_:)`
/// aborts the process when a write fails (a reader that went away, a full disk), which would
/// skip the teardown of a running platform; here a failed write is dropped.
enum Console {
    static func out(_ data: Data) { write(data, to: STDOUT_FILENO) }

    static func error(_ data: Data) { write(data, to: STDERR_FILENO) }

    static func write(_ data: Data, to handle: FileHandle) { write(data, to: handle.fileDescriptor) }

    private static func write(_ data: Data, to descriptor: Int32) {
        _ = data.withUnsafeBytes { WriteAll.write($0, to: descriptor) }
    }
}
