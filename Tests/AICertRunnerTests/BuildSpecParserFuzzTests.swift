import AICertCore
import Foundation
import TPMTestSupport
import Testing

@testable import AICertClient
@testable import AICertRunner

/// Seeded mutations of real build specs (`Tests/Fuzz/Corpus/build-spec/`: what `aicert run`
/// sends for the examples, and specs using every member) read by the runner: every refusal is a
/// ``RunnerFailure`` with the code `invalid_spec`, nothing traps, and an accepted spec, written
/// back as the client writes one, reads as the same spec.
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
        let figures = loop.run(Self.accepts)
        #expect(figures.seedsWithWrongVerdict.isEmpty, "seeds accepted or refused against their names")
        #expect(figures.accepted > figures.seedsAccepted, "no mutant was accepted")
    }

    /// Whether the runner accepts `body` as a build spec; records an issue for a refusal that is
    /// not `invalid_spec` and for an accepted spec that does not read back the same.
    static func accepts(_ body: [UInt8]) -> Bool {
        let spec: BuildSpec
        do {
            spec = try BuildSpecParser.parse(Data(body))
        } catch let failure as RunnerFailure where failure.code == .invalidSpec {
            return false
        } catch {
            Issue.record("\(error) is not an invalid_spec refusal, for \(String(decoding: body, as: UTF8.self))")
            return false
        }
        do {
            let again = try BuildSpecParser.parse(try JSONEncoder().encode(wire(spec)))
            #expect(again == spec, "read back differently: \(String(decoding: body, as: UTF8.self))")
            #expect(again.eventContent == spec.eventContent)
        } catch {
            Issue.record("\(error) for the written-back form of \(String(decoding: body, as: UTF8.self))")
        }
        return true
    }

    /// `spec` as the client sends one.
    static func wire(_ spec: BuildSpec) -> RunnerAPI.BuildSpec {
        RunnerAPI.BuildSpec(
            command: spec.command, env: spec.environment,
            inputs: spec.inputs.map { input in
                switch input.origin {
                case .upload: .upload(input.name, source: input.source)
                case .git(let commit): .git(input.name, url: input.source, commit: commit)
                case .url(let sha256): .url(input.name, url: input.source, sha256: sha256.hex)
                }
            },
            outputs: spec.outputs.map(\.text), timeoutSeconds: spec.timeoutSeconds)
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
