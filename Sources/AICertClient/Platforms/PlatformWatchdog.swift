import AICertCore
import Foundation
import Glibc
import Synchronization

/// Ends what a local or qemu run started when the `aicert` that started it dies without
/// tearing down, e.g. by SIGKILL or the OOM killer, which no signal handler sees.
///
/// A small process of its own, `/bin/sh` running ``script``, started before anything else and
/// in a process group of its own (a Ctrl-C to the terminal's group does not reach it). Its
/// standard input is one end of a Unix socket pair whose other end only this process holds:
/// every descriptor of ours is close-on-exec, and ``Spawn`` gives a child no descriptor it does
/// not name. We tell it, one line at a time, each process group to end (`group PGID`), each
/// group that has ended by itself (`forget PGID`) and each directory to remove
/// (`directory PATH`). When the socket reads end of file, whatever way we died, it sends the
/// groups SIGTERM, then SIGKILL to those left after three seconds (as ``PlatformProcess/stop(grace:)``
/// does), and removes the directories. A normal teardown stops everything itself and then
/// sends `dismiss`, after which the watchdog exits and touches nothing.
///
/// Why this and not the alternatives:
/// - `PR_SET_PDEATHSIG` fires when the *thread* that forked the child ends, not the process,
///   and our children are started from the threads of a Swift concurrency pool; it would also
///   need an exec wrapper, as `posix_spawn` cannot set it.
/// - An option of each child (`aicert-runner serve --exit-with-parent`) would change the
///   runner, which is part of the trusted computing base, and cannot cover swtpm, QEMU or
///   `swtpm_setup`, which we do not control.
/// A watchdog kills process groups, so it covers every helper alike, and the runner is unchanged.
final class PlatformWatchdog: Sendable {
    /// The watchdog's pid.
    let pid: pid_t
    /// Our end of the socket pair; -1 once dismissed.
    private let channel: Mutex<Int32>

    /// The watchdog's program: `$1` is our pid, for `ps` and tests; the rest come on standard input.
    static let script = """
        trap '' INT TERM HUP
        shift
        groups=
        while IFS= read -r line; do
            case $line in
            "group "*) groups="${line#group } $groups" ;;
            "forget "*)
                kept=
                for g in $groups; do [ "$g" = "${line#forget }" ] || kept="$kept $g"; done
                groups=$kept ;;
            "directory "*) set -- "$@" "${line#directory }" ;;
            dismiss) exit 0 ;;
            esac
        done
        for g in $groups; do kill -TERM -$g 2>/dev/null; done
        for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
            alive=
            for g in $groups; do kill -0 -$g 2>/dev/null && alive=1; done
            [ -z "$alive" ] && break
            sleep 0.2
        done
        for g in $groups; do kill -KILL -$g 2>/dev/null; done
        [ $# -eq 0 ] || rm -rf -- "$@"
        """

    /// The name the watchdog runs under (its `$0`), followed by our pid on its command line.
    static let name = "aicert-platform-watchdog"

    /// Starts the watchdog.
    init() throws {
        var ends: [Int32] = [-1, -1]
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
            throw LocalPlatformError("watchdog", "cannot make a socket pair: \(String(cString: strerror(errno)))")
        }
        defer { close(ends[1]) }
        let spawn = Spawn(
            "/bin/sh", arguments: ["-c", Self.script, Self.name, String(getpid())],
            environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL": "C"],
            descriptors: [
                0: .descriptor(ends[1]),
                1: .file("/dev/null", flags: O_WRONLY),
                2: .copy(of: 1),
            ])
        do throws(SpawnError) {
            pid = try spawn.start()
        } catch {
            close(ends[0])
            throw LocalPlatformError("watchdog", "\(error)")
        }
        channel = Mutex(ends[0])
    }

    /// The watchdog ends `process`'s group should we die.
    func watch(_ process: PlatformProcess) {
        send("group \(process.pid)")
    }

    /// `pid`'s group has ended, and its number may be reused: the watchdog leaves it alone.
    func forget(_ pid: pid_t) {
        send("forget \(pid)")
    }

    /// The watchdog removes `directory` should we die.
    func watch(directory: URL) {
        // A line each: a path with a newline in it (none of ours has one) is not sent.
        guard !directory.path.contains("\n") else { return }
        send("directory \(directory.path)")
    }

    /// Everything was stopped and removed: the watchdog exits without touching anything.
    func dismiss() {
        send("dismiss")
        let closed = channel.withLock { channel in
            defer { channel = -1 }
            if channel >= 0 { close(channel) }
            return channel >= 0
        }
        guard closed else { return }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
    }

    private func send(_ line: String) {
        channel.withLock { channel in
            guard channel >= 0 else { return }
            var bytes = Array((line + "\n").utf8)[...]
            while !bytes.isEmpty {
                let sent = bytes.withUnsafeBytes { Glibc.send(channel, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if sent < 0 && errno == EINTR { continue }
                guard sent > 0 else { return }
                bytes = bytes.dropFirst(sent)
            }
        }
    }
}
