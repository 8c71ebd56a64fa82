import Glibc

/// Why ``Spawn`` could not start a child process.
public enum SpawnError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The C library cannot close inherited descriptors in a child (glibc before 2.34): no
    /// child is started rather than one that inherits our descriptors.
    case cannotCloseInherited
    /// A call that prepares the child failed with the error number `errno`.
    case setupFailed(call: String, errno: Int32)
    /// `posix_spawn` failed with the error number `errno`: no such program, one that is not
    /// executable, a file the child was to open that cannot be opened.
    case cannotStart(executable: String, errno: Int32)

    public var description: String {
        switch self {
        case .cannotCloseInherited:
            "this C library cannot close inherited descriptors in a child (glibc 2.34 or later is needed)"
        case .setupFailed(let call, let number):
            "\(call) failed: \(String(cString: strerror(number)))"
        case .cannotStart(let executable, let number):
            "cannot start \(executable): \(String(cString: strerror(number)))"
        }
    }
}
