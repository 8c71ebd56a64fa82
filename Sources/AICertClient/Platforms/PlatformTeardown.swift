import Dispatch
import Foundation
import Glibc
import Synchronization

/// What one local run has started and made: its processes (stopped last-started first) and
/// its temporary directory. Released exactly once, by ``RunningPlatform/stop()``, by a failed
/// start, or by SIGINT, SIGTERM or SIGHUP, after which the process exits with 128 + the signal
/// number (130 for Ctrl-C). No swtpm or runner outlives the `aicert` that started it: should
/// it die without a teardown (SIGKILL), a ``PlatformWatchdog`` ends them and removes the
/// directories.
final class PlatformTeardown: Sendable {
    private struct State {
        var processes: [PlatformProcess] = []
        var directories: [URL] = []
        var released = false
        /// A signal arrived: its handler tears down and exits the process, and no other path
        /// may end the process first (with another status, or a misleading message).
        var interrupted = false
    }

    private let state = Mutex(State())
    private let signalSources = Mutex<[any DispatchSourceSignal]>([])
    private let watchdog: PlatformWatchdog
    static let trappedSignals = [SIGINT, SIGTERM, SIGHUP]

    /// Starts the watchdog and installs the signal handlers; until ``release()`` they tear
    /// down and exit.
    init() throws {
        watchdog = try PlatformWatchdog()
        signalSources.withLock { sources in
            sources = Self.trappedSignals.map { number in
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { [weak self] in
                    Console.error(Data("\naicert: interrupted; stopping the local platform\n".utf8))
                    self?.state.withLock { $0.interrupted = true }
                    self?.stopEverything()
                    exit(128 + number)
                }
                source.resume()
                return source
            }
        }
    }

    /// Adds a process to stop; stops it at once if the teardown already ran.
    func adopt(_ process: PlatformProcess) {
        let late = state.withLock { state in
            if !state.released {
                state.processes.append(process)
                watchdog.watch(process)
            }
            return state.released
        }
        if late {
            process.stop(grace: .zero)
        } else {
            process.onReaped { [watchdog] pid in watchdog.forget(pid) }
        }
    }

    /// Adds a directory to remove.
    func adopt(directory: URL) {
        state.withLock { state in
            state.directories.append(directory)
            if !state.released { watchdog.watch(directory: directory) }
        }
    }

    /// Stops every process (SIGTERM, SIGKILL after a grace period), removes the directories and
    /// restores default signal handling. A call while another is under way waits for it, so a
    /// signal during a teardown cannot exit before the processes are gone; later calls do nothing.
    /// After a signal, a call from elsewhere never returns: the signal's handler ends the process.
    func release() {
        if state.withLock({ $0.interrupted }) {
            while true { sleep(60) }
        }
        stopEverything()
    }

    private func stopEverything() {
        state.withLock { state in
            guard !state.released else { return }
            state.released = true
            for process in state.processes.reversed() { process.stop() }
            for directory in state.directories { try? FileManager.default.removeItem(at: directory) }
            watchdog.dismiss()
        }
        signalSources.withLock { sources in
            for source in sources { source.cancel() }
            sources.removeAll()
        }
        for number in Self.trappedSignals { signal(number, SIG_DFL) }
    }
}
