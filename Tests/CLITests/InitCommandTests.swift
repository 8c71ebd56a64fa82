import Foundation
import Testing

/// `aicert init` run as a user runs it, and the help of `init` and `run`.
@Suite(.timeLimit(.minutes(3)))
struct InitCommandTests {
    static let examples = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("examples/iris")

    @Test func initWritesACommentedConfigNamedAfterTheDirectory() throws {
        let directory = try TemporaryDirectory()
        let project = directory.url.appendingPathComponent("sentiment-v2")
        let result = try runAICert(["init", project.path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("wrote \(project.path)/aicert.yaml"))
        let config = try String(contentsOf: project.appendingPathComponent("aicert.yaml"), encoding: .utf8)
        #expect(config.contains("\nname: sentiment-v2\n"))
        #expect(config.contains("# Each input is read-only at /aicert/inputs/<name>."))
        #expect(try FileManager.default.contentsOfDirectory(atPath: project.path) == ["aicert.yaml"])
    }

    @Test func initNeverOverwritesWithoutForce() throws {
        let directory = try TemporaryDirectory()
        let config = directory.url.appendingPathComponent("aicert.yaml")
        try "mine\n".write(to: config, atomically: true, encoding: .utf8)
        let refused = try runAICert(["init", directory.url.path])
        #expect(refused.status == 2)
        #expect(refused.errors.contains("already exists; give --force to overwrite"))
        #expect(try String(contentsOf: config, encoding: .utf8) == "mine\n")

        let forced = try runAICert(["init", "--force", directory.url.path])
        #expect(forced.status == 0)
        #expect(try String(contentsOf: config, encoding: .utf8) != "mine\n")
    }

    @Test func initExampleWritesTheIrisProject() throws {
        let directory = try TemporaryDirectory()
        let project = directory.url.appendingPathComponent("iris")
        let result = try runAICert(["init", "--example", project.path])
        #expect(result.status == 0, "\(result.errors)")
        #expect(result.output.contains("Next: cd \(project.path) && aicert run"))
        for path in ["aicert.yaml", "code/train.py", "data/iris.csv", "data/LICENSE"] {
            let written = try Data(contentsOf: project.appendingPathComponent(path))
            #expect(written == (try Data(contentsOf: Self.examples.appendingPathComponent(path))), "\(path)")
        }
    }

    @Test func helpDescribesInitAndRunWithExamples() throws {
        let root = try runAICert(["--help"])
        #expect(root.output.contains("init"))
        #expect(root.output.contains("run"))
        let run = try runAICert(["run", "--help"])
        #expect(run.status == 0)
        for text in [
            "--config", "--output-dir", "--platform", "--runner-url", "--token-file", "--trust-root", "--json",
            "Exit status", "e.g.",
        ] {
            #expect(run.output.contains(text), "\(text)")
        }
        let initHelp = try runAICert(["init", "--help"])
        #expect(initHelp.output.contains("--example"))
        #expect(initHelp.output.contains("--force"))
    }
}
