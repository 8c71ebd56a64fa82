import Foundation

/// The committed seed inputs of one fuzz target, in `Tests/Fuzz/Corpus/<target>/`: real
/// samples of what the parser reads, shared by the seeded mutation loops of `swift test` and
/// by `scripts/fuzz` (libFuzzer).
///
/// A seed whose name starts with `reject-` is an input the parser must refuse (a crash once
/// found, kept as a regression); every other seed must be accepted, so the corpus stays a set
/// of real, valid starting points.
public struct FuzzCorpus: Sendable {
    /// One seed file.
    public struct Seed: Sendable {
        public let name: String
        public let bytes: [UInt8]
        /// Whether the parser must refuse it.
        public var mustBeRefused: Bool { name.hasPrefix("reject-") }
    }

    /// The root of every target's corpus.
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz/Corpus", isDirectory: true)

    /// Set (to any value) to write freshly made seeds instead of only checking the committed
    /// ones: `scripts/make-fuzz-corpus`.
    public static let writeVariable = "AICERT_WRITE_FUZZ_CORPUS"

    public let target: String
    /// The seeds, by name.
    public let seeds: [Seed]

    /// Reads the corpus of `target`.
    public init(_ target: String) throws {
        self.target = target
        let directory = Self.root.appendingPathComponent(target, isDirectory: true)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { !$0.hasPrefix(".") }
        seeds = try names.sorted().map { name in
            Seed(name: name, bytes: Array(try Data(contentsOf: directory.appendingPathComponent(name))))
        }
    }

    /// Whether this run regenerates the corpora.
    public static var isWriting: Bool { ProcessInfo.processInfo.environment[writeVariable] != nil }

    /// Writes `bytes` as the seed `name` of `target`.
    public static func write(_ bytes: [UInt8], as name: String, target: String) throws {
        let directory = root.appendingPathComponent(target, isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: directory.appendingPathComponent(name))
    }
}
