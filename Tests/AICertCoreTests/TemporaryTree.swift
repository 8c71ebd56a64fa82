import AICertCore
import Foundation
import Glibc
import TPMTestSupport
import Testing

/// A directory under the system's temporary directory, removed when the value is released.
final class TemporaryTree {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory
            .appendingPathComponent("aicert-measure-tests-\(UUID().uuidString)", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    deinit {
        // Restore permissions that a test may have removed, so that the tree can be deleted.
        _ = try? FileManager.default.subpathsOfDirectory(atPath: root.path).forEach { sub in
            chmod(root.appendingPathComponent(sub).path, 0o755)
        }
        try? FileManager.default.removeItem(at: root)
    }

    /// The absolute path of `relative` inside the tree.
    func path(_ relative: String) -> String { root.appendingPathComponent(relative).path }

    /// Writes `bytes` to `relative`, creating directories on the way.
    func write(_ relative: String, _ bytes: [UInt8]) throws {
        let url = root.appendingPathComponent(relative)
        try FileManager.default.createDirectory(
            at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    /// Writes the UTF-8 of `text` to `relative`.
    func write(_ relative: String, text: String) throws { try write(relative, Array(text.utf8)) }

    func makeDirectory(_ relative: String) throws {
        try FileManager.default.createDirectory(
            at: root.appendingPathComponent(relative), withIntermediateDirectories: true)
    }

    func makeLink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: path(relative), withDestinationPath: target)
    }

    func makeFIFO(_ relative: String) throws {
        guard mkfifo(path(relative), 0o644) == 0 else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
    }
}

/// Runs `executable` with `arguments` in `directory` and returns its standard output.
func runTool(_ executable: String, _ arguments: [String], in directory: URL? = nil, input: [UInt8]? = nil)
    throws -> String
{
    try Subprocess.run(executable, arguments, directory: directory, input: input).output
}

/// The SHA-256 of `bytes` as the system's `sha256sum` computes it: an oracle independent of ours.
func sha256sumOf(_ bytes: [UInt8]) throws -> String {
    String(try runTool("/usr/bin/sha256sum", ["-"], input: bytes).prefix(64))
}

/// Expects `body` to throw a ``MeasurementError`` with `code` for `path`, whose message names the
/// path (unless it holds control characters, which messages show escaped).
func expectFailure(
    _ code: MeasurementError.Code, naming path: String, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () throws -> Void
) {
    let error = #expect(throws: MeasurementError.self, sourceLocation: sourceLocation) { try body() }
    #expect(error?.code == code, "\(error.map(String.init(describing:)) ?? "no error")", sourceLocation: sourceLocation)
    #expect(error?.path == path, sourceLocation: sourceLocation)
    if !path.unicodeScalars.contains(where: { $0.value < 0x20 }) {
        #expect(error?.reason.contains(path) == true, sourceLocation: sourceLocation)
    }
}
