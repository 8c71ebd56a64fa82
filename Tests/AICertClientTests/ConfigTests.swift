import AICertCore
import Foundation
import Testing

@testable import AICertClient

/// `aicert.yaml`: the schema of docs/config.md, read strictly, with errors that name the file,
/// the line and the key.
@Suite("aicert.yaml")
struct ConfigTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// A project directory with `code/` and `data/`, removed when released.
    final class Project {
        let directory: URL

        init() throws {
            directory = FileManager.default.temporaryDirectory.appendingPathComponent(
                "aicert-config-tests-\(UUID().uuidString)")
            for name in ["code", "data"] {
                try FileManager.default.createDirectory(
                    at: directory.appendingPathComponent(name), withIntermediateDirectories: true)
            }
            try Data("x".utf8).write(to: directory.appendingPathComponent("data/file.csv"))
        }

        deinit { try? FileManager.default.removeItem(at: directory) }

        func parse(_ text: String) throws -> ProjectConfig {
            try ConfigReader.parse(text, file: "aicert.yaml", directory: directory)
        }

        /// The error `text` gives; fails the test if it parses.
        func error(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> ConfigError? {
            do {
                _ = try parse(text)
                Issue.record("the config was accepted", sourceLocation: sourceLocation)
                return nil
            } catch let error as ConfigError {
                return error
            } catch {
                Issue.record("not a ConfigError: \(error)", sourceLocation: sourceLocation)
                return nil
            }
        }
    }

    static let minimal = """
        version: 1
        name: demo
        build:
          command: [python3, /aicert/inputs/code/train.py]
          outputs: ["**"]
        """

    @Test func theIrisExampleReadsAsDocumented() throws {
        let path = Self.packageRoot.appendingPathComponent("examples/iris/aicert.yaml").path
        let config = try ConfigReader.load(path)
        #expect(config.name == "iris")
        #expect(config.platform == .local)
        #expect(config.build.command == ["python3", "/aicert/inputs/code/train.py"])
        #expect(config.build.environment == ["PYTHONHASHSEED": "0"])
        #expect(config.build.timeoutSeconds == 600)
        #expect(config.build.outputs == ["model.npz", "metrics.json"])
        let examples = Self.packageRoot.appendingPathComponent("examples/iris").standardizedFileURL.path
        #expect(config.build.inputs.map(\.name) == ["code", "data"])
        #expect(config.build.inputs.map(\.source.localPath) == ["\(examples)/code", "\(examples)/data"])
    }

    @Test func theGitExampleTakesItsCodeFromAPinnedCommit() throws {
        let config = try ConfigReader.load(
            Self.packageRoot.appendingPathComponent("examples/iris-git/aicert.yaml").path)
        guard case .git(let url, let commit) = config.build.inputs.first?.source else {
            Issue.record("the code input is not a git source")
            return
        }
        #expect(url.hasPrefix("https://"))
        #expect(commit.count == 40)
        #expect(
            config.build.inputs.last?.source.localPath
                == Self.packageRoot.appendingPathComponent("examples/iris/data").standardizedFileURL.path)
    }

    @Test func absentOptionalKeysTakeTheirDefaults() throws {
        let config = try Project().parse(Self.minimal)
        #expect(config.platform == .local)
        #expect(config.build.environment.isEmpty)
        #expect(config.build.inputs.isEmpty)
        #expect(config.build.timeoutSeconds == BuildConfig.defaultTimeoutSeconds)
    }

    @Test func anUnknownKeyIsNamedWithItsLineAndTheKeysExpected() throws {
        let error = try #require(Project().error(Self.minimal + "\nplatfrom: remote\n"))
        #expect(error.key == "platfrom")
        #expect(error.line == 6)
        #expect(error.reason.contains("unknown key"))
        #expect(error.reason.contains("version, name, platform, build"))
        #expect(error.description.hasPrefix("aicert.yaml:6:1: platfrom: unknown key"))

        let nested = try #require(
            Project().error(
                """
                version: 1
                name: demo
                build:
                  command: [python3]
                  inputs:
                    - name: code
                      source: ./code
                    - name: data
                      source: ./data
                      sha265: abc
                  outputs: ["**"]
                """))
        #expect(nested.key == "build.inputs[1].sha265")
        #expect(nested.line == 10)
        #expect(nested.reason.contains("name, source, sha256"))
    }

    @Test func wrongTypesSayWhatIsExpected() throws {
        let project = try Project()
        let command = try #require(
            project.error(
                Self.minimal.replacingOccurrences(
                    of: "[python3, /aicert/inputs/code/train.py]", with: "python3 train.py")))
        #expect(command.key == "build.command")
        #expect(command.line == 4)
        #expect(command.reason.contains("expected a list of arguments"))

        let version = try #require(
            project.error(Self.minimal.replacingOccurrences(of: "version: 1", with: "version: 2")))
        #expect(version.key == "version")
        #expect(version.reason.contains("expected 1"))

        let platform = try #require(project.error(Self.minimal + "\nplatform: cloud\n"))
        #expect(platform.key == "platform")
        #expect(platform.reason.contains("local or remote"))

        let empty = try #require(project.error(Self.minimal.replacingOccurrences(of: "name: demo", with: "name:")))
        #expect(empty.key == "name")
        #expect(empty.reason.contains("found nothing (null)"))
    }

    @Test func requiredKeysAreNamedWhenMissing() throws {
        let project = try Project()
        let outputs = try #require(project.error("version: 1\nname: demo\nbuild:\n  command: [true]\n"))
        #expect(outputs.key == "build.outputs")
        #expect(outputs.reason.hasPrefix("is required"))
        #expect(outputs.line == 4)

        let build = try #require(project.error("version: 1\nname: demo\n"))
        #expect(build.key == "build")
        let empty = try #require(project.error(""))
        #expect(empty.reason.contains("is empty"))
    }

    @Test func sourcesAreLocalPathsPinnedGitCommitsOrHashedDownloads() throws {
        let project = try Project()
        let commit = String(repeating: "0123456789", count: 4)
        let digest = String(repeating: "ab", count: 32)
        let config = try project.parse(
            """
            version: 1
            name: demo
            build:
              command: [true]
              inputs:
                - {name: code, source: "git+https://github.com/example/train.git@\(commit)"}
                - {name: weights, source: "https://example.com/base.bin", sha256: "\(digest.uppercased())"}
                - {name: data, source: data/file.csv}
              outputs: ["**"]
            """)
        #expect(config.build.inputs[0].source == .git(url: "https://github.com/example/train.git", commit: commit))
        #expect(config.build.inputs[1].source == .url(url: "https://example.com/base.bin", sha256: digest))
        #expect(
            config.build.inputs[2].source.localPath == project.directory.standardizedFileURL.path + "/data/file.csv")
    }

    @Test(arguments: [
        ("git+https://github.com/example/train.git@main", "build.inputs[0].source", "not a full commit id"),
        ("git+https://github.com/example/train.git", "build.inputs[0].source", "git+URL@COMMIT"),
        (
            "git+ssh://host/repo@" + String(repeating: "a", count: 40), "build.inputs[0].source",
            "https://, http:// or git://"
        ),
        ("https://example.com/data.csv", "build.inputs[0].source", "needs sha256"),
        (
            "https://user:secret@example.com/data.csv\n      sha256: " + String(repeating: "a", count: 64),
            "build.inputs[0].source", "credentials"
        ),
        ("ftp://example.com/data.csv", "build.inputs[0].source", "another kind"),
        ("./missing", "build.inputs[0].source", "no file or directory"),
        (
            "./data\n      sha256: " + String(repeating: "a", count: 64), "build.inputs[0].sha256",
            "applies only to an https:// source"
        ),
        ("https://example.com/d.csv\n      sha256: abc", "build.inputs[0].sha256", "64 hexadecimal digits"),
    ])
    func invalidSourcesAreExplained(source: String, key: String, reason: String) throws {
        let error = try #require(
            Project().error(
                """
                version: 1
                name: demo
                build:
                  command: [true]
                  inputs:
                    - name: input
                      source: \(source)
                  outputs: ["**"]
                """))
        #expect(error.key == key)
        #expect(error.reason.contains(reason), "\(error)")
        #expect(error.line != nil)
    }

    @Test func inputNamesAreDirectoryNamesAndUnique() throws {
        let project = try Project()
        let bad = try #require(
            project.error(
                """
                version: 1
                name: demo
                build:
                  command: [true]
                  inputs: [{name: ../up, source: ./code}]
                  outputs: ["**"]
                """))
        #expect(bad.key == "build.inputs[0].name")
        let twice = try #require(
            project.error(
                """
                version: 1
                name: demo
                build:
                  command: [true]
                  inputs: [{name: code, source: ./code}, {name: code, source: ./data}]
                  outputs: ["**"]
                """))
        #expect(twice.key == "build.inputs[1]")
        #expect(twice.reason.contains("used twice"))
    }

    @Test func environmentValuesAreTheTextWritten() throws {
        let project = try Project()
        let config = try project.parse(Self.minimal + "\n  env: {SEED: 42, DEBUG: yes, RATE: 0.10, EMPTY: \"\"}\n")
        #expect(config.build.environment == ["SEED": "42", "DEBUG": "yes", "RATE": "0.10", "EMPTY": ""])
        let null = try #require(project.error(Self.minimal + "\n  env: {SEED: }\n"))
        #expect(null.key == "build.env.SEED")
        let name = try #require(project.error(Self.minimal + "\n  env: {1X: a}\n"))
        #expect(name.key == "build.env.1X")
        #expect(name.reason.contains("not a variable name"))
    }

    @Test func outputPatternsAreRelative() throws {
        let error = try #require(
            Project().error(Self.minimal.replacingOccurrences(of: "[\"**\"]", with: "[model.npz, /etc/passwd]")))
        #expect(error.key == "build.outputs[1]")
        #expect(error.reason.contains("relative pattern"))
        let none = try #require(Project().error(Self.minimal.replacingOccurrences(of: "[\"**\"]", with: "[]")))
        #expect(none.key == "build.outputs")
    }

    @Test(arguments: [
        ("600", 600), ("90s", 90), ("10m", 600), ("1h30m", 5400), ("2h", 7200), ("1h0m5s", 3605), ("168h", 604_800),
    ])
    func timeLimitsAreSecondsOrDurations(text: String, seconds: Int) {
        #expect(TimeLimit.seconds(text) == seconds)
    }

    @Test(arguments: ["0", "-5", "10x", "m10", "1m1h", "1h1h", "169h", "604801", "", "1.5h", "h"])
    func invalidTimeLimitsAreRefused(text: String) throws {
        #expect(TimeLimit.seconds(text) == nil)
        let error = try #require(Project().error(Self.minimal + "\n  timeout: \"\(text)\"\n"))
        #expect(error.key == "build.timeout")
    }

    @Test func yamlProblemsAreLocated() throws {
        let project = try Project()
        let syntax = try #require(project.error("version: 1\nname: [demo\n"))
        #expect(syntax.line != nil)
        #expect(syntax.reason.contains("not valid YAML"))
        let duplicate = try #require(project.error(Self.minimal + "\nname: again\n"))
        #expect(duplicate.key == "name")
        #expect(duplicate.reason.contains("twice"))
        let alias = try #require(
            project.error(
                """
                version: 1
                name: &n demo
                build:
                  command: [*n]
                  outputs: ["**"]
                """))
        #expect(alias.reason.contains("anchors and aliases"))
    }

    @Test func anUnreadableFileIsAConfigErrorThatSuggestsInit() {
        #expect {
            try ConfigReader.load("/nonexistent/aicert.yaml")
        } throws: { error in
            (error as? ConfigError)?.description.contains("aicert init") == true
        }
    }

    @Test func initWritesTheExampleByteForByte() throws {
        let examples = Self.packageRoot.appendingPathComponent("examples/iris")
        #expect(
            StarterProject.config(name: "iris")
                == (try String(contentsOf: examples.appendingPathComponent("aicert.yaml"), encoding: .utf8)))
        for file in StarterProject.exampleFiles {
            #expect(
                file.contents == (try String(contentsOf: examples.appendingPathComponent(file.path), encoding: .utf8)),
                "\(file.path)")
        }
        #expect(InitCommand.projectName(for: URL(fileURLWithPath: "/tmp/my-model")) == "my-model")
        #expect(InitCommand.projectName(for: URL(fileURLWithPath: "/tmp/iris")) == "iris")
        #expect(InitCommand.projectName(for: URL(fileURLWithPath: "/tmp/a b: c")) == "my-model")
    }
}

extension InputSource {
    /// The resolved path of a local source, for comparisons that ignore how the URL is spelled.
    fileprivate var localPath: String? {
        guard case .upload(_, let url) = self else { return nil }
        return url.standardizedFileURL.path
    }
}
