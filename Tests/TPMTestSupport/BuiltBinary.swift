import Foundation

/// Finds and runs the binaries this package builds.
public enum BuiltBinary {
    /// The products directory: next to the test bundle, whatever the build path.
    public static func path(_ name: String) throws -> String {
        if name == "aicert", let explicit = ProcessInfo.processInfo.environment["AICERT_BIN"] {
            return explicit
        }
        if let override = ProcessInfo.processInfo.environment["AICERT_BIN_DIR"] {
            return "\(override)/\(name)"
        }
        var directory = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let candidate = root.appendingPathComponent(".build/debug/\(name)").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        throw SoftwareTPM.SetupError(description: "\(name) has not been built (swift build)")
    }

    public static func run(_ name: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        try SoftwareTPM.run(path(name), arguments)
    }
}
