import AICertCore
import Foundation
import TPMTestSupport
import Testing

@testable import AICertClient
@testable import AICertRunner

/// Seeded mutations of real build specs (`Tests/Fuzz/Corpus/build-spec/`: what `aicert run`
/// sends for the examples, and specs using every member) read by the runner: every refusal is a
/// ``RunnerFailure`` with the code `invalid_spec`, nothing traps, and an accepted spec, written
/// back as the client writes one, reads as the same spec (``BuildSpecHarness``).
@Suite("Build specs, fuzzed", .timeLimit(.minutes(2)))
struct BuildSpecParserFuzzTests {
    static let executions = 20_000
    static let target = "build-spec"
    /// JSON syntax and the spec's own members and values, which byte changes rarely make.
    static let dictionary: [[UInt8]] =
        [
            "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u0000", "\\ud800", "null", "true", "false", "-0", "1e400",
            "0.5", "604800", "604801", "\"command\"", "\"env\"", "\"inputs\"", "\"outputs\"", "\"timeout_seconds\"",
            "\"name\"", "\"kind\"", "\"source\"", "\"sha256\"", "\"commit\"", "\"upload\"", "\"git\"", "\"url\"",
            "\"**\"", "\"../\"", "\"https://\"", "\"git://\"", "\"..\"", "\".\"",
        ].map { Array($0.utf8) }

    @Test func mutatedSpecsAreRefusedAsInvalidSpecsOrReadBackTheSame() throws {
        let loop = MutationLoop(
            corpus: try FuzzCorpus(Self.target), executions: Self.executions, seed: 0x5BEC_0022,
            dictionary: Self.dictionary, maximumLength: 16 << 10)
        let figures = loop.run { body in
            switch BuildSpecHarness.check(body) {
            case .accepted: return true
            case .refused: return false
            case .broken(let what):
                Issue.record("\(what), for \(String(decoding: body, as: UTF8.self))")
                return false
            }
        }
        #expect(figures.seedsWithWrongVerdict.isEmpty, "seeds accepted or refused against their names")
        #expect(figures.accepted > figures.seedsAccepted, "no mutant was accepted")
    }

    /// Writes the corpus, when asked to with `AICERT_WRITE_FUZZ_CORPUS` (`scripts/make-fuzz-corpus`).
    @Test(.enabled(if: FuzzCorpus.isWriting))
    func realSpecsMakeTheCorpus() throws {
        let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("examples")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        for example in ["iris", "iris-git"] {
            let plan = BuildPlan(try ConfigReader.load(examples.appendingPathComponent("\(example)/aicert.yaml").path))
            try FuzzCorpus.write(Array(try encoder.encode(plan.spec)), as: "\(example).json", target: Self.target)
        }
        let everyMember = RunnerAPI.BuildSpec(
            command: ["/bin/sh", "-c", "echo \"$GREETING\" > /aicert/outputs/a/b.txt", "naïve ✓"],
            env: ["GREETING": "hello", "_X1": ""],
            inputs: [
                .upload("code", source: "./code (git commit 0123456789abcdef0123456789abcdef01234567)"),
                .url("data.v1", url: "https://example.org/d.csv?x=1#f", sha256: String(repeating: "ab", count: 32)),
                .git("repo", url: "git://example.org/r.git", commit: String(repeating: "0a", count: 20)),
            ],
            outputs: ["**", "a/*.txt", "checkpoints/**/*.p?"], timeoutSeconds: 604_800)
        try FuzzCorpus.write(Array(try encoder.encode(everyMember)), as: "every-member.json", target: Self.target)
        let minimal = #"{"command":["x"],"outputs":["*"],"timeout_seconds":1}"#
        try FuzzCorpus.write(Array(minimal.utf8), as: "minimal.json", target: Self.target)
        let fraction = #"{"command":["x"],"outputs":["*"],"timeout_seconds":1.5}"#
        try FuzzCorpus.write(Array(fraction.utf8), as: "reject-fraction.json", target: Self.target)
        // Nested past the JSON reader's depth limit: refused, not a stack overflow.
        let nested = String(repeating: #"{"env":"#, count: 1000) + "1" + String(repeating: "}", count: 1000)
        try FuzzCorpus.write(Array(nested.utf8), as: "reject-nested-1000.json", target: Self.target)
    }
}
