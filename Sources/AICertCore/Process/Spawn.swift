import Glibc

/// How a child process is started with `posix_spawn`: its program, arguments and whole
/// environment, the descriptors it is given, and whether it leads a process group of its own.
///
/// Every child starts with no signal blocked and every signal at its default action (a parent
/// that ignores SIGINT or SIGTERM would otherwise pass that on), and with no open descriptor
/// but the ones in ``descriptors``: whatever flags our TPM connections, sockets and pipes were
/// opened with, no child inherits them.
public struct Spawn: Sendable {
    /// What one of the child's descriptors refers to.
    public enum Source: Hashable, Sendable {
        /// A descriptor of ours, duplicated into the child.
        case descriptor(Int32)
        /// A file the child opens, e.g. `/dev/null` or a log to append to.
        case file(String, flags: Int32, mode: mode_t = 0)
        /// The same open file as another, smaller, descriptor of the child's.
        case copy(of: Int32)
    }

    /// The program, an absolute path.
    public var executable: String
    /// The arguments after `argv[0]`, which is ``executable``.
    public var arguments: [String]
    /// The child's whole environment.
    public var environment: [String: String]
    /// The child's descriptor numbers (0, 1, 2, …) and what each refers to.
    public var descriptors: [Int32: Source]
    /// Whether the child leads a new process group, so that the whole group can be signalled.
    public var newProcessGroup: Bool

    public init(
        _ executable: String, arguments: [String], environment: [String: String], descriptors: [Int32: Source],
        newProcessGroup: Bool = true
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.descriptors = descriptors
        self.newProcessGroup = newProcessGroup
    }

    /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34), looked up at run time because
    /// Swift's Glibc module does not export it. Without it no child is started, rather than one
    /// that inherits descriptors.
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }

    /// Starts the child and returns its pid; the caller reaps it.
    public func start() throws(SpawnError) -> pid_t {
        guard let addCloseFrom = Self.addCloseFrom else {
            throw .cannotCloseInherited
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Our descriptors are lifted above every target number first, so that no dup2 in the
        // child overwrites a source that a later one still needs.
        let highest = (descriptors.keys.max() ?? 2) + 1
        var lifted: [Int32] = []
        defer { for copy in lifted { close(copy) } }
        for (target, source) in descriptors.sorted(by: { $0.key < $1.key }) {
            switch source {
            case .descriptor(let ours):
                let copy = fcntl(ours, F_DUPFD_CLOEXEC, highest)
                guard copy >= 0 else { throw .setupFailed(call: "dup", errno: errno) }
                lifted.append(copy)
                posix_spawn_file_actions_adddup2(&actions, copy, target)
            case .file(let path, let flags, let mode):
                posix_spawn_file_actions_addopen(&actions, target, path, flags, mode)
            case .copy(let other):
                posix_spawn_file_actions_adddup2(&actions, other, target)
            }
        }
        let closing = addCloseFrom(&actions, highest)
        guard closing == 0 else { throw .setupFailed(call: "posix_spawn_file_actions_addclosefrom_np", errno: closing) }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var allSignals = sigset_t()
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            posix_spawnattr_setpgroup(&attributes, 0)
            flags |= POSIX_SPAWN_SETPGROUP
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let argv = [executable] + arguments
        let envp = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        let result = withCStrings(argv) { argv in
            withCStrings(envp) { envp in posix_spawn(&pid, executable, &actions, &attributes, argv, envp) }
        }
        guard result == 0 else {
            throw .cannotStart(executable: executable, errno: result)
        }
        return pid
    }
}

/// Calls `body` with a NULL-terminated array of C strings.
private func withCStrings<Result>(_ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result)
    -> Result
{
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
}
