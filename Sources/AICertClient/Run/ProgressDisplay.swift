import Foundation
import Glibc

/// Progress of `aicert run` on standard error: on a terminal, a status line redrawn in place;
/// otherwise only finished steps, one plain line each, so that logs stay readable.
struct ProgressDisplay: Sendable {
    let isTerminal: Bool

    init(isTerminal: Bool = isatty(STDERR_FILENO) == 1) {
        self.isTerminal = isTerminal
    }

    /// A passing state (`uploading data: 40%`), shown only on a terminal.
    func update(_ line: String) {
        guard isTerminal else { return }
        Console.error(Data("\r\u{1B}[K\(line)".utf8))
    }

    /// A finished step, shown everywhere.
    func step(_ line: String) {
        Console.error(Data(((isTerminal ? "\r\u{1B}[K" : "") + line + "\n").utf8))
    }

    /// Removes a passing state before other output is written.
    func clear() {
        guard isTerminal else { return }
        Console.error(Data("\r\u{1B}[K".utf8))
    }

    /// `512 B`, `4.2 KiB`, `1.3 GiB`.
    static func size(_ bytes: UInt64) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = Double(bytes)
        var unit = 0
        while value >= 1024 && unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return unit == 0 ? "\(bytes) B" : String(format: "%.1f", value) + " " + units[unit]
    }
}
