import AICertCore
import Foundation
import Glibc
import Synchronization

extension ChildProcess {
    /// What a finished helper process printed and how it ended.
    struct Output: Sendable {
        let termination: Termination
        /// The first bytes of its standard output and error, together.
        let text: String
        let timedOut: Bool
    }

    /// Runs `executable` to completion with standard input from `/dev/null` and its output
    /// captured (the first `keep` bytes); kills its process group after `timeout`.
    static func run(
        _ executable: String, _ arguments: [String], environment: [String: String], timeout: Duration,
        keep: Int = 64 * 1024
    ) async throws -> Output {
        let pipe = try PipeEnds.make()
        let child: ChildProcess
        do {
            defer { close(pipe.write) }
            child = try spawn(
                executable, arguments, environment: environment,
                sources: [
                    0: .file("/dev/null", flags: O_RDONLY), 1: .descriptor(pipe.write), 2: .descriptor(pipe.write),
                ])
        } catch {
            close(pipe.read)
            throw error
        }
        let captured = Mutex<[UInt8]>([])
        let reader = PipeEnds.drain(pipe.read) { chunk in
            captured.withLock { kept in kept.append(contentsOf: chunk.prefix(max(keep - kept.count, 0))) }
        }
        let timer = Task {
            try await Task.sleep(for: timeout)
            child.killGroup()
        }
        let termination = await child.wait()
        timer.cancel()
        let timedOut = (try? await timer.value) != nil
        await reader.value
        let text = captured.withLock { String(decoding: $0, as: UTF8.self) }
        return Output(termination: termination, text: text, timedOut: timedOut)
    }
}
