import AICertCore
import Foundation

/// Reads a build spec from a request body strictly: unknown members, wrong types and values
/// beyond the bounds below are errors that name the member (`inputs[1].sha256: …`).
enum BuildSpecParser {
    static let maximumArguments = 1024
    static let maximumVariables = 256
    static let maximumInputs = 64
    static let maximumOutputPatterns = 64
    /// Arguments and environment together, as `execve` receives them.
    static let maximumCommandBytes = 256 * 1024
    static let maximumSourceBytes = 4096
    /// One week.
    static let timeoutRange = 1...604_800

    static func parse(_ body: Data) throws -> BuildSpec {
        let document: JSONValue
        do {
            document = try JSONDecoder().decode(JSONValue.self, from: body)
        } catch {
            throw RunnerFailure(
                .invalidSpec, "the build spec is not JSON of the expected kind (integers only, no fractions)")
        }
        let root = try object(document, "", allowed: ["command", "env", "inputs", "outputs", "timeout_seconds"])

        let command = try strings(required(root, "command", ""), "command")
        guard (1...maximumArguments).contains(command.count) else {
            throw invalid("command", "has 1 to \(maximumArguments) arguments")
        }
        guard !command[0].isEmpty else { throw invalid("command[0]", "the program is empty") }
        for (index, argument) in command.enumerated() where argument.utf8.contains(0) {
            throw invalid("command[\(index)]", "contains a NUL character")
        }

        let environment = try parseEnvironment(root["env"])
        let commandBytes =
            command.reduce(0) { $0 + $1.utf8.count + 1 }
            + environment.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 2 }
        guard commandBytes <= maximumCommandBytes else {
            throw invalid(
                "command", "the command and environment take \(commandBytes) bytes, more than \(maximumCommandBytes)")
        }

        let inputs = try parseInputs(root["inputs"])
        let outputs = try parseOutputs(required(root, "outputs", ""))

        guard let timeout = try required(root, "timeout_seconds", "").integerValue, timeoutRange.contains(Int(timeout))
        else {
            throw invalid(
                "timeout_seconds", "is an integer from \(timeoutRange.lowerBound) to \(timeoutRange.upperBound)")
        }
        return BuildSpec(
            command: command, environment: environment, inputs: inputs, outputs: outputs, timeoutSeconds: Int(timeout))
    }

    private static func parseEnvironment(_ value: JSONValue?) throws -> [String: String] {
        guard let value else { return [:] }
        guard case .object(let members) = value else { throw invalid("env", "is an object of strings") }
        guard members.count <= maximumVariables else {
            throw invalid("env", "has at most \(maximumVariables) variables")
        }
        var environment: [String: String] = [:]
        for (name, member) in members {
            guard isVariableName(name) else {
                throw invalid(
                    "env", "'\(name)' is not a variable name ([A-Za-z_][A-Za-z0-9_]*, at most 128 characters)")
            }
            guard let text = member.stringValue else { throw invalid("env.\(name)", "is a string") }
            guard !text.utf8.contains(0) else { throw invalid("env.\(name)", "contains a NUL character") }
            environment[name] = text
        }
        return environment
    }

    private static func parseInputs(_ value: JSONValue?) throws -> [InputSpec] {
        guard let value else { return [] }
        guard case .array(let items) = value else { throw invalid("inputs", "is an array") }
        guard items.count <= maximumInputs else { throw invalid("inputs", "has at most \(maximumInputs) inputs") }
        var inputs: [InputSpec] = []
        for (index, item) in items.enumerated() {
            let field = "inputs[\(index)]"
            let members = try object(item, field, allowed: ["name", "kind", "source", "sha256", "commit"])
            let name = try string(required(members, "name", field), "\(field).name")
            if let problem = InputName.problem(with: name) { throw invalid("\(field).name", problem) }
            guard !inputs.contains(where: { $0.name == name }) else {
                throw invalid("\(field).name", "'\(name)' is named twice")
            }
            let source = try string(required(members, "source", field), "\(field).source")
            guard (1...maximumSourceBytes).contains(source.utf8.count),
                !source.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F })
            else {
                throw invalid("\(field).source", "has 1 to \(maximumSourceBytes) bytes and no control characters")
            }
            let kind = try string(required(members, "kind", field), "\(field).kind")
            let origin: InputSpec.Origin
            switch kind {
            case "upload":
                try forbid(["sha256", "commit"], in: members, field)
                origin = .upload
            case "url":
                try forbid(["commit"], in: members, field)
                try RemoteSource.checkURL(source, schemes: ["http", "https"], field: "\(field).source")
                let hex = try string(required(members, "sha256", field), "\(field).sha256")
                guard hex.utf8.count == 64, let digest = SHA256Hash(hex: hex) else {
                    throw invalid("\(field).sha256", "is 64 hexadecimal digits")
                }
                origin = .url(sha256: digest)
            case "git":
                try forbid(["sha256"], in: members, field)
                try RemoteSource.checkURL(source, schemes: ["http", "https", "git"], field: "\(field).source")
                let commit = try string(required(members, "commit", field), "\(field).commit")
                guard commit.utf8.count == 40, commit.utf8.allSatisfy({ isLowercaseHex($0) }) else {
                    throw invalid("\(field).commit", "is a full commit id: 40 lowercase hexadecimal digits")
                }
                origin = .git(commit: commit)
            default:
                throw invalid("\(field).kind", "is upload, git or url")
            }
            inputs.append(InputSpec(name: name, origin: origin, source: source))
        }
        return inputs
    }

    private static func parseOutputs(_ value: JSONValue) throws -> [OutputPattern] {
        let texts = try strings(value, "outputs")
        guard (1...maximumOutputPatterns).contains(texts.count) else {
            throw invalid("outputs", "has 1 to \(maximumOutputPatterns) patterns")
        }
        return try texts.enumerated().map { index, text in
            do {
                return try OutputPattern(text)
            } catch let error as OutputPattern.Invalid {
                throw invalid("outputs[\(index)]", error.reason)
            }
        }
    }

    private static func object(_ value: JSONValue, _ field: String, allowed: Set<String>) throws -> [String: JSONValue]
    {
        guard case .object(let members) = value else {
            throw invalid(field.isEmpty ? "the build spec" : field, "is an object")
        }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw invalid(field.isEmpty ? unknown : "\(field).\(unknown)", "is not a member of a build spec")
        }
        return members
    }

    private static func required(_ members: [String: JSONValue], _ name: String, _ field: String) throws -> JSONValue {
        guard let value = members[name] else { throw invalid(field.isEmpty ? name : "\(field).\(name)", "is required") }
        return value
    }

    private static func forbid(_ names: [String], in members: [String: JSONValue], _ field: String) throws {
        if let present = names.first(where: { members[$0] != nil }) {
            throw invalid("\(field).\(present)", "does not apply to this kind of input")
        }
    }

    private static func string(_ value: JSONValue, _ field: String) throws -> String {
        guard let text = value.stringValue else { throw invalid(field, "is a string") }
        return text
    }

    private static func strings(_ value: JSONValue, _ field: String) throws -> [String] {
        guard case .array(let items) = value else { throw invalid(field, "is an array of strings") }
        return try items.enumerated().map { index, item in try string(item, "\(field)[\(index)]") }
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, name.utf8.count <= 128,
            !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first)
        else {
            return false
        }
        return name.utf8.allSatisfy { byte in
            byte == UInt8(ascii: "_") || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
        }
    }

    private static func isLowercaseHex(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
    }

    private static func invalid(_ field: String, _ reason: String) -> RunnerFailure {
        RunnerFailure(.invalidSpec, "\(field): \(reason)")
    }
}
