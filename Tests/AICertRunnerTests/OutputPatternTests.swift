import Testing

@testable import AICertRunner

@Suite("Output patterns")
struct OutputPatternTests {
    @Test(arguments: [
        ("**", "model.bin", true), ("**", "a/b/c.txt", true),
        ("*.bin", "model.bin", true), ("*.bin", "sub/model.bin", false),
        ("checkpoints/**/*.pt", "checkpoints/1.pt", true), ("checkpoints/**/*.pt", "checkpoints/a/b/2.pt", true),
        ("checkpoints/**/*.pt", "checkpoints/a/2.bin", false), ("model-?.bin", "model-1.bin", true),
        ("model-?.bin", "model-10.bin", false), ("a*b*c", "aXXbYYc", true), ("a*b*c", "aXXbYY", false),
        ("logs/**", "logs", true), ("metrics.json", "metrics.json", true), ("metrics.json", "x/metrics.json", false),
    ])
    func patternsMatchPaths(pattern: String, path: String, matches: Bool) throws {
        #expect(try OutputPattern(pattern).matches(path) == matches)
    }

    @Test(arguments: ["", "/abs", "a//b", "a/", "../x", "a/./b", "x\ny"])
    func invalidPatternsAreRefused(pattern: String) {
        #expect(throws: OutputPattern.Invalid.self) { try OutputPattern(pattern) }
    }
}
