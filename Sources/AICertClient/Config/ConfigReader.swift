import AICertCore
import Foundation
import Yams

/// Reads `aicert.yaml` strictly: unknown keys, wrong types and invalid values are
/// ``ConfigError``s naming the file, line and key (see docs/config.md).
public enum ConfigReader {
    public static let defaultFileName = "aicert.yaml"
    /// Larger files are refused before they are parsed.
    public static let maximumFileSize = 1 << 20

    /// Reads the config file at `path`; relative input paths are resolved against its directory.
    public static func load(_ path: String) throws -> ProjectConfig {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: url.path)
            if let size = (attributes[.size] as? NSNumber)?.intValue, size > maximumFileSize {
                throw ConfigError(file: path, "is \(size) bytes; a config file has at most \(maximumFileSize)")
            }
            data = try Data(contentsOf: url)
        } catch let error as ConfigError {
            throw error
        } catch {
            throw ConfigError(
                file: path, "cannot be read (\(error.localizedDescription)); create one with `aicert init`")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigError(file: path, "is not UTF-8 text")
        }
        return try parse(text, file: path, directory: url.deletingLastPathComponent().standardizedFileURL)
    }

    /// Parses config text; `file` names it in errors, `directory` anchors relative paths.
    public static func parse(_ text: String, file: String, directory: URL) throws -> ProjectConfig {
        // The parser lives as long as the nodes are read: it holds the anchors that nodes refer
        // to weakly, which is how an anchored or aliased node is recognised and refused.
        let parser: Parser
        let document: Node
        do {
            parser = try Parser(yaml: text)
            guard let root = try parser.singleRoot() else {
                throw ConfigError(file: file, line: 1, "is empty; expected at least version, name and build")
            }
            document = root
        } catch let error as ConfigError {
            throw error
        } catch let error as YamlError {
            throw syntaxError(error, file: file)
        }
        return try withExtendedLifetime(parser) {
            try read(document, file: file, directory: directory)
        }
    }

    private static func read(_ document: Node, file: String, directory: URL) throws -> ProjectConfig {
        let root = try ConfigNode(node: document, key: "", file: file).mapping(allowed: [
            "version", "name", "platform", "build", "timestamp",
        ])

        let versionNode = try root.required("version", expected: "version: \(ProjectConfig.currentVersion)")
        guard
            try versionNode.text(expected: "the number \(ProjectConfig.currentVersion)")
                == String(ProjectConfig.currentVersion)
        else {
            throw versionNode.error("expected \(ProjectConfig.currentVersion), the only version this aicert reads")
        }
        let nameNode = try root.required("name", expected: "a name for the project, e.g. name: iris")
        let name = try nameNode.text(expected: "a name for the project")
        guard !name.isEmpty, name.count <= 128, !name.unicodeScalars.contains(where: { $0.value < 0x20 }) else {
            throw nameNode.error("expected a name of 1 to 128 characters on one line")
        }
        var platform = PlatformKind.local
        if let platformNode = root.optional("platform") {
            let expected = PlatformKind.allCases.map(\.rawValue).joined(separator: " or ")
            guard let kind = PlatformKind(rawValue: try platformNode.text(expected: expected)) else {
                throw platformNode.error("expected \(expected), found \(platformNode.kind)")
            }
            platform = kind
        }
        let build = try BuildSectionReader.read(
            root.required("build", expected: "a mapping with command, inputs and outputs"), directory: directory)
        var timestampURL: URL?
        if let timestamp = root.optional("timestamp") {
            let urlNode = try timestamp.mapping(allowed: ["url"]).required(
                "url", expected: "the Time-Stamping Authority's http(s) URL, e.g. url: https://tsa.example/tsr")
            let text = try urlNode.text(expected: "an http(s) URL")
            guard let url = TimestampURL.parse(text) else {
                throw urlNode.error("expected an absolute http or https URL with a host, found '\(text.prefix(80))'")
            }
            timestampURL = url
        }
        return ProjectConfig(
            name: name, platform: platform, build: build, timestampURL: timestampURL, directory: directory)
    }

    /// A YAML syntax error, located where the parser stopped.
    private static func syntaxError(_ error: YamlError, file: String) -> ConfigError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _),
            .composer(_, let problem, let mark, _):
            return ConfigError(file: file, line: mark.line, column: mark.column, "is not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ConfigError(
                file: file, line: context.mark.line, column: context.mark.column, key: duplicates.first ?? "",
                "is given twice in the same mapping")
        default:
            return ConfigError(file: file, "is not valid YAML: \(error)")
        }
    }
}
